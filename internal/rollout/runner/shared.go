package runner

import (
	"context"

	"github.com/tenantctl/tenantctl/internal/rollout/journal"
	"github.com/tenantctl/tenantctl/internal/rollout/outcome"
	"github.com/tenantctl/tenantctl/internal/rollout/plan"
)

// Shared makes a Runner one of several runners of one rollout, each on a
// machine of its own (`--shard i/n` runners of a CI matrix); package shared
// implements it on the state backend's object store. Each runner runs its
// share of every wave; the failure tolerance counts every runner's failures;
// a halt by one halts all; and no runner starts a wave before every stack of
// the one before has a result, whoever ran it.
type Shared interface {
	// Mine reports whether this runner runs stack of wave w.
	Mine(w *plan.Wave, stack string) bool
	// Runners is how many runners share the rollout.
	Runners() int
	// Status is the wave's failures by every runner so far, and the reason
	// a runner halted the rollout with ("" while none did).
	Status(ctx context.Context, w *plan.Wave) (failures int, halted string, err error)
	// Halt halts every runner; the reason that stands (the first) is returned.
	Halt(ctx context.Context, reason string) (string, error)
	// Barrier waits until every stack of w has a result, or a runner halted
	// the rollout, and returns the rows every runner left.
	Barrier(ctx context.Context, w *plan.Wave) (rows map[string]*outcome.Row, halted string, err error)
}

// mine reports whether this runner runs stack: every stack without Shared.
func (r *Runner) mine(w *plan.Wave, stack string) bool {
	return r.Shared == nil || r.Shared.Mine(w, stack)
}

// share is this runner's part of a wave's concurrency limit: the limit
// spread over the runners, at least one each.
func (r *Runner) share(limit int) int {
	if r.Shared == nil || limit <= 0 {
		return limit
	}
	n := r.Shared.Runners()
	return max(1, (limit+n-1)/n)
}

// ownPrior is the part of a resumed rollout's state this runner resumes: the
// stacks of its share. Other runners' stacks may be running right now, so
// their engine locks are never this runner's to clear.
func (r *Runner) ownPrior(p *plan.Plan, prior *journal.State) *journal.State {
	if r.Shared == nil {
		return prior
	}
	own := *prior
	own.Rows = map[string]*outcome.Row{}
	for i := range p.Waves {
		w := &p.Waves[i]
		for _, s := range w.Stacks {
			if row, ok := prior.Rows[s]; ok && r.mine(w, s) {
				own.Rows[s] = row
			}
		}
	}
	return &own
}
