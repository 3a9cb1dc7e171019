package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tenantctl/tenantctl/internal/rollout/auto"
	"github.com/tenantctl/tenantctl/internal/rollout/journal"
	"github.com/tenantctl/tenantctl/internal/rollout/outcome"
	"github.com/tenantctl/tenantctl/internal/rollout/plan"
	"github.com/tenantctl/tenantctl/internal/rollout/report"
	"github.com/tenantctl/tenantctl/internal/rollout/rollouttest"
	"github.com/tenantctl/tenantctl/internal/rollout/runner"
	"github.com/tenantctl/tenantctl/internal/spec"
)

// project copies the sample fleet into a temporary project so that state,
// journals and locks land in .tenantctl beside it.
func project(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("cp", "-r", "../../tenants", dir).CombinedOutput(); err != nil {
		t.Fatalf("copying the sample fleet: %v %s", err, out)
	}
	return filepath.Join(dir, "tenants")
}

// withSim routes the fan-out commands to a simulated engine.
func withSim(t *testing.T, sim *rollouttest.Sim) {
	t.Helper()
	t.Setenv("PULUMI_CONFIG_PASSPHRASE", "test")
	t.Setenv("PULUMI_BACKEND_URL", "")
	t.Setenv("CI", "true")
	oldP, oldD, oldU := programsFor, newDeployer, stacksUpdated
	programsFor = func(*engineOptions, *spec.Fleet) (runner.Programs, error) { return nil, nil }
	newDeployer = func(context.Context, runner.Programs, auto.Options) (runner.Deployer, error) {
		return sim, nil
	}
	stacksUpdated = func(ctx context.Context, _ auto.Options) (map[string]time.Time, error) { return sim.Updated(ctx) }
	t.Cleanup(func() { programsFor, newDeployer, stacksUpdated = oldP, oldD, oldU })
}

func TestPreviewShowsChangesPerTenant(t *testing.T) {
	dir := project(t)
	sim := &rollouttest.Sim{Changes: outcome.Changes{Create: 2, Update: 1, Delete: 1}}
	withSim(t, sim)
	md := filepath.Join(t.TempDir(), "preview.md")
	out, errs, code := runCLI(t, "preview", "--dir", dir, "--summary-md", md)
	if code != ExitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	for _, want := range []string{"dunder-mifflin  ", "+2 ~1 -1", "oscorp", "suspended", "pied-piper", "pinned to release 2026.10.2", "12 stacks: 12 succeeded, 0 failed, 2 skipped; 12 with changes (+24 ~12 -12)"} {
		if !strings.Contains(out, want) {
			t.Errorf("preview output lacks %q:\n%s", want, out)
		}
	}
	if sim.Ops(plan.OpPreview) != 12 || sim.Ops(plan.OpUp) != 0 {
		t.Errorf("%d previews, %d updates; want 12 and 0", sim.Ops(plan.OpPreview), sim.Ops(plan.OpUp))
	}
	// Tier rank order: free first, enterprise last.
	if strings.Index(out, "dunder-mifflin") > strings.Index(out, "acme-corp") {
		t.Errorf("free tenants are not listed before enterprise ones:\n%s", out)
	}
	if !strings.Contains(errs, "[12/12]") {
		t.Errorf("no plain progress lines in CI mode:\n%s", errs)
	}
	body, err := os.ReadFile(md)
	if err != nil || !strings.Contains(string(body), "| `wonka` | 1 | succeeded | 2 | 1 | 1 |") {
		t.Errorf("markdown summary: %v\n%s", err, body)
	}
}

func jsonReport(t *testing.T, out string) report.Report {
	t.Helper()
	var rep report.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("not a JSON report: %v\n%s", err, out)
	}
	return rep
}

func TestRolloutHaltsThenResumes(t *testing.T) {
	dir := project(t)
	sim := &rollouttest.Sim{Fail: map[string]outcome.Class{"wonka": outcome.ClassFailed}, Changes: outcome.Changes{Update: 1}}
	withSim(t, sim)
	out, errs, code := runCLI(t, "rollout", "--dir", dir, "--canary", "2", "--max-concurrency", "1", "--output", "json")
	if code != ExitHalted {
		t.Fatalf("exit %d, want %d (halted)\n%s", code, ExitHalted, errs)
	}
	rep := jsonReport(t, out)
	if rep.Status != outcome.StatusHalted || rep.Totals.Succeeded != 1 || rep.Totals.Failed != 1 || rep.Totals.NotStarted != 10 {
		t.Errorf("report totals %+v", rep.Totals)
	}
	if !strings.Contains(errs, "canary: 1 stacks failed, over its failure tolerance of 0") || !strings.Contains(errs, "tenantctl rollout --resume "+rep.ID) {
		t.Errorf("stderr lacks the halt reason or the resume hint:\n%s", errs)
	}

	status, _, code := runCLI(t, "rollout", "status", rep.ID, "--dir", dir)
	if code != ExitOK || !strings.Contains(status, "wonka") || !strings.Contains(status, "failed") || !strings.Contains(status, "resume with: tenantctl rollout --resume "+rep.ID) {
		t.Errorf("status (exit %d):\n%s", code, status)
	}

	fixed := &rollouttest.Sim{Changes: outcome.Changes{Update: 1}}
	withSim(t, fixed)
	out, errs, code = runCLI(t, "rollout", "--dir", dir, "--resume", rep.ID, "--output", "json")
	if code != ExitOK {
		t.Fatalf("resume: exit %d\n%s", code, errs)
	}
	if fixed.Calls("dunder-mifflin") != 0 || fixed.Calls("wonka") != 1 || fixed.Ops(plan.OpUp) != 11 {
		t.Errorf("resume ran dunder-mifflin %d times (succeeded before), wonka %d, %d in all; want 0, 1, 11",
			fixed.Calls("dunder-mifflin"), fixed.Calls("wonka"), fixed.Ops(plan.OpUp))
	}
	if rep := jsonReport(t, out); rep.Status != outcome.StatusSucceeded || rep.Totals.Succeeded != 12 ||
		rep.URLs["wonka"] != "https://api.app.example.com/" || rep.URLs["stark-industries"] != "https://stark.app.example.com/" {
		t.Errorf("after resume: %s %+v %v", rep.Status, rep.Totals, rep.URLs)
	}
	_, errs, code = runCLI(t, "rollout", "--dir", dir, "--resume", rep.ID, "--canary", "3")
	if code != ExitUsage || !strings.Contains(errs, "--canary cannot change it") {
		t.Errorf("resume with a new plan flag: exit %d %s", code, errs)
	}

	// The history: this rollout (two runs, all succeeded), a preview after it,
	// and a journal that cannot be read, listed rather than hiding the rest.
	if _, _, code := runCLI(t, "preview", "--dir", dir, "--tier", "free"); code != ExitOK {
		t.Fatalf("preview: exit %d", code)
	}
	state := filepath.Join(filepath.Dir(dir), ".tenantctl")
	if err := os.WriteFile(filepath.Join(state, "rollouts", "20000101T000000Z-000000.jsonl"), []byte("{not json\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errs, code = runCLI(t, "rollout", "list", "--dir", dir, "-o", "json")
	var list []journal.Summary
	if err := json.Unmarshal([]byte(out), &list); err != nil || code != ExitOK || len(list) != 3 {
		t.Fatalf("rollout list: exit %d, %v\n%s\n%s", code, err, out, errs)
	}
	if list[1].ID != rep.ID || list[1].Op != plan.OpUp || list[1].Status != outcome.StatusSucceeded || list[1].Runs != 2 || list[1].Succeeded != 12 ||
		list[0].Op != plan.OpPreview || list[2].Status != journal.StatusUnreadable {
		t.Errorf("rollout list: %+v", list)
	}
	out, _, code = runCLI(t, "rollout", "list", "--dir", dir, "--limit", "2")
	if code != ExitOK || !strings.Contains(out, rep.ID+"  up") || !strings.Contains(out, "12/12 ok, 0 failed") || strings.Contains(out, "unreadable") {
		t.Errorf("rollout list --limit 2:\n%s", out)
	}
}

func TestSecondRolloutIsRefused(t *testing.T) {
	dir := project(t)
	withSim(t, &rollouttest.Sim{})
	abs, _ := filepath.Abs(dir)
	state := filepath.Join(filepath.Dir(abs), ".tenantctl")
	backend := "file://" + filepath.Join(state, "state")
	host, _ := os.Hostname()
	path, err := journal.LockPath(backend, abs)
	if err != nil {
		t.Fatal(err)
	}
	lock, err := journal.Acquire(path, journal.LockInfo{Rollout: "first", PID: os.Getpid(), Host: host})
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Release()
	_, errs, code := runCLI(t, "rollout", "--dir", dir)
	if code != ExitLocked || !strings.Contains(errs, "another rollout (first) against this backend and fleet is running") {
		t.Errorf("exit %d, want %d:\n%s", code, ExitLocked, errs)
	}
	// Another backend is another lock.
	if _, errs, code := runCLI(t, "preview", "--dir", dir, "--backend", "file://"+t.TempDir()); code != ExitOK {
		t.Errorf("preview against another backend: exit %d\n%s", code, errs)
	}
}

func TestDestroyTakesOneTenant(t *testing.T) {
	dir := project(t)
	sim := &rollouttest.Sim{Changes: outcome.Changes{Delete: 7}}
	withSim(t, sim)
	_, errs, code := runCLI(t, "destroy", "--dir", dir, "--tier", "free")
	if code != ExitUsage || !strings.Contains(errs, "destroy takes one unless --many") || sim.Ops(plan.OpDestroy) != 0 {
		t.Errorf("destroy of a tier: exit %d, %d destroys\n%s", code, sim.Ops(plan.OpDestroy), errs)
	}
	if _, errs, code := runCLI(t, "destroy", "--dir", dir); code != ExitUsage || !strings.Contains(errs, "destroy needs a selection") {
		t.Errorf("destroy without selection: exit %d %s", code, errs)
	}
	// Nobody can be asked outside a terminal: --yes or nothing starts.
	if _, errs, code := runCLI(t, "destroy", "--dir", dir, "--tenant", "oscorp"); code != ExitUsage || sim.Ops(plan.OpDestroy) != 0 ||
		!strings.Contains(errs, "destroy deletes every resource of 1 stack(s): oscorp; pass --yes to confirm") {
		t.Errorf("destroy without --yes: exit %d, %d destroys\n%s", code, sim.Ops(plan.OpDestroy), errs)
	}
	// A suspended tenant is the usual one to offboard: it is not skipped.
	out, errs, code := runCLI(t, "destroy", "--dir", dir, "--tenant", "oscorp", "--yes")
	if code != ExitOK || sim.Calls("oscorp") != 1 || !strings.Contains(out, "+0 ~0 -7") {
		t.Errorf("destroy oscorp: exit %d, %d calls\n%s\n%s", code, sim.Calls("oscorp"), out, errs)
	}
	if _, _, code := runCLI(t, "destroy", "--dir", dir, "--tier", "free", "--many", "--yes"); code != ExitOK || sim.Ops(plan.OpDestroy) != 4 {
		t.Errorf("destroy --many: exit %d, %d destroys (want 1 + 3 free tenants)", code, sim.Ops(plan.OpDestroy))
	}
	if _, errs, code := runCLI(t, "destroy", "--dir", dir, "--platform", "--tenant", "wonka"); code != ExitUsage || !strings.Contains(errs, "on its own") {
		t.Errorf("destroy of the platform with a tenant: exit %d %s", code, errs)
	}
	// --platform alone is the platform stack only.
	out, errs, code = runCLI(t, "destroy", "--dir", dir, "--platform", "--yes")
	if code != ExitOK || sim.Calls("platform") != 1 || sim.Ops(plan.OpDestroy) != 5 || !strings.Contains(out, "1 stacks") {
		t.Errorf("destroy --platform: exit %d, %d destroys\n%s\n%s", code, sim.Ops(plan.OpDestroy), out, errs)
	}
}

func TestRefreshDriftExitCode(t *testing.T) {
	dir := project(t)
	sim := &rollouttest.Sim{Changes: outcome.Changes{Update: 1, Same: 5}}
	withSim(t, sim)
	out, errs, code := runCLI(t, "refresh", "--drift", "--dir", dir, "--tenant", "hooli,acme-corp")
	if code != ExitDrift || !strings.Contains(out, "DRIFT") || !strings.Contains(errs, "2 stacks drifted") {
		t.Errorf("exit %d, want %d\n%s\n%s", code, ExitDrift, out, errs)
	}
	if sim.Ops(plan.OpRefresh) != 2 {
		t.Errorf("%d refreshes, want 2", sim.Ops(plan.OpRefresh))
	}
}

func TestFlagMistakesAreUsageErrors(t *testing.T) {
	dir := project(t)
	sim := &rollouttest.Sim{}
	withSim(t, sim)
	for _, tc := range []struct{ args, msg string }{
		{"rollout --stack-timeout -5m", "--stack-timeout -5m0s: want a duration above 0 (e.g. 45m), or 0 for no limit"},
		{"preview --stack-timeout=-1s", "--stack-timeout -1s"},
		{"preview --changed-since=--output=/tmp/x", "--changed-since: \"--output=/tmp/x\" starts with '-', which git would take for an option; name a branch, tag or commit, e.g. origin/main"},
		{"rollout --changed-since=-p", "--changed-since: \"-p\" starts with '-'"},
		{"rollout --failure-tolerance 101%", "--failure-tolerance"},
		{"rollout --max-concurrency 0", "--max-concurrency"},
		{"rollout --waves 10%,50%", "end with 100%"},
		{"rollout --tolerance-mode lenient", "want strict or soft"},
		{"rollout --shard 5/4", "--shard"},
		{"preview --tenant nobody", "--tenant nobody: no tenant with that id"},
		{"preview --output yaml", "--output"},
		{"rollout --bake 10m", "--bake waits before a gate is checked; name the gate with --gate alarms"},
		{"rollout --gate pagerduty", `--gate "pagerduty": not a gate (one of alarms)`},
		{"rollout --bake -1m --gate alarms", "--bake -1m0s"},
		{"rollout --on-halt retry", `--on-halt "retry": want rollback`},
	} {
		_, errs, code := runCLI(t, append(strings.Fields(tc.args), "--dir", dir)...)
		if code != ExitUsage || !strings.Contains(errs, tc.msg) {
			t.Errorf("%s: exit %d, want 2 with %q:\n%s", tc.args, code, tc.msg, errs)
		}
	}
	if n := len(sim.Starts()); n != 0 {
		t.Errorf("%d stacks ran; want none", n)
	}
}

func TestEngineSetUpErrors(t *testing.T) {
	dir := project(t)
	withSim(t, &rollouttest.Sim{})
	programsFor = fleetPrograms
	t.Setenv("TENANTCTL_EXTERNAL_ID_SECRET", "too-short")
	if _, errs, code := runCLI(t, "preview", "--dir", dir); code != ExitInvalid || !strings.Contains(errs, "TENANTCTL_EXTERNAL_ID_SECRET is 9 characters long") {
		t.Errorf("short external id secret: exit %d\n%s", code, errs)
	}
	programsFor = func(*engineOptions, *spec.Fleet) (runner.Programs, error) { return nil, nil }
	t.Setenv("PULUMI_CONFIG_PASSPHRASE", "")
	if _, errs, code := runCLI(t, "preview", "--dir", dir); code != ExitInvalid || !strings.Contains(errs, "set PULUMI_CONFIG_PASSPHRASE") {
		t.Errorf("no passphrase: exit %d\n%s", code, errs)
	}
}

func TestProgressOnATerminal(t *testing.T) {
	var b bytes.Buffer
	p := &progressPrinter{w: &b, tty: true}
	w := &plan.Wave{Index: 1, Name: "canary", Stacks: []string{"a", "b"}, MaxConcurrency: 4, Tolerance: 0, Mode: plan.ModeStrict}
	p.handle(runner.Progress{Kind: "wave", Wave: w, Total: 2})
	p.handle(runner.Progress{Kind: "start", Wave: w, Stack: "a", Running: 1, Total: 2})
	p.handle(runner.Progress{Kind: "done", Wave: w, Stack: "a", Row: &outcome.Row{Stack: "a", Result: outcome.ResultSucceeded, Changes: outcome.Changes{Create: 1}}, Done: 1, Total: 2})
	p.finish()
	out := b.String()
	for _, want := range []string{"== canary: 2 stacks, up to 1 at once, tolerates 0 failures (strict)", "\r\033[K[1/2] a succeeded +1 ~0 -0", "[###############...............] 1/2 done, 0 running, 0 failed"} {
		if !strings.Contains(out, want) {
			t.Errorf("terminal output lacks %q:\n%q", want, out)
		}
	}
	if strings.Contains(out, "a started") {
		t.Error("a terminal shows starts in the progress line, not as status lines")
	}
}

// A stack whose engine stays on one step is reported as waiting on it: in CI
// once a minute as a line of its own, on a terminal on the progress line.
func TestProgressShowsWhatAStackWaitsOn(t *testing.T) {
	w := &plan.Wave{Index: 0, Name: "wave 1", Stacks: []string{"acme-corp", "globex"}, MaxConcurrency: 2}
	for _, tty := range []bool{false, true} {
		var b bytes.Buffer
		p := &progressPrinter{w: &b, tty: tty}
		p.handle(runner.Progress{Kind: "start", Wave: w, Stack: "acme-corp", Running: 1, Total: 2})
		p.handle(runner.Progress{Kind: "start", Wave: w, Stack: "globex", Running: 2, Total: 2})
		p.handle(runner.Progress{Kind: "step", Wave: w, Stack: "acme-corp", Step: "create aws:budgets/budget:Budget acme-corp-budget", Running: 2, Total: 2})
		p.handle(runner.Progress{Kind: "step", Wave: w, Stack: "globex", Step: "create aws:ecs/cluster:Cluster globex-cluster", Running: 2, Total: 2})
		start := time.Now()
		p.watch(start.Add(30 * time.Second)) // not yet waiting
		p.running["globex"].since = start.Add(50 * time.Second)
		p.watch(start.Add(90 * time.Second))
		p.watch(start.Add(100 * time.Second)) // said once a minute, not every tick
		out := b.String()
		want := "acme-corp waiting 1m30s on create aws:budgets/budget:Budget acme-corp-budget"
		if tty {
			want = "; " + want
		}
		if n := strings.Count(out, want); (!tty && n != 1) || (tty && n == 0) || strings.Contains(out, "globex waiting") {
			t.Errorf("tty %v: %d times %q in\n%q", tty, n, want, out)
		}
		p.handle(runner.Progress{Kind: "done", Wave: w, Stack: "acme-corp", Row: &outcome.Row{Stack: "acme-corp", Result: outcome.ResultSucceeded}, Done: 1, Running: 1, Total: 2})
		b.Reset()
		p.watch(start.Add(200 * time.Second))
		if strings.Contains(b.String(), "acme-corp") {
			t.Errorf("tty %v: a finished stack still waits: %q", tty, b.String())
		}
	}
}

// A dry run, and `rollout plan`, print the plan a run would make and touch
// nothing: no engine, no passphrase, no journal, no lock.
func TestDryRunPlansWithoutAnEngine(t *testing.T) {
	dir := project(t)
	t.Setenv("PULUMI_CONFIG_PASSPHRASE", "")
	t.Setenv("PULUMI_BACKEND_URL", "")
	oldP, oldD := programsFor, newDeployer
	programsFor = func(*engineOptions, *spec.Fleet) (runner.Programs, error) {
		t.Error("a dry run built the stacks' programs")
		return nil, nil
	}
	newDeployer = func(context.Context, runner.Programs, auto.Options) (runner.Deployer, error) {
		t.Error("a dry run set an engine up")
		return nil, errors.New("no engine")
	}
	t.Cleanup(func() { programsFor, newDeployer = oldP, oldD })

	out, errs, code := runCLI(t, "rollout", "plan", "--dir", dir, "--platform", "--canary", "2", "--waves", "50%,100%", "--max-concurrency", "3")
	want := "rollout plan: 13 stacks in 4 waves (--platform); nothing runs (dry run)\n" +
		"== platform: 1 stacks, up to 1 at once, tolerates 0 failures (soft)\n   platform\n" +
		"== canary: 2 stacks, up to 3 at once, tolerates 0 failures (soft)\n   dunder-mifflin wonka\n"
	if code != ExitOK || !strings.HasPrefix(out, want) || !strings.Contains(out, "skipped oscorp: suspended\n") {
		t.Fatalf("rollout plan: exit %d\n%s\n%s", code, out, errs)
	}
	for _, c := range []struct {
		args   []string
		stacks int
	}{
		{[]string{"rollout", "--dry-run", "--tier", "free", "-o", "json"}, 2},
		{[]string{"preview", "--dry-run", "--tier", "free", "-o", "json"}, 2},
		{[]string{"destroy", "--dry-run", "--tier", "free", "--many", "-o", "json"}, 3}, // offboarding takes pinned tenants too
	} {
		args := c.args
		out, errs, code := runCLI(t, append(args, "--dir", dir)...)
		var p plan.Plan
		if err := json.Unmarshal([]byte(out), &p); err != nil || code != ExitOK || p.Stacks() != c.stacks || p.Waves[0].Stacks[0] != "dunder-mifflin" {
			t.Errorf("%v: exit %d, %v\n%s\n%s", args, code, err, out, errs)
		}
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(dir), ".tenantctl", "rollouts")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a dry run left rollout records: %v", err)
	}
	if _, errs, code := runCLI(t, "rollout", "--dir", dir, "--resume", "20261122T150405Z-a1b2c3", "--dry-run"); code != ExitUsage || !strings.Contains(errs, "--dry-run plans a new rollout") {
		t.Errorf("resume with --dry-run: exit %d\n%s", code, errs)
	}
}
