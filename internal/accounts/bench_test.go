package accounts

import (
	"testing"
	"time"
)

// BenchmarkVendAndBaseline50 vends and baselines 50 accounts against moto,
// four at a time (the default concurrency), and reports the figures the
// lifecycle is judged on: seconds per 50 accounts, and Organizations calls per
// account (orgcalls: the whole run's, shared reads included; owncalls: the
// account's own). "moto" takes moto's instant creation; "aws-like" plays
// CreateAccount IN_PROGRESS for two polls first, as AWS answers for minutes.
//
//	go test -run '^$' -bench VendAndBaseline50 -benchtime 3x ./internal/accounts/
func BenchmarkVendAndBaseline50(b *testing.B) {
	for _, c := range []struct {
		name    string
		pending int
	}{{"moto", 0}, {"aws-like", 2}} {
		b.Run(c.name, func(b *testing.B) {
			const n = 50
			var calls, own float64
			var elapsed time.Duration
			for range b.N {
				b.StopTimer()
				o := newOrg(b)
				slow := &slowCreate{pending: c.pending}
				m := o.manager(testSettings(), func(opt *Options) {
					if c.pending > 0 {
						opt.OrgOptions = append(opt.OrgOptions, slow.option)
					}
				})
				b.StartTimer()
				start := time.Now()
				res := o.vend(m, "enterprise", n)
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
		})
	}
}
