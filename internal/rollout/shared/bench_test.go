package shared_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tenantctl/tenantctl/internal/objstore"
	"github.com/tenantctl/tenantctl/internal/rollout/outcome"
	"github.com/tenantctl/tenantctl/internal/rollout/plan"
	"github.com/tenantctl/tenantctl/internal/rollout/rollouttest"
	"github.com/tenantctl/tenantctl/internal/rollout/runner"
	"github.com/tenantctl/tenantctl/internal/rollout/shared"
)

// BenchmarkRunners measures what n runners of one shared rollout buy: 400
// stacks of 50 ms each, a canary of 4 then waves of 25 % and 100 %, where one
// runner (one CI machine) runs 4 stacks at once — the engine's CPU is what
// bounds a runner — so the rollout's --max-concurrency is 4n. The makespan
// against one runner's shows the speed-up; the gap to n× is the barriers'
// and the board's cost.
func BenchmarkRunners(b *testing.B) {
	const stacks, perRunner, latency = 400, 4, 50 * time.Millisecond
	var one time.Duration
	for _, n := range []int{1, 2, 4, 8} {
		b.Run(fmt.Sprintf("runners=%d", n), func(b *testing.B) {
			var total time.Duration
			for i := 0; b.Loop(); i++ {
				var ts []plan.Target
				for k := range stacks {
					ts = append(ts, plan.Target{Stack: fmt.Sprintf("t%03d", k)})
				}
				waves, err := plan.PlanWaves(ts, plan.WaveOptions{Canary: 4, Waves: []plan.Quantity{{N: 25, Percent: true}, {N: 100, Percent: true}},
					MaxConcurrency: plan.Quantity{N: perRunner * n}, Mode: plan.ModeSoft})
				if err != nil {
					b.Fatal(err)
				}
				p := &plan.Plan{ID: fmt.Sprintf("20261202T070000Z-%06d", i), Op: plan.OpUp, Created: time.Now().UTC(), Waves: waves}
				store := &objstore.Mem{}
				ctx := context.Background()
				first, _ := shared.Open(store, p.ID, "")
				if err := first.CreatePlan(ctx, p); err != nil {
					b.Fatal(err)
				}
				start := time.Now()
				var wg sync.WaitGroup
				for r := range n {
					board, _ := shared.Open(store, p.ID, fmt.Sprintf("%dof%d", r+1, n))
					wg.Add(1)
					go func() {
						defer wg.Done()
						prior, _ := board.State(ctx)
						j := board.Journal(ctx)
						run := &runner.Runner{Deployer: &rollouttest.Sim{Latency: latency, Changes: outcome.Changes{Update: 1}}, Journal: j,
							Retry: runner.Retry{Attempts: 1}, Shared: &shared.Runner{Board: board, Index: r + 1, Count: n, Poll: 10 * time.Millisecond}}
						if out, err := run.Run(ctx, p, prior); err != nil || out.Status != outcome.StatusSucceeded {
							b.Errorf("runner %d: %v", r+1, err)
						}
						j.Close()
					}()
				}
				wg.Wait()
				total += time.Since(start)
			}
			mean := total / time.Duration(b.N)
			if n == 1 {
				one = mean
			}
			ideal := time.Duration(0)
			for _, w := range []int{4, 99, 297} { // the waves' sizes
				ideal += time.Duration((w+perRunner*n-1)/(perRunner*n)) * latency
			}
			b.ReportMetric(mean.Seconds(), "s/rollout")
			b.ReportMetric(float64(mean)/float64(ideal), "x-ideal")
			if one > 0 {
				b.ReportMetric(float64(one)/float64(mean), "speedup")
			}
		})
	}
}
