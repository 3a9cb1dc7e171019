package shared

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/tenantctl/tenantctl/internal/rollout/outcome"
	"github.com/tenantctl/tenantctl/internal/rollout/plan"
)

// Runner is runner i of n of a shared rollout (it implements runner.Shared):
// it runs every n-th stack of each wave from the i-th, reads the others'
// failures and halts from the board, and waits at the end of each wave
// until every stack of it has a result.
type Runner struct {
	Board *Board
	// Index (1-based) and Count say which runner of how many this is.
	Index, Count int
	// Poll is how often the barrier reads the board (DefaultPoll when 0).
	Poll time.Duration
}

// DefaultPoll is how often a runner waiting at a wave's end reads the board:
// a List and the new batches, cheap beside stacks of minutes.
const DefaultPoll = 2 * time.Second

// Mine implements runner.Shared.
func (r *Runner) Mine(w *plan.Wave, stack string) bool {
	k := slices.Index(w.Stacks, stack)
	return k >= 0 && k%r.Count == r.Index-1
}

// Runners implements runner.Shared.
func (r *Runner) Runners() int { return r.Count }

// Status implements runner.Shared: the failures of the wave's stacks the
// other runners ran, and the standing halt.
func (r *Runner) Status(ctx context.Context, w *plan.Wave) (int, string, error) {
	if reason, ok, err := r.Board.Halted(ctx); err != nil || ok {
		return 0, reason, err
	}
	st, err := r.Board.State(ctx)
	if err != nil {
		return 0, "", err
	}
	var theirs []string
	for _, s := range w.Stacks {
		if !r.Mine(w, s) {
			theirs = append(theirs, s)
		}
	}
	_, failed := Settled(st, theirs)
	return failed, "", nil
}

// Halt implements runner.Shared.
func (r *Runner) Halt(ctx context.Context, reason string) (string, error) {
	return r.Board.Halt(ctx, reason)
}

// Barrier implements runner.Shared.
func (r *Runner) Barrier(ctx context.Context, w *plan.Wave) (map[string]*outcome.Row, string, error) {
	poll := r.Poll
	if poll <= 0 {
		poll = DefaultPoll
	}
	halted, err := r.Board.Barrier(ctx, w.Stacks, poll)
	if err != nil {
		return nil, "", err
	}
	st, err := r.Board.State(ctx)
	if err != nil {
		return nil, "", err
	}
	return st.Rows, halted, nil
}

// CheckShard refuses a runner index and count no plan can be split by.
func CheckShard(i, n int) error {
	if n < 1 || i < 1 || i > n {
		return fmt.Errorf("runner %d of %d: want 1 ≤ i ≤ n", i, n)
	}
	return nil
}
