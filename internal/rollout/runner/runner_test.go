package runner_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
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

// targets makes n tenant targets t000…, ranks cycling over tiers 0..3.
func targets(n int) []plan.Target {
	out := make([]plan.Target, n)
	for i := range out {
		out[i] = plan.Target{Stack: fmt.Sprintf("t%03d", i), Rank: 0}
	}
	return out
}

func newPlan(t testing.TB, ts []plan.Target, o plan.WaveOptions) *plan.Plan {
	t.Helper()
	if o.Mode == "" {
		o.Mode = plan.ModeSoft
	}
	if o.MaxConcurrency.N == 0 {
		o.MaxConcurrency = plan.Quantity{N: 4}
	}
	waves, err := plan.PlanWaves(ts, o)
	if err != nil {
		t.Fatal(err)
	}
	return &plan.Plan{ID: "test", Op: plan.OpUp, Waves: waves}
}

func runPlan(t testing.TB, ctx context.Context, sim *rollouttest.Sim, p *plan.Plan, j *journal.Journal, prior *journal.State) *runner.Outcome {
	t.Helper()
	if j == nil {
		j = journal.New(&bytes.Buffer{})
	}
	r := &runner.Runner{Deployer: sim, Journal: j, Retry: runner.Retry{Attempts: 3, Base: time.Millisecond, Max: 4 * time.Millisecond}}
	out, err := r.Run(ctx, p, prior)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func count(rows []outcome.Row, res outcome.Result) int {
	n := 0
	for _, r := range rows {
		if r.Result == res {
			n++
		}
	}
	return n
}

func TestWavesRunInOrderAndOneAfterAnother(t *testing.T) {
	ts := append([]plan.Target{{Stack: plan.PlatformStack, Rank: -1}}, targets(10)...)
	p := newPlan(t, ts, plan.WaveOptions{Canary: 2, Waves: []plan.Quantity{{N: 50, Percent: true}, {N: 100, Percent: true}}, MaxConcurrency: plan.Quantity{N: 1}})
	var names []string
	var sizes []int
	for _, w := range p.Waves {
		names, sizes = append(names, w.Name), append(sizes, len(w.Stacks))
	}
	if got := fmt.Sprint(names, sizes); got != "[platform canary wave 3 wave 4] [1 2 4 4]" {
		t.Fatalf("waves %s, want platform, canary of 2, then 50%% (4 of 8) and the rest", got)
	}
	var buf bytes.Buffer
	sim := &rollouttest.Sim{Latency: time.Millisecond}
	out := runPlan(t, context.Background(), sim, p, journal.New(&buf), nil)
	if out.Status != outcome.StatusSucceeded || count(out.Rows, outcome.ResultSucceeded) != 11 {
		t.Fatalf("status %s, %d succeeded", out.Status, count(out.Rows, outcome.ResultSucceeded))
	}
	want := []string{"platform", "t000", "t001", "t002", "t003", "t004", "t005", "t006", "t007", "t008", "t009"}
	if got := sim.Starts(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("start order %v, want %v", got, want)
	}
	// In the journal, every result of a wave comes before the next wave's first start.
	recs := parse(t, buf.Bytes())
	lastResult := map[int]int{}
	firstStart := map[int]int{}
	for i, r := range recs {
		if r.Type == journal.RecResult {
			lastResult[r.Wave] = i
		}
		if _, ok := firstStart[r.Wave]; r.Type == journal.RecStart && !ok {
			firstStart[r.Wave] = i
		}
	}
	for w := 2; w <= 4; w++ {
		if firstStart[w] < lastResult[w-1] {
			t.Errorf("wave %d started (record %d) before wave %d finished (record %d)", w, firstStart[w], w-1, lastResult[w-1])
		}
	}
}

func parse(t testing.TB, data []byte) []journal.Record {
	t.Helper()
	path := filepath.Join(t.TempDir(), "j.jsonl")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	recs, err := journal.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestPeakConcurrencyNeverAboveTheBound(t *testing.T) {
	for _, tc := range []struct {
		max  plan.Quantity
		n    int
		want int
	}{
		{plan.Quantity{N: 5}, 20, 5},
		{plan.Quantity{N: 25, Percent: true}, 20, 5}, // 25% of 20
		{plan.Quantity{N: 10, Percent: true}, 5, 1},  // floor(0.5) is 0: at least 1
	} {
		sim := &rollouttest.Sim{Latency: 60 * time.Millisecond}
		p := newPlan(t, targets(tc.n), plan.WaveOptions{MaxConcurrency: tc.max})
		out := runPlan(t, context.Background(), sim, p, nil, nil)
		if out.Status != outcome.StatusSucceeded {
			t.Fatalf("%s: %s", tc.max, out.Status)
		}
		if p.Waves[0].MaxConcurrency != tc.want {
			t.Errorf("--max-concurrency %s of %d resolved to %d, want %d", tc.max, tc.n, p.Waves[0].MaxConcurrency, tc.want)
		}
		if sim.Peak() > tc.want {
			t.Errorf("--max-concurrency %s: peak %d above the bound %d", tc.max, sim.Peak(), tc.want)
		}
		if sim.Peak() < 1 {
			t.Errorf("nothing ran")
		}
	}
}

func failing(ids ...string) map[string]outcome.Class {
	m := map[string]outcome.Class{}
	for _, id := range ids {
		m[id] = outcome.ClassFailed
	}
	return m
}

// Strict mode: concurrency is min(max, tolerance+1-failures), so the wave halts
// with exactly tolerance+1 failures however many stacks would fail.
func TestStrictToleranceHaltsAtExactlyTolerancePlusOne(t *testing.T) {
	sim := &rollouttest.Sim{Latency: 5 * time.Millisecond, Fail: failing("t001", "t003", "t004", "t006", "t007", "t008")}
	p := newPlan(t, targets(10), plan.WaveOptions{Mode: plan.ModeStrict, MaxConcurrency: plan.Quantity{N: 10}, Tolerance: plan.Quantity{N: 2}})
	out := runPlan(t, context.Background(), sim, p, nil, nil)
	if out.Status != outcome.StatusHalted {
		t.Fatalf("status %s, want halted", out.Status)
	}
	if f := count(out.Rows, outcome.ResultFailed); f != 3 {
		t.Errorf("%d failed, want exactly tolerance+1 = 3", f)
	}
	if sim.Peak() > 3 {
		t.Errorf("peak %d: strict mode with tolerance 2 runs at most 3 at once", sim.Peak())
	}
	if ns := count(out.Rows, outcome.ResultNotStarted); ns == 0 {
		t.Error("a halted wave started everything")
	}
	if !strings.Contains(out.Reason, "3 stacks failed, over its failure tolerance of 2") {
		t.Errorf("reason %q", out.Reason)
	}
}

// Soft mode: concurrency stays at the maximum, so more than tolerance+1 stacks
// may fail (all that were running), and the wave still halts.
func TestSoftToleranceKeepsConcurrency(t *testing.T) {
	// The six failing stacks fail fast, while the others take long: all six
	// failures land while the first ten still run.
	fast := map[string]time.Duration{}
	for _, id := range []string{"t000", "t001", "t002", "t003", "t004", "t005"} {
		fast[id] = 50 * time.Millisecond
	}
	sim := &rollouttest.Sim{Latency: 400 * time.Millisecond, PerStack: fast, Fail: failing("t000", "t001", "t002", "t003", "t004", "t005")}
	p := newPlan(t, targets(20), plan.WaveOptions{Mode: plan.ModeSoft, MaxConcurrency: plan.Quantity{N: 10}, Tolerance: plan.Quantity{N: 10, Percent: true}})
	if p.Waves[0].Tolerance != 2 {
		t.Fatalf("10%% of 20 resolved to %d, want 2", p.Waves[0].Tolerance)
	}
	out := runPlan(t, context.Background(), sim, p, nil, nil)
	if out.Status != outcome.StatusHalted {
		t.Fatalf("status %s, want halted", out.Status)
	}
	// The first ten start together; failures 1 and 2 are within tolerance and
	// each frees a slot that soft mode refills (t010, t011); failure 3 halts.
	// The other three failures were already running: 6 fail, over tolerance+1.
	if f := count(out.Rows, outcome.ResultFailed); f != 6 {
		t.Errorf("%d failed, want 6 (every failing stack of the first ten running at once)", f)
	}
	if s := count(out.Rows, outcome.ResultSucceeded); s != 6 {
		t.Errorf("%d succeeded, want 4 first ones + 2 refills", s)
	}
	if ns := count(out.Rows, outcome.ResultNotStarted); ns != 8 {
		t.Errorf("%d not started, want 8", ns)
	}
	if sim.Peak() != 10 {
		t.Errorf("peak %d, want soft mode to keep 10 running", sim.Peak())
	}
}

// Within tolerance the rollout goes on to the next wave and ends "failed".
func TestFailuresWithinToleranceContinue(t *testing.T) {
	for _, mode := range []plan.Mode{plan.ModeStrict, plan.ModeSoft} {
		sim := &rollouttest.Sim{Latency: time.Millisecond, Fail: failing("t002", "t005")}
		p := newPlan(t, targets(10), plan.WaveOptions{Mode: mode, Canary: 0, Waves: []plan.Quantity{{N: 6}, {N: 100, Percent: true}}, MaxConcurrency: plan.Quantity{N: 4}, Tolerance: plan.Quantity{N: 2}})
		out := runPlan(t, context.Background(), sim, p, nil, nil)
		if out.Status != outcome.StatusFailed {
			t.Errorf("%s: status %s, want failed (within tolerance)", mode, out.Status)
		}
		if f, s := count(out.Rows, outcome.ResultFailed), count(out.Rows, outcome.ResultSucceeded); f != 2 || s != 8 {
			t.Errorf("%s: %d failed, %d succeeded; want 2 and 8", mode, f, s)
		}
	}
}

func TestHaltStartsNoLaterWave(t *testing.T) {
	sim := &rollouttest.Sim{Latency: time.Millisecond, Fail: failing("t000")}
	p := newPlan(t, targets(6), plan.WaveOptions{Canary: 2, MaxConcurrency: plan.Quantity{N: 1}})
	out := runPlan(t, context.Background(), sim, p, nil, nil)
	if out.Status != outcome.StatusHalted {
		t.Fatalf("status %s", out.Status)
	}
	for _, id := range []string{"t002", "t003", "t004", "t005"} {
		if sim.Calls(id) != 0 {
			t.Errorf("%s ran after the canary halted", id)
		}
	}
	if !strings.HasPrefix(out.Reason, "canary: 1 stacks failed") {
		t.Errorf("reason %q", out.Reason)
	}
}

func TestRetriesTransientErrorsOnly(t *testing.T) {
	sim := &rollouttest.Sim{
		Transient: map[string]int{"t000": 2, "t001": 5},
		Fail:      failing("t002"),
	}
	var buf bytes.Buffer
	p := newPlan(t, targets(3), plan.WaveOptions{Tolerance: plan.Quantity{N: 3}})
	out := runPlan(t, context.Background(), sim, p, journal.New(&buf), nil)
	rows := map[string]outcome.Row{}
	for _, r := range out.Rows {
		rows[r.Stack] = r
	}
	if r := rows["t000"]; r.Result != outcome.ResultSucceeded || r.Attempts != 3 || sim.Calls("t000") != 3 {
		t.Errorf("t000 (2 transient failures): %s after %d attempts, want succeeded after 3", r.Result, r.Attempts)
	}
	if r := rows["t001"]; r.Result != outcome.ResultFailed || sim.Calls("t001") != 3 || !strings.Contains(r.Error, "gave up after 3 attempts") || r.Class != outcome.ClassConcurrentUpdate {
		t.Errorf("t001 (always locked): %+v, calls %d; want failed after the 3-attempt bound", r, sim.Calls("t001"))
	}
	if r := rows["t002"]; r.Result != outcome.ResultFailed || sim.Calls("t002") != 1 {
		t.Errorf("t002 (permanent): %s after %d calls, want failed after 1", r.Result, sim.Calls("t002"))
	}
	retries := 0
	for _, r := range parse(t, buf.Bytes()) {
		if r.Type == journal.RecRetry {
			retries++
			if r.Class != outcome.ClassConcurrentUpdate || r.DelayMS < 0 {
				t.Errorf("retry record %+v", r)
			}
		}
	}
	if retries != 4 {
		t.Errorf("%d retry records, want 4 (2 for t000, 2 for t001)", retries)
	}
}

func TestBackoffGrowsWithJitterAndCap(t *testing.T) {
	r := runner.Retry{Attempts: 6, Base: time.Second, Max: 5 * time.Second, Rand: func() float64 { return 0.5 }}
	var got []time.Duration
	for n := 1; n <= 5; n++ {
		got = append(got, r.Delay(n))
	}
	// half fixed + half × 0.5 of 1s, 2s, 4s, then the 5s cap.
	want := []time.Duration{750 * time.Millisecond, 1500 * time.Millisecond, 3 * time.Second, 3750 * time.Millisecond, 3750 * time.Millisecond}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("delays %v, want %v", got, want)
	}
	r.Rand = func() float64 { return 0 }
	if d := r.Delay(1); d != 500*time.Millisecond {
		t.Errorf("lowest jitter %s, want half the base", d)
	}
}

// Ctrl-C: a hung stack is cancelled, nothing more starts, the journal ends
// "cancelled" and stays readable.
func TestCancellationEndsAHangAndKeepsTheJournal(t *testing.T) {
	sim := &rollouttest.Sim{Latency: time.Millisecond, Hang: map[string]bool{"t003": true}}
	p := newPlan(t, targets(8), plan.WaveOptions{MaxConcurrency: plan.Quantity{N: 2}})
	ctx, cancel := context.WithCancel(context.Background())
	var buf bytes.Buffer
	r := &runner.Runner{Deployer: sim, Journal: journal.New(&buf), Retry: runner.Retry{Attempts: 1}, Observe: func(p runner.Progress) {
		if p.Kind == "start" && p.Stack == "t003" {
			cancel() // Ctrl-C as t003 starts
		}
	}}
	done := make(chan *runner.Outcome)
	go func() {
		out, err := r.Run(ctx, p, nil)
		if err != nil {
			t.Error(err)
		}
		done <- out
	}()
	var out *runner.Outcome
	select {
	case out = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the rollout did not end after cancellation")
	}
	if out.Status != outcome.StatusCancelled {
		t.Errorf("status %s", out.Status)
	}
	st := journal.Fold(parse(t, buf.Bytes()))
	if st.Status != outcome.StatusCancelled || st.Rows["t003"].Result != outcome.ResultCancelled {
		t.Errorf("journal: status %s, t003 %s", st.Status, st.Rows["t003"].Result)
	}
	if st.Rows["t007"].Result != outcome.ResultNotStarted || sim.Calls("t007") != 0 {
		t.Errorf("t007 ran after Ctrl-C")
	}
}

// A crash mid-record: the journal is cut inside a line. Resume accepts it, runs
// only what did not succeed, and never runs a succeeded stack twice.
func TestResumeAfterAJournalCutMidRecord(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "rollouts", "r1.jsonl")
	j, err := journal.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	first := &rollouttest.Sim{Latency: time.Millisecond, Fail: failing("t004", "t007")}
	p := newPlan(t, targets(10), plan.WaveOptions{MaxConcurrency: plan.Quantity{N: 1}, Tolerance: plan.Quantity{N: 5}})
	runPlan(t, context.Background(), first, p, j, nil)
	j.Close()
	data, _ := os.ReadFile(path)
	// Cut in the middle of t008's result record: as if killed while writing it.
	i := bytes.Index(data, []byte(`"type":"result","wave":1,"stack":"t008"`))
	if i < 0 {
		t.Fatalf("no result record of t008 in\n%s", data)
	}
	if err := os.WriteFile(path, data[:i+20], 0o644); err != nil {
		t.Fatal(err)
	}
	recs, err := journal.Read(path)
	if err != nil {
		t.Fatalf("a torn last line must be tolerated: %v", err)
	}
	st := journal.Fold(recs)
	if st.Status != outcome.StatusIncomplete || st.Rows["t008"].Result != outcome.ResultInterrupted {
		t.Fatalf("folded: status %s, t008 %s", st.Status, st.Rows["t008"].Result)
	}
	j2, err := journal.Reopen(path)
	if err != nil {
		t.Fatal(err)
	}
	second := &rollouttest.Sim{Latency: time.Millisecond}
	out := runPlan(t, context.Background(), second, st.Plan, j2, st)
	j2.Close()
	for _, id := range []string{"t000", "t001", "t002", "t003", "t005", "t006"} {
		if second.Calls(id) != 0 {
			t.Errorf("%s succeeded before the crash and ran again", id)
		}
	}
	for _, id := range []string{"t004", "t007", "t008", "t009"} {
		if second.Calls(id) != 1 {
			t.Errorf("%s did not succeed before the crash; resume ran it %d times, want 1", id, second.Calls(id))
		}
	}
	if out.Status != outcome.StatusSucceeded || count(out.Rows, outcome.ResultSucceeded) != 10 {
		t.Errorf("after resume: %s, %d succeeded", out.Status, count(out.Rows, outcome.ResultSucceeded))
	}
	recs, err = journal.Read(path)
	if err != nil {
		t.Fatalf("journal after resume: %v", err)
	}
	final := journal.Fold(recs)
	if final.Status != outcome.StatusSucceeded || final.Runs != 2 || len(final.Succeeded()) != 10 {
		t.Errorf("journal after resume: %s, %d runs, %d succeeded", final.Status, final.Runs, len(final.Succeeded()))
	}
}

// A hung stack under --stack-timeout fails (not retried) and the wave goes on.
func TestStackTimeoutFailsAHang(t *testing.T) {
	sim := &rollouttest.Sim{Latency: time.Millisecond, Hang: map[string]bool{"t001": true}}
	p := newPlan(t, targets(4), plan.WaveOptions{Tolerance: plan.Quantity{N: 1}})
	r := &runner.Runner{Deployer: sim, Journal: journal.New(&bytes.Buffer{}), Retry: runner.Retry{Attempts: 3, Base: time.Millisecond}, StackTimeout: 50 * time.Millisecond}
	out, err := r.Run(context.Background(), p, nil)
	if err != nil {
		t.Fatal(err)
	}
	row := out.Rows[1]
	if row.Stack != "t001" || row.Result != outcome.ResultFailed || !strings.Contains(row.Error, "timed out after 50ms") || sim.Calls("t001") != 1 {
		t.Errorf("hung stack: %+v after %d calls", row, sim.Calls("t001"))
	}
	if out.Status != outcome.StatusFailed || count(out.Rows, outcome.ResultSucceeded) != 3 {
		t.Errorf("status %s, %d succeeded", out.Status, count(out.Rows, outcome.ResultSucceeded))
	}
}

// A running stack says what its engine is doing: every resource step it
// begins is a "step" event naming the operation, the type and the resource,
// so a stack that hangs shows what it waits on.
func TestRunningStacksReportTheirEngineSteps(t *testing.T) {
	sim := &rollouttest.Sim{Latency: time.Millisecond, Hang: map[string]bool{"t001": true}}
	p := newPlan(t, targets(2), plan.WaveOptions{Tolerance: plan.Quantity{N: 1}})
	var mu sync.Mutex
	steps := map[string]string{}
	r := &runner.Runner{Deployer: sim, Journal: journal.New(&bytes.Buffer{}), StackTimeout: 50 * time.Millisecond,
		Observe: func(ev runner.Progress) {
			if ev.Kind == "step" {
				mu.Lock()
				steps[ev.Stack] = ev.Step
				mu.Unlock()
			}
		}}
	if _, err := r.Run(context.Background(), p, nil); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"t000", "t001"} {
		if want := "create tenantctl:sim:Resource " + s + "-resource"; steps[s] != want {
			t.Errorf("%s: step %q, want %q", s, steps[s], want)
		}
	}
}

func TestStepNamesTheResource(t *testing.T) {
	for urn, want := range map[string]string{
		"urn:pulumi:dev::tenantctl::tenantctl:models:AccountTenant$aws:budgets/budget:Budget::acme-corp-budget": "update aws:budgets/budget:Budget acme-corp-budget",
		"urn:pulumi:dev::tenantctl::pulumi:pulumi:Stack::tenantctl-dev":                                         "update pulumi:pulumi:Stack tenantctl-dev",
		"not-a-urn": "update not-a-urn",
	} {
		if got := runner.Step(runner.Event{Op: "update", URN: urn}); got != want {
			t.Errorf("Step(%s) = %q, want %q", urn, got, want)
		}
	}
}

// Each stack's row lists the resources its engine changes — creates,
// updates, replaces, deletes, one line per resource — and no unchanged ones.
func TestRowsListTheChangedResources(t *testing.T) {
	urn := func(typ, name string) string {
		return "urn:pulumi:dev::tenantctl::tenantctl:models:SubnetTenant$" + typ + "::" + name
	}
	sim := &rollouttest.Sim{Steps: map[string][]runner.Event{"t000": {
		{Kind: "pre", Op: "same", URN: urn("aws:ec2/subnet:Subnet", "t000-subnet-0")},
		{Kind: "pre", Op: "replace", URN: urn("aws:dynamodb/table:Table", "t000-data")},
		{Kind: "pre", Op: "create-replacement", URN: urn("aws:dynamodb/table:Table", "t000-data")},
		{Kind: "pre", Op: "delete-replaced", URN: urn("aws:dynamodb/table:Table", "t000-data")},
		{Kind: "done", Op: "replace", URN: urn("aws:dynamodb/table:Table", "t000-data")},
		{Kind: "pre", Op: "update", URN: urn("aws:ecs/service:Service", "t000-service")},
		{Kind: "pre", Op: "delete", URN: urn("aws:lb/listenerRule:ListenerRule", "t000-rule")},
	}}}
	p := newPlan(t, targets(2), plan.WaveOptions{})
	out := runPlan(t, context.Background(), sim, p, journal.New(&bytes.Buffer{}), nil)
	var got []string
	for _, st := range out.Rows[0].Steps {
		got = append(got, st.Op+" "+st.Type+" "+st.Name)
	}
	want := []string{
		"create tenantctl:sim:Resource t000-resource",
		"replace aws:dynamodb/table:Table t000-data",
		"update aws:ecs/service:Service t000-service",
		"delete aws:lb/listenerRule:ListenerRule t000-rule",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("steps:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !out.Rows[0].Steps[1].Dangerous() || out.Rows[0].Steps[2].Dangerous() || out.Rows[0].Steps[3].Dangerous() {
		t.Errorf("only the table's replacement loses state: %+v", out.Rows[0].Steps)
	}
}
