package rollout_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tenantctl/tenantctl/internal/rollout"
	"github.com/tenantctl/tenantctl/internal/rollout/journal"
	"github.com/tenantctl/tenantctl/internal/rollout/outcome"
	"github.com/tenantctl/tenantctl/internal/rollout/plan"
	"github.com/tenantctl/tenantctl/internal/rollout/rollouttest"
	"github.com/tenantctl/tenantctl/internal/rollout/runner"
)

// newPlan plans stacks s0…s<n-1> in one wave, two at a time, of a fleet
// directory and a file backend of their own.
func newPlan(t *testing.T, n int) *plan.Plan {
	t.Helper()
	var ts []plan.Target
	for i := range n {
		ts = append(ts, plan.Target{Stack: fmt.Sprintf("s%d", i)})
	}
	waves, err := plan.PlanWaves(ts, plan.WaveOptions{Mode: plan.ModeSoft, MaxConcurrency: plan.Quantity{N: 2}})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	return &plan.Plan{ID: plan.NewID(now), Op: plan.OpUp, Created: now.UTC(), Fleet: t.TempDir(), Backend: "file://" + t.TempDir(), Waves: waves}
}

// with runs requests against the simulated engine and records what Execute
// asked of its dependencies.
type with struct {
	sim                      *rollouttest.Sim
	programs, deployers      int
	workRoot, begun, logsDir string
	events                   []string
}

func (w *with) deps() rollout.Deps {
	return rollout.Deps{
		Programs: func() (runner.Programs, error) { w.programs++; return nil, nil },
		NewDeployer: func(_ context.Context, _ runner.Programs, workRoot string) (runner.Deployer, error) {
			w.deployers++
			w.workRoot = workRoot
			return w.sim, nil
		},
		Begin:   func(journalPath, logDir string) { w.begun, w.logsDir = journalPath, logDir },
		Observe: func(p runner.Progress) { w.events = append(w.events, p.Kind) },
	}
}

func TestExecuteReportsAnEmptyPlanAndTouchesNothing(t *testing.T) {
	state := t.TempDir()
	p := newPlan(t, 0)
	p.Skipped = []plan.Skip{{Stack: "zeta", Reason: "suspended"}}
	w := &with{sim: &rollouttest.Sim{}}
	rep, err := rollout.Execute(context.Background(), rollout.Request{Plan: p, StateDir: state}, w.deps())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Status != outcome.StatusSucceeded || rep.Totals.Stacks != 0 || rep.Totals.Skipped != 1 || rep.Journal != "" {
		t.Errorf("report %+v", rep)
	}
	if w.programs+w.deployers != 0 || w.begun != "" {
		t.Errorf("an empty plan built %d programs and %d deployers, begun %q", w.programs, w.deployers, w.begun)
	}
	if entries, _ := os.ReadDir(state); len(entries) != 0 {
		t.Errorf("an empty plan left %d entries in the state directory", len(entries))
	}
}

func TestExecuteRefusesAHeldLockAndJournalsNothing(t *testing.T) {
	state := t.TempDir()
	p := newPlan(t, 3)
	path, err := journal.LockPath(p.Backend, p.Fleet)
	if err != nil {
		t.Fatal(err)
	}
	held, err := journal.Acquire(path, journal.LockInfo{Rollout: "first", PID: os.Getpid()})
	if err != nil {
		t.Fatal(err)
	}
	defer held.Release()
	w := &with{sim: &rollouttest.Sim{}}
	rep, err := rollout.Execute(context.Background(), rollout.Request{Plan: p, StateDir: state}, w.deps())
	var locked *journal.LockedError
	if !errors.As(err, &locked) || locked.Holder.Rollout != "first" || rep != nil {
		t.Fatalf("Execute under a held lock: %v, report %v; want a *journal.LockedError naming the holder", err, rep)
	}
	if w.deployers != 0 || len(w.sim.Starts()) != 0 {
		t.Errorf("%d deployers built, %d stacks ran under another's lock", w.deployers, len(w.sim.Starts()))
	}
	if j, _ := journal.Path(state, p.ID); fileExists(j) {
		t.Errorf("a refused rollout left a journal %s", j)
	}
}

func TestExecuteLeavesNoJournalWhenTheEngineCannotStart(t *testing.T) {
	state := t.TempDir()
	p := newPlan(t, 3)
	broken := errors.New("the Pulumi CLI is not usable on PATH")
	deps := (&with{}).deps()
	deps.NewDeployer = func(context.Context, runner.Programs, string) (runner.Deployer, error) { return nil, broken }
	if _, err := rollout.Execute(context.Background(), rollout.Request{Plan: p, StateDir: state}, deps); !errors.Is(err, broken) {
		t.Fatalf("Execute: %v, want the deployer's error", err)
	}
	if j, _ := journal.Path(state, p.ID); fileExists(j) {
		t.Errorf("a failed engine setup left a journal %s", j)
	}
	// The lock is free again.
	path, _ := journal.LockPath(p.Backend, p.Fleet)
	l, err := journal.Acquire(path, journal.LockInfo{Rollout: "next"})
	if err != nil {
		t.Fatalf("the lock after a failed setup: %v", err)
	}
	l.Release()
}

func TestExecuteRunsAndReportsWhereItsRecordsAre(t *testing.T) {
	state := t.TempDir()
	p := newPlan(t, 5)
	w := &with{sim: &rollouttest.Sim{Changes: outcome.Changes{Create: 1}}}
	rep, err := rollout.Execute(context.Background(), rollout.Request{Plan: p, StateDir: state, Attempts: 1}, w.deps())
	if err != nil {
		t.Fatal(err)
	}
	wantJournal := filepath.Join(state, "rollouts", p.ID+".jsonl")
	wantLogs := filepath.Join(state, "rollouts", p.ID)
	if rep.Status != outcome.StatusSucceeded || rep.Totals.Succeeded != 5 || rep.Totals.Changed != 5 {
		t.Errorf("report %s %+v", rep.Status, rep.Totals)
	}
	if rep.Journal != wantJournal || rep.Logs != wantLogs || w.begun != wantJournal || w.logsDir != wantLogs {
		t.Errorf("journal %s and logs %s (begun with %s, %s); want %s and %s", rep.Journal, rep.Logs, w.begun, w.logsDir, wantJournal, wantLogs)
	}
	if w.workRoot != filepath.Join(state, "workspaces") || w.programs != 1 || w.deployers != 1 {
		t.Errorf("work root %s, %d programs, %d deployers", w.workRoot, w.programs, w.deployers)
	}
	if len(w.events) == 0 || w.events[len(w.events)-1] != "end" {
		t.Errorf("progress events %v, want them ending with end", w.events)
	}
	recs, err := journal.Read(wantJournal)
	if err != nil {
		t.Fatal(err)
	}
	if st := journal.Fold(recs); st.Status != outcome.StatusSucceeded || len(st.Succeeded()) != 5 {
		t.Errorf("journal: %s, %d succeeded", st.Status, len(st.Succeeded()))
	}
	if data, err := os.ReadFile(filepath.Join(wantLogs, "s3.log")); err != nil || !strings.Contains(string(data), "up s3: attempt 1") {
		t.Errorf("engine log of s3: %q %v", data, err)
	}
}

func TestExecuteResumesFromThePriorState(t *testing.T) {
	state := t.TempDir()
	p := newPlan(t, 4)
	failing := &with{sim: &rollouttest.Sim{Fail: map[string]outcome.Class{"s2": outcome.ClassFailed}}}
	rep, err := rollout.Execute(context.Background(), rollout.Request{Plan: p, StateDir: state}, failing.deps())
	if err != nil || rep.Status != outcome.StatusHalted {
		t.Fatalf("first run: %v, %v", rep, err)
	}
	recs, err := journal.Read(rep.Journal)
	if err != nil {
		t.Fatal(err)
	}
	prior := journal.Fold(recs)
	fixed := &with{sim: &rollouttest.Sim{}}
	rep, err = rollout.Execute(context.Background(), rollout.Request{Plan: prior.Plan, Prior: prior, StateDir: state}, fixed.deps())
	if err != nil || rep.Status != outcome.StatusSucceeded || rep.Totals.Succeeded != 4 {
		t.Fatalf("resume: %v, %v", rep, err)
	}
	for s, ran := range prior.Succeeded() {
		if ran && fixed.sim.Calls(s) != 0 {
			t.Errorf("%s succeeded before and ran again", s)
		}
	}
	if fixed.sim.Calls("s2") != 1 {
		t.Errorf("s2 ran %d times on resume, want 1", fixed.sim.Calls("s2"))
	}
	recs, _ = journal.Read(rep.Journal)
	if st := journal.Fold(recs); st.Runs != 2 || st.Status != outcome.StatusSucceeded {
		t.Errorf("journal after resume: %d runs, %s", st.Runs, st.Status)
	}
}

// lockedEngine finds every interrupted stack's engine lock held by a live process.
type lockedEngine struct{ rollouttest.Sim }

func (*lockedEngine) ClearStaleLocks(context.Context, map[string]time.Time) ([]string, error) {
	return nil, fmt.Errorf("stack s1 is locked by a live pulumi: %w", runner.ErrStacksLocked)
}

func TestExecuteResumeRefusedByEngineLocks(t *testing.T) {
	state := t.TempDir()
	p := newPlan(t, 2)
	path, _ := journal.Path(state, p.ID)
	j, err := journal.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	_ = j.Append(journal.Record{Type: journal.RecPlan, Plan: p})
	_ = j.Append(journal.Record{Type: journal.RecStart, Wave: 1, Stack: "s1"}) // then the process died
	j.Close()
	recs, _ := journal.Read(path)
	prior := journal.Fold(recs)
	eng := &lockedEngine{}
	deps := (&with{}).deps()
	deps.NewDeployer = func(context.Context, runner.Programs, string) (runner.Deployer, error) { return eng, nil }
	rep, err := rollout.Execute(context.Background(), rollout.Request{Plan: p, Prior: prior, StateDir: state}, deps)
	if !errors.Is(err, runner.ErrStacksLocked) || rep != nil {
		t.Fatalf("Execute: %v, report %v; want ErrStacksLocked and no report", err, rep)
	}
	if len(eng.Starts()) != 0 {
		t.Errorf("stacks ran: %v", eng.Starts())
	}
	if recs, _ := journal.Read(path); journal.Fold(recs).Runs != 1 {
		t.Error("a refused resume journaled a run")
	}
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }
