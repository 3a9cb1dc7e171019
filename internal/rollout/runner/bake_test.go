package runner_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tenantctl/tenantctl/internal/rollout/journal"
	"github.com/tenantctl/tenantctl/internal/rollout/outcome"
	"github.com/tenantctl/tenantctl/internal/rollout/plan"
	"github.com/tenantctl/tenantctl/internal/rollout/rollouttest"
	"github.com/tenantctl/tenantctl/internal/rollout/runner"
)

// gatedPlan is nine tenants in a canary of 1 and waves of 4 and 4, baking
// bake after each and gated by the alarms gate.
func gatedPlan(t *testing.T, bake time.Duration) *plan.Plan {
	p := newPlan(t, targets(9), plan.WaveOptions{Canary: 1, Waves: []plan.Quantity{{N: 50, Percent: true}, {N: 100, Percent: true}}})
	p.Bake, p.Gate = bake, "alarms"
	return p
}

type gated struct {
	mu     sync.Mutex
	events []runner.Progress
}

func (g *gated) observe(p runner.Progress) {
	g.mu.Lock()
	g.events = append(g.events, p)
	g.mu.Unlock()
}

func (g *gated) kinds(kind string) []runner.Progress {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []runner.Progress
	for _, e := range g.events {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

func runGated(t *testing.T, ctx context.Context, p *plan.Plan, j *journal.Journal, prior *journal.State, g *rollouttest.Gate, obs *gated) (*runner.Outcome, *rollouttest.Sim) {
	t.Helper()
	sim := &rollouttest.Sim{Latency: time.Millisecond}
	r := &runner.Runner{Deployer: sim, Journal: j, Retry: runner.Retry{Attempts: 1}, BakeTick: 10 * time.Millisecond, Observe: obs.observe}
	if g != nil {
		r.Gate = g
	}
	out, err := r.Run(ctx, p, prior)
	if err != nil {
		t.Fatal(err)
	}
	return out, sim
}

func TestEveryWaveBakesThenPassesItsGate(t *testing.T) {
	p := gatedPlan(t, 40*time.Millisecond)
	g := &rollouttest.Gate{}
	obs := &gated{}
	var buf bytes.Buffer
	start := time.Now()
	out, _ := runGated(t, context.Background(), p, journal.New(&buf), nil, g, obs)
	if out.Status != outcome.StatusSucceeded || len(out.Gates) != 3 {
		t.Fatalf("status %s, gates %+v", out.Status, out.Gates)
	}
	if took := time.Since(start); took < 3*40*time.Millisecond {
		t.Errorf("three bakes of 40ms took %s", took)
	}
	if got := fmt.Sprint(g.Checks()); got != "[[t000] [t001 t002 t003 t004] [t005 t006 t007 t008]]" {
		t.Errorf("the gate checked %s, want each wave's stacks", got)
	}
	bakes := obs.kinds("bake")
	if len(bakes) < 3 || bakes[0].Wave.Index != 1 || bakes[0].Left <= 0 || bakes[0].Left > 40*time.Millisecond {
		t.Errorf("bake progress %+v", bakes)
	}
	// In the journal each wave's bake and passed gate come before the next
	// wave's first start.
	recs := parse(t, buf.Bytes())
	var order []string
	for _, r := range recs {
		switch r.Type {
		case journal.RecBake, journal.RecGate:
			order = append(order, fmt.Sprintf("%s%d", r.Type, r.Wave))
		case journal.RecStart:
			if len(order) == 0 || order[len(order)-1] != fmt.Sprintf("start%d", r.Wave) {
				order = append(order, fmt.Sprintf("start%d", r.Wave))
			}
		}
	}
	if got := strings.Join(order, " "); got != "start1 bake1 gate1 start2 bake2 gate2 start3 bake3 gate3" {
		t.Errorf("journal order %s", got)
	}
	st := journal.Fold(recs)
	if len(st.Bakes) != 3 || len(st.GateChecks()) != 3 || !st.Gates[2].Passed {
		t.Errorf("folded bakes %v gates %+v", st.Bakes, st.GateChecks())
	}
}

func TestAnAlarmHaltsAtTheGateAndNamesTheWaveAndAlarm(t *testing.T) {
	p := gatedPlan(t, 0)
	g := &rollouttest.Gate{Firing: map[string][]string{"t003": {"saas-t003-5xx"}, "t007": {"saas-t007-5xx"}}}
	obs := &gated{}
	out, sim := runGated(t, context.Background(), p, journal.New(&bytes.Buffer{}), nil, g, obs)
	if out.Status != outcome.StatusHalted || !strings.Contains(out.Reason, "wave 2") || !strings.Contains(out.Reason, "saas-t003-5xx") {
		t.Fatalf("status %s, reason %q", out.Status, out.Reason)
	}
	if sim.Calls("t005") != 0 {
		t.Error("the wave after a halting gate ran")
	}
	last := out.Gates[len(out.Gates)-1]
	if len(out.Gates) != 2 || last.Passed || last.Wave != 2 || len(last.Alarms) != 1 || last.Alarms[0].Stack != "t003" {
		t.Errorf("gates %+v", out.Gates)
	}
	if len(obs.kinds("halt")) != 1 || len(obs.kinds("gate")) != 2 {
		t.Errorf("progress: %d halts, %d gate checks", len(obs.kinds("halt")), len(obs.kinds("gate")))
	}
}

func TestAGateThatCannotReadHalts(t *testing.T) {
	for name, g := range map[string]*rollouttest.Gate{
		"an error":    {Err: errors.New("NoCredentialProviders: no valid providers in chain")},
		"no gate set": nil,
	} {
		t.Run(name, func(t *testing.T) {
			out, sim := runGated(t, context.Background(), gatedPlan(t, 0), journal.New(&bytes.Buffer{}), nil, g, &gated{})
			if out.Status != outcome.StatusHalted || !strings.Contains(out.Reason, "could not read") || !strings.Contains(out.Reason, "canary") {
				t.Fatalf("status %s, reason %q", out.Status, out.Reason)
			}
			if sim.Calls("t001") != 0 || out.Gates[0].Error == "" {
				t.Errorf("went on past the canary: gates %+v", out.Gates)
			}
		})
	}
}

// A rollout halted at a gate is resumed: waves whose gate passed are not
// checked again, the halted wave's gate is, without baking again (its bake
// is over), and once its alarm cleared the rollout goes on; while the alarm
// still fires it halts again.
func TestResumeAfterAHaltAtTheGateChecksItAgain(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rollouts", "r.jsonl")
	j, err := journal.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	p := gatedPlan(t, 30*time.Millisecond)
	g := &rollouttest.Gate{Firing: map[string][]string{"t002": {"saas-t002-5xx"}}}
	out, _ := runGated(t, context.Background(), p, j, nil, g, &gated{})
	j.Close()
	if out.Status != outcome.StatusHalted {
		t.Fatalf("status %s", out.Status)
	}
	resume := func(firing map[string][]string) (*runner.Outcome, *rollouttest.Sim, *rollouttest.Gate, *gated) {
		recs, err := journal.Read(path)
		if err != nil {
			t.Fatal(err)
		}
		st := journal.Fold(recs)
		j, err := journal.Reopen(path)
		if err != nil {
			t.Fatal(err)
		}
		defer j.Close()
		g := &rollouttest.Gate{Firing: firing}
		obs := &gated{}
		out, sim := runGated(t, context.Background(), st.Plan, j, st, g, obs)
		return out, sim, g, obs
	}
	out, sim, g2, obs := resume(map[string][]string{"t002": {"saas-t002-5xx"}})
	if out.Status != outcome.StatusHalted || sim.Calls("t002") != 0 || fmt.Sprint(g2.Checks()) != "[[t001 t002 t003 t004]]" || len(obs.kinds("bake")) != 0 {
		t.Fatalf("still firing: status %s, checks %v, bakes %d", out.Status, g2.Checks(), len(obs.kinds("bake")))
	}
	out, sim, g3, _ := resume(nil)
	if out.Status != outcome.StatusSucceeded || sim.Calls("t001") != 0 || sim.Calls("t005") != 1 {
		t.Fatalf("cleared: status %s %s", out.Status, out.Reason)
	}
	if got := fmt.Sprint(g3.Checks()); got != "[[t001 t002 t003 t004] [t005 t006 t007 t008]]" {
		t.Errorf("checks after the alarm cleared: %s", got)
	}
}

// A run killed while baking: the journal holds the bake's end, so the resume
// bakes only what is left of it, then checks the gate.
func TestResumeBakesWhatIsLeftOfAJournaledBake(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rollouts", "r.jsonl")
	j, err := journal.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	p := gatedPlan(t, time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	obs := &gated{}
	sim := &rollouttest.Sim{Latency: time.Millisecond}
	r := &runner.Runner{Deployer: sim, Journal: j, Retry: runner.Retry{Attempts: 1}, BakeTick: time.Hour, Gate: &rollouttest.Gate{}, Observe: func(e runner.Progress) {
		if e.Kind == "bake" {
			cancel() // Ctrl-C (or a kill) as the canary bakes
		}
	}}
	out, err := r.Run(ctx, p, nil)
	j.Close()
	if err != nil || out.Status != outcome.StatusCancelled || !strings.Contains(out.Reason, "baking canary") {
		t.Fatalf("status %s %q %v", out.Status, out.Reason, err)
	}
	recs, err := journal.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	st := journal.Fold(recs)
	// As if the hour had almost passed since.
	st.Bakes[1] = time.Now().Add(20 * time.Millisecond)
	st.Plan.Bake = 0 // later waves need not bake for this test
	st.Plan.Gate = "alarms"
	j2, err := journal.Reopen(path)
	if err != nil {
		t.Fatal(err)
	}
	defer j2.Close()
	g := &rollouttest.Gate{}
	start := time.Now()
	out, sim = runGated(t, context.Background(), st.Plan, j2, st, g, obs)
	if out.Status != outcome.StatusSucceeded || sim.Calls("t000") != 0 || len(g.Checks()) != 3 {
		t.Fatalf("status %s %s, checks %v", out.Status, out.Reason, g.Checks())
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("the resume baked anew: %s", took)
	}
}
