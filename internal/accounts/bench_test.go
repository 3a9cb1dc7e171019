package accounts

import (
	"context"
	"testing"
	"time"
)

// BenchmarkVendAndBaseline50 vends and baselines 50 accounts against moto,
// four at a time (the default concurrency), and reports the figures the
// lifecycle is judged on: seconds per 50 accounts, and Organizations calls per
// account (the account's own and its share of the run's shared reads).
//
//	go test -run '^$' -bench VendAndBaseline50 -benchtime 3x ./internal/accounts/
func BenchmarkVendAndBaseline50(b *testing.B) {
	const n = 50
	var calls, own float64
	var elapsed time.Duration
	for range b.N {
		b.StopTimer()
		o := newOrg(b)
		m := o.manager(testSettings())
		b.StartTimer()
		start := time.Now()
		res, err := m.Vend(context.Background(), "enterprise", n)
		if err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(start)
		b.StopTimer()
		if len(res.Accounts) != n || len(res.Failed()) != 0 {
			b.Fatalf("vended %d, %d failed", len(res.Accounts), len(res.Failed()))
		}
		calls += float64(res.Calls.Total) / n
		for _, v := range res.Accounts {
			own += float64(v.OrgCalls) / n
		}
		b.StartTimer()
	}
	b.ReportMetric(elapsed.Seconds()/float64(b.N), "s/50accounts")
	b.ReportMetric(calls/float64(b.N), "orgcalls/account")
	b.ReportMetric(own/float64(b.N), "owncalls/account")
}
