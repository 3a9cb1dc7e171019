package rollback_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tenantctl/tenantctl/internal/rollout"
	"github.com/tenantctl/tenantctl/internal/rollout/journal"
	"github.com/tenantctl/tenantctl/internal/rollout/ledger"
	"github.com/tenantctl/tenantctl/internal/rollout/outcome"
	"github.com/tenantctl/tenantctl/internal/rollout/plan"
	"github.com/tenantctl/tenantctl/internal/rollout/rollback"
	"github.com/tenantctl/tenantctl/internal/rollout/rollouttest"
	"github.com/tenantctl/tenantctl/internal/rollout/runner"
)

// fleet is the platform, a canary of t0 and t1, then t2…t5 in one wave.
type fleet struct {
	state, dir, backend string
	n                   int
}

func newFleet(t *testing.T) *fleet {
	return &fleet{state: t.TempDir(), dir: t.TempDir(), backend: "file://" + t.TempDir()}
}

func (f *fleet) plan(t *testing.T, release string) *plan.Plan {
	t.Helper()
	ts := []plan.Target{{Stack: plan.PlatformStack, Rank: -1}}
	for i := range 6 {
		ts = append(ts, plan.Target{Stack: fmt.Sprintf("t%d", i)})
	}
	waves, err := plan.PlanWaves(ts, plan.WaveOptions{Canary: 2, Mode: plan.ModeSoft, MaxConcurrency: plan.Quantity{N: 1}})
	if err != nil {
		t.Fatal(err)
	}
	// Ids a second apart, as NewID's are.
	f.n++
	now := time.Date(2026, 11, 1, 12, 0, f.n, 0, time.UTC)
	return &plan.Plan{ID: plan.NewID(now), Op: plan.OpUp, Release: release, Created: now, Fleet: f.dir, Backend: f.backend, Waves: waves}
}

func (f *fleet) run(t *testing.T, p *plan.Plan, sim *rollouttest.Sim) {
	t.Helper()
	_, err := rollout.Execute(context.Background(), rollout.Request{Plan: p, StateDir: f.state, Attempts: 1}, rollout.Deps{
		NewDeployer: func(context.Context, runner.Programs, string) (runner.Deployer, error) { return sim, nil },
	})
	if err != nil {
		t.Fatal(err)
	}
}

func (f *fleet) journaled(t *testing.T, id string) *journal.State {
	t.Helper()
	path, _ := journal.Path(f.state, id)
	recs, err := journal.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	return journal.Fold(recs)
}

func (f *fleet) ledger(t *testing.T) *ledger.Ledger {
	t.Helper()
	l, err := ledger.Read(f.state)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// A rollout of b2 halts in its last wave; its rollback redeploys a1 on
// exactly the stacks it changed, last wave first and the platform last.
func TestRollbackRedeploysTheEarlierReleaseInReverseWaveOrder(t *testing.T) {
	f := newFleet(t)
	f.run(t, f.plan(t, "a1"), &rollouttest.Sim{})
	second := f.plan(t, "b2")
	f.run(t, second, &rollouttest.Sim{Fail: map[string]outcome.Class{"t3": outcome.ClassFailed}})

	l := f.ledger(t)
	if e, ok := l.Running("t2"); !ok || e.Release != "b2" || e.Rollout != second.ID {
		t.Fatalf("t2 runs %+v", e)
	}
	if e, ok := l.Running("t3"); !ok || e.Release != "a1" {
		t.Fatalf("t3, whose b2 deploy failed, runs %+v", e)
	}
	if last, _ := l.LastDeploy("t3"); last.Result != outcome.ResultFailed || last.Release != "b2" {
		t.Fatalf("t3's last deploy %+v", last)
	}
	if e, ok := l.Before("t2", second.ID); !ok || e.Release != "a1" {
		t.Fatalf("t2 before %s: %+v", second.ID, e)
	}

	rb, err := rollback.Plan(l, f.journaled(t, second.ID), "rb-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var waves []string
	for _, w := range rb.Waves {
		waves = append(waves, fmt.Sprintf("%s%v", w.Name, w.Stacks))
	}
	if got := strings.Join(waves, " "); got != "wave 3[t2] canary[t0 t1] platform[platform]" {
		t.Fatalf("rollback waves %s", got)
	}
	if rb.Op != plan.OpRollback || rb.RollbackOf != second.ID || rb.Release != "a1" || rb.ReleaseOf("t4") != "a1" {
		t.Fatalf("rollback plan %+v", rb)
	}
	sim := &rollouttest.Sim{}
	f.run(t, rb, sim)
	// t3 failed and t4, t5 never started (the wave halted): only what b2
	// changed goes back.
	want := "[{t2 a1} {t0 a1} {t1 a1} {platform a1}]"
	if got := fmt.Sprint(sim.Deploys()); got != want {
		t.Errorf("deployed %s, want %s", got, want)
	}
	if sim.Ops(plan.OpUp) != 4 || sim.Ops(plan.OpRollback) != 0 {
		t.Errorf("the engine ran %d ups and %d rollbacks; a rollback is an up", sim.Ops(plan.OpUp), sim.Ops(plan.OpRollback))
	}
	st := f.journaled(t, "rb-1")
	if st.Plan.Op != plan.OpRollback || st.Plan.RollbackOf != second.ID || st.Rows["t2"].Release != "a1" {
		t.Errorf("rollback journal: %+v %+v", st.Plan, st.Rows["t2"])
	}
	l = f.ledger(t)
	if e, _ := l.Running("t2"); e.Release != "a1" || e.Op != plan.OpRollback || e.RollbackOf != second.ID {
		t.Errorf("after the rollback t2 runs %+v", e)
	}

	// Rolling the same rollout back again, or the rollback itself, is refused.
	for id, msg := range map[string]string{
		second.ID: "deployed since by rollback rb-1",
		"rb-1":    "is itself a rollback",
	} {
		if _, err := rollback.Plan(l, f.journaled(t, id), "rb-2", time.Now()); !rollback.IsRefused(err) || !strings.Contains(err.Error(), msg) {
			t.Errorf("rollback of %s: %v, want %q", id, err, msg)
		}
	}
}

func TestRollbackRefusesWhatItCannotRestore(t *testing.T) {
	f := newFleet(t)
	first := f.plan(t, "a1")
	f.run(t, first, &rollouttest.Sim{})
	f.run(t, f.plan(t, ""), &rollouttest.Sim{})
	afterUnknown := f.plan(t, "c3")
	f.run(t, afterUnknown, &rollouttest.Sim{})
	nothing := f.plan(t, "d4")
	f.run(t, nothing, &rollouttest.Sim{Fail: map[string]outcome.Class{plan.PlatformStack: outcome.ClassFailed}})
	l := f.ledger(t)
	for id, msg := range map[string]string{
		first.ID:        "platform: no earlier release in the journals",
		afterUnknown.ID: "is unknown",
		nothing.ID:      "finished no stack",
	} {
		if _, err := rollback.Plan(l, f.journaled(t, id), "rb", time.Now()); !rollback.IsRefused(err) || !strings.Contains(err.Error(), msg) {
			t.Errorf("rollback of %s: %v, want %q", id, err, msg)
		}
	}
	if e, _ := l.Before("t0", afterUnknown.ID); e.Release != "unknown" {
		t.Errorf("a deploy without a release is recorded as %q", e.Release)
	}
}
