// Package rollout drives one run of an operation over a fleet's stacks. Execute
// owns the run: it takes the rollout lock, sets the engine up, opens the
// journal, lays the state directory out, runs the plan's waves and reports
// the outcome. What it runs is decided by package plan; package journal keeps
// the records and the lock, package runner runs the waves, package report
// renders the result, and package outcome holds where stacks end up.
package rollout

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/tenantctl/tenantctl/internal/rollout/gate"
	"github.com/tenantctl/tenantctl/internal/rollout/journal"
	"github.com/tenantctl/tenantctl/internal/rollout/outcome"
	"github.com/tenantctl/tenantctl/internal/rollout/plan"
	"github.com/tenantctl/tenantctl/internal/rollout/report"
	"github.com/tenantctl/tenantctl/internal/rollout/runner"
)

// Request is one run of a rollout: what it runs and how each stack may run.
type Request struct {
	// Plan is the rollout: a new one, or the journaled one on resume.
	Plan *plan.Plan
	// Prior is the state the journal shows an earlier run left (resume): its
	// succeeded stacks do not run again and the journal is appended to. Nil
	// for a new rollout, whose journal is created.
	Prior *journal.State
	// StateDir holds what the run leaves: the journal (rollouts/<id>.jsonl),
	// the engine logs (rollouts/<id>/<stack>.log) and the engine's workspaces
	// (workspaces/).
	StateDir string
	// Attempts bounds the runs of one stack's operation; only transient
	// errors are retried, backing off as runner.DefaultRetry does (0 or 1: no
	// retries).
	Attempts int
	// StackTimeout bounds one attempt on one stack (0: no bound).
	StackTimeout time.Duration
	// BakeTick is how often a baking wave reports the time left
	// (runner.DefaultBakeTick when 0).
	BakeTick time.Duration
	// Shared, when set, keeps the rollout in the state backend's object store
	// and makes this process runner Index of Count (see SharedRun); the
	// local journal and lock are not used.
	Shared *SharedRun
}

// Deps are what Execute is given to run with: the stacks' programs, the
// engine, and who is told how the run goes.
type Deps struct {
	// Programs gives the stacks' programs and configuration. It is called
	// only when the plan has stacks, before the lock is taken, so a fleet
	// whose programs cannot be built (a malformed secret) fails without
	// waiting on anyone and an empty rollout needs none. Nil: no programs.
	Programs func() (runner.Programs, error)
	// NewDeployer sets the engine up (its workspaces under workRoot). It runs
	// under the lock and before the journal exists, so an engine that cannot
	// start leaves no journal behind.
	NewDeployer func(ctx context.Context, progs runner.Programs, workRoot string) (runner.Deployer, error)
	// Begin is told where the journal and the engine logs are, once the
	// journal is open and before any stack runs. Nil: not told.
	Begin func(journalPath, logDir string)
	// Observe is told of the run's progress, one event at a time. Nil ignores it.
	Observe func(runner.Progress)
	// Gate is the gate the plan names (Plan.Gate), checked after each wave
	// has baked. Nil with a plan that names one halts the rollout at its
	// first gate: a gate is never passed for want of one.
	Gate gate.Gate
}

// JournalError says the journal could not be written during the run: the
// rollout halted at once, since no stack may run unrecorded, and the report
// Execute returns with it says what did run.
type JournalError struct {
	Path string
	Err  error
}

func (e *JournalError) Error() string {
	return fmt.Sprintf("the journal %s could not be written, so no stack was started after the failure: %v", e.Path, e.Err)
}

func (e *JournalError) Unwrap() error { return e.Err }

// LogDir is where the engine logs of rollout id go under the state directory.
func LogDir(stateDir, id string) string { return filepath.Join(stateDir, "rollouts", id) }

// WorkRoot is where the engine's per-stack workspaces go under the state directory.
func WorkRoot(stateDir string) string { return filepath.Join(stateDir, "workspaces") }

// Execute runs req.Plan under the rollout lock and reports it. A plan without
// stacks is reported at once, with nothing locked, set up or journaled.
//
// The errors are typed for the caller to tell apart: a *journal.LockedError
// when another rollout holds the lock, runner.ErrStacksLocked (wrapped) when
// a resume finds engine locks it may not clear, and a *JournalError, with the
// report, when the journal failed mid-run; whatever Deps.Programs and
// Deps.NewDeployer return comes back as it is. How the stacks went (halted,
// cancelled, failed, drifted) is the report's, not an error.
func Execute(ctx context.Context, req Request, deps Deps) (*report.Report, error) {
	p := req.Plan
	if p.Stacks() == 0 {
		return report.New(p, outcome.StatusSucceeded, "", nil, p.Created, time.Now()), nil
	}
	var progs runner.Programs
	if deps.Programs != nil {
		var err error
		if progs, err = deps.Programs(); err != nil {
			return nil, err
		}
	}
	if req.Shared != nil {
		return executeShared(ctx, req, deps, progs)
	}
	lock, err := acquire(p)
	if err != nil {
		return nil, err
	}
	defer lock.Release()

	dep, err := deps.NewDeployer(ctx, progs, WorkRoot(req.StateDir))
	if err != nil {
		return nil, err
	}
	path, err := journal.Path(req.StateDir, p.ID)
	if err != nil {
		return nil, err
	}
	open := journal.Create
	if req.Prior != nil {
		open = journal.Reopen
	}
	jl, err := open(path)
	if err != nil {
		return nil, err
	}
	defer jl.Close()
	return run(ctx, req, deps, dep, jl, path, nil)
}

// run runs the plan once the lock is held, the engine set up and the
// journal open, and reports it.
func run(ctx context.Context, req Request, deps Deps, dep runner.Deployer, jl *journal.Journal, path string, sh runner.Shared) (*report.Report, error) {
	p := req.Plan
	logDir := LogDir(req.StateDir, p.ID)
	if deps.Begin != nil {
		deps.Begin(path, logDir)
	}
	r := &runner.Runner{
		Deployer: dep, Journal: jl, Logs: runner.FileLogs(logDir), Observe: deps.Observe, StackTimeout: req.StackTimeout,
		Retry: runner.Retry{Attempts: req.Attempts, Base: runner.DefaultRetry.Base, Max: runner.DefaultRetry.Max},
		Gate:  deps.Gate, BakeTick: req.BakeTick, Shared: sh,
	}
	started := time.Now()
	out, err := r.Run(ctx, p, req.Prior)
	if out == nil {
		return nil, err
	}
	rep := report.New(p, out.Status, out.Reason, out.Rows, started, time.Now())
	rep.Journal, rep.Logs, rep.Gates = path, logDir, out.Gates
	if err != nil {
		return rep, &JournalError{Path: path, Err: err}
	}
	return rep, nil
}

// acquire takes the lock of the plan's fleet and backend: the flags' for a
// new rollout, the journal's on resume.
func acquire(p *plan.Plan) (*journal.Lock, error) {
	path, err := journal.LockPath(p.Backend, p.Fleet)
	if err != nil {
		return nil, err
	}
	host, _ := os.Hostname()
	return journal.Acquire(path, journal.LockInfo{
		Rollout: p.ID, PID: os.Getpid(), Host: host, Started: time.Now().UTC(), Backend: p.Backend, Fleet: p.Fleet})
}
