package shared_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tenantctl/tenantctl/internal/objstore"
	"github.com/tenantctl/tenantctl/internal/rollout/journal"
	"github.com/tenantctl/tenantctl/internal/rollout/outcome"
	"github.com/tenantctl/tenantctl/internal/rollout/plan"
	"github.com/tenantctl/tenantctl/internal/rollout/rollouttest"
	"github.com/tenantctl/tenantctl/internal/rollout/runner"
	"github.com/tenantctl/tenantctl/internal/rollout/shared"
	"github.com/tenantctl/tenantctl/internal/testutil/moto"
)

// sharedPlan is a canary of 2 and a wave of 10, tolerating toleance failures.
func sharedPlan(t *testing.T, tolerance int) *plan.Plan {
	t.Helper()
	var ts []plan.Target
	for i := range 12 {
		ts = append(ts, plan.Target{Stack: fmt.Sprintf("t%02d", i)})
	}
	waves, err := plan.PlanWaves(ts, plan.WaveOptions{Canary: 2, MaxConcurrency: plan.Quantity{N: 6}, Tolerance: plan.Quantity{N: tolerance}, Mode: plan.ModeSoft})
	if err != nil {
		t.Fatal(err)
	}
	return &plan.Plan{ID: "20261202T070000Z-c0ffee", Op: plan.OpUp, Created: time.Now().UTC(), Waves: waves}
}

// timeline records when each stack's operation started and ended.
type timeline struct {
	mu           sync.Mutex
	start, ended map[string]time.Time
}

type timed struct {
	*rollouttest.Sim
	tl *timeline
}

func (d timed) Run(ctx context.Context, op plan.Op, stack string, s runner.Stream) (outcome.Changes, error) {
	d.tl.mu.Lock()
	d.tl.start[stack] = time.Now()
	d.tl.mu.Unlock()
	ch, err := d.Sim.Run(ctx, op, stack, s)
	d.tl.mu.Lock()
	d.tl.ended[stack] = time.Now()
	d.tl.mu.Unlock()
	return ch, err
}

// runShared runs n runners of p at once over one store, each with its own
// simulated engine, and returns the state the board ends with and the
// engines.
func runShared(t *testing.T, store objstore.Store, p *plan.Plan, n int, fail map[string]outcome.Class) (*journal.State, []*rollouttest.Sim, *timeline) {
	t.Helper()
	ctx := context.Background()
	first, _ := shared.Open(store, p.ID, "")
	if err := first.CreatePlan(ctx, p); err != nil {
		t.Fatal(err)
	}
	tl := &timeline{start: map[string]time.Time{}, ended: map[string]time.Time{}}
	sims := make([]*rollouttest.Sim, n)
	var wg sync.WaitGroup
	for i := range n {
		sims[i] = &rollouttest.Sim{Latency: 20 * time.Millisecond, Fail: fail, Changes: outcome.Changes{Update: 1}}
		board, _ := shared.Open(store, p.ID, fmt.Sprintf("%dof%d", i+1, n))
		wg.Add(1)
		go func() {
			defer wg.Done()
			prior, err := board.State(ctx)
			if err != nil {
				t.Error(err)
				return
			}
			j := board.Journal(ctx)
			r := &runner.Runner{Deployer: timed{sims[i], tl}, Journal: j, Retry: runner.Retry{Attempts: 1},
				Shared: &shared.Runner{Board: board, Index: i + 1, Count: n, Poll: 5 * time.Millisecond}}
			if _, err := r.Run(ctx, p, prior); err != nil {
				t.Error(err)
			}
			if err := j.Close(); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	st, err := first.State(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return st, sims, tl
}

// TestThreeRunnersShareOneRollout: three runners finish the rollout one
// runner would: every stack once, by exactly one runner, and no stack of a
// wave starts before every stack of the wave before has ended.
func TestThreeRunnersShareOneRollout(t *testing.T) {
	p := sharedPlan(t, 0)
	st, sims, tl := runShared(t, &objstore.Mem{}, p, 3, nil)
	if settled, failed := shared.Settled(st, p.StackNames()); !settled || failed != 0 {
		t.Fatalf("settled=%v failed=%d: %v", settled, failed, st.Rows)
	}
	calls := 0
	for i, sim := range sims {
		for _, s := range p.StackNames() {
			calls += sim.Calls(s)
		}
		if len(sim.Starts()) == 0 {
			t.Errorf("runner %d ran nothing", i+1)
		}
	}
	if calls != 12 {
		t.Fatalf("%d operations, want 12 (each stack once)", calls)
	}
	var lastCanary time.Time
	for _, s := range p.Waves[0].Stacks {
		if e := tl.ended[s]; e.After(lastCanary) {
			lastCanary = e
		}
	}
	for _, s := range p.Waves[1].Stacks {
		if tl.start[s].Before(lastCanary) {
			t.Errorf("%s of wave 2 started before the canary ended", s)
		}
	}
}

// TestToleranceIsCountedOnce: two failures in one wave, run by different
// runners, halt a wave that tolerates one — though neither runner saw more
// than one itself — and every runner stops.
func TestToleranceIsCountedOnce(t *testing.T) {
	p := sharedPlan(t, 1)
	wave := p.Waves[1].Stacks
	// The first two stacks of wave 2 go to runners 1 and 2 of 3.
	fail := map[string]outcome.Class{wave[0]: outcome.ClassFailed, wave[1]: outcome.ClassFailed}
	st, _, _ := runShared(t, &objstore.Mem{}, p, 3, fail)
	if st.Status != outcome.StatusHalted || st.Reason == "" {
		t.Fatalf("status %s (%q), want halted", st.Status, st.Reason)
	}
	_, failed := shared.Settled(st, wave)
	if failed != 2 {
		t.Fatalf("%d failures on the board, want 2", failed)
	}
	// Within tolerance: one failure, the rollout goes on and fails at the end.
	p = sharedPlan(t, 1)
	p.ID = "20261202T070000Z-beef00"
	st, _, _ = runShared(t, &objstore.Mem{}, p, 3, map[string]outcome.Class{wave[0]: outcome.ClassFailed})
	if st.Status != outcome.StatusFailed {
		t.Fatalf("one failure within tolerance: %s (%s)", st.Status, st.Reason)
	}
}

// TestRunnersOnS3: the same over moto's S3.
func TestRunnersOnS3(t *testing.T) {
	p := sharedPlan(t, 0)
	st, _, _ := runShared(t, moto.Bucket(t, "s3://tenantctl-state/shared"), p, 2, nil)
	if st.Status != outcome.StatusSucceeded {
		t.Fatalf("status %s: %s", st.Status, st.Reason)
	}
}
