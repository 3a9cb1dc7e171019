package rollout

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/tenantctl/tenantctl/internal/objstore"
	"github.com/tenantctl/tenantctl/internal/rollout/journal"
	"github.com/tenantctl/tenantctl/internal/rollout/outcome"
	"github.com/tenantctl/tenantctl/internal/rollout/report"
	"github.com/tenantctl/tenantctl/internal/rollout/runner"
	"github.com/tenantctl/tenantctl/internal/rollout/shared"
)

// SharedRun is one runner of a rollout kept in the state backend's object
// store (an S3 backend): the plan, the journal and the lock are there, so
// runners on many machines share one rollout (package shared).
type SharedRun struct {
	Store objstore.Store
	// Index and Count: runner i of n (1 of 1 for a rollout on one machine).
	Index, Count int
	// Where names the store for people ("s3://bucket/path/.tenantctl").
	Where string
	// Poll is how often a runner at a wave's end reads the board.
	Poll time.Duration
}

// executeShared is Execute for a shared rollout. A new rollout (no Prior)
// puts its plan on the board first; a runner joining one reads its state
// there (Prior). The backend's rollout lock is joined by the runners of one
// rollout; the runner whose end mark stands gives it up.
func executeShared(ctx context.Context, req Request, deps Deps, progs runner.Programs) (*report.Report, error) {
	p, sh := req.Plan, req.Shared
	if err := shared.CheckShard(sh.Index, sh.Count); err != nil {
		return nil, err
	}
	host, _ := os.Hostname()
	lock, err := shared.Acquire(ctx, sh.Store, journal.LockInfo{
		Rollout: p.ID, PID: os.Getpid(), Host: host, Started: time.Now().UTC(), Backend: p.Backend, Fleet: p.Fleet})
	if err != nil {
		return nil, err
	}
	board, err := shared.Open(sh.Store, p.ID, fmt.Sprintf("%dof%d", sh.Index, sh.Count))
	if err != nil {
		return nil, err
	}
	dep, err := deps.NewDeployer(ctx, progs, WorkRoot(req.StateDir))
	if err != nil {
		return nil, err
	}
	if req.Prior == nil {
		if err := board.CreatePlan(ctx, p); err != nil {
			return nil, err
		}
		// The runner appends a resume record: the plan record is the board's.
		if req.Prior, err = board.State(ctx); err != nil {
			return nil, err
		}
	}
	jl := board.Journal(ctx)
	path := fmt.Sprintf("%s/rollouts/%s/", sh.Where, p.ID)
	rep, err := run(ctx, req, deps, dep, jl, path, &shared.Runner{Board: board, Index: sh.Index, Count: sh.Count, Poll: sh.Poll})
	if cerr := jl.Close(); cerr != nil && err == nil {
		err = &JournalError{Path: path, Err: cerr}
	}
	if rep != nil && rep.Status != outcome.StatusCancelled && rep.Status != outcome.StatusIncomplete {
		// Every runner has passed the last barrier (or the rollout halted):
		// the rollout has ended, and one runner gives the lock up.
		if last, ferr := board.Finish(context.WithoutCancel(ctx), rep.Status); ferr == nil && last {
			err = errors.Join(err, lock.Release(context.WithoutCancel(ctx)))
		}
	}
	return rep, err
}
