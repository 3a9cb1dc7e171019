package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tenantctl/tenantctl/internal/rollout/journal"
	"github.com/tenantctl/tenantctl/internal/rollout/outcome"
	"github.com/tenantctl/tenantctl/internal/rollout/plan"
	"github.com/tenantctl/tenantctl/internal/rollout/rollouttest"
	"github.com/tenantctl/tenantctl/internal/spec"
)

// withFleet hands the fan-out commands f instead of what --dir holds, as a
// loader that validates less would: the selection must hold on its own.
func withFleet(t *testing.T, f *spec.Fleet) {
	t.Helper()
	old := loadFleet
	loadFleet = func(string) (*spec.Fleet, error) { return f, nil }
	t.Cleanup(func() { loadFleet = old })
}

func fleetOf(dir string, tenants ...*spec.Tenant) *spec.Fleet {
	return &spec.Fleet{Dir: dir, Tenants: tenants, Settings: spec.Settings{
		Tiers: map[string]*spec.Tier{"free": {Rank: 0}, "enterprise": {Rank: 3}},
	}}
}

// A tenant called "platform" never becomes a stack, even in a fleet that
// validation would have refused: `destroy --tenant platform` would destroy the
// shared platform stack.
func TestReservedIDIsNeverATenantStack(t *testing.T) {
	dir := project(t)
	sim := &rollouttest.Sim{}
	withSim(t, sim)
	withFleet(t, fleetOf(dir,
		&spec.Tenant{ID: spec.PlatformTenantID, Tier: "free", Model: spec.ModelSubnet, Status: spec.StatusActive},
		&spec.Tenant{ID: spec.ManagedByValue, Tier: "free", Model: spec.ModelSubnet, Status: spec.StatusActive},
		&spec.Tenant{ID: "wonka", Tier: "free", Model: spec.ModelSubnet, Status: spec.StatusActive},
	))
	for _, tc := range []struct{ args, msg string }{
		{"destroy --tenant platform", "--tenant platform: \"platform\" is the shared platform stack, never a tenant; select the platform with --platform"},
		{"destroy --tenant " + spec.ManagedByValue, "is a name tenantctl reserves for itself"},
		{"destroy --tier free --many", "tenant platform in " + dir},
		{"rollout", "select the platform with --platform"},
		{"preview --tenant platform", "select the platform with --platform"},
	} {
		_, errs, code := runCLI(t, append(strings.Fields(tc.args), "--dir", dir)...)
		if code != ExitUsage || !strings.Contains(errs, tc.msg) {
			t.Errorf("%s: exit %d, want 2 with %q:\n%s", tc.args, code, tc.msg, errs)
		}
	}
	if n := len(sim.Starts()); n != 0 {
		t.Fatalf("%d stacks ran (%v); want none", n, sim.Starts())
	}
	// The platform stack itself, through --platform, stays possible.
	if _, errs, code := runCLI(t, "destroy", "--dir", dir, "--platform", "--yes"); code != ExitOK || sim.Calls("platform") != 1 {
		t.Errorf("destroy --platform: exit %d, %d calls\n%s", code, sim.Calls("platform"), errs)
	}
}

// A symlinked --dir and another --state-dir against the same backend meet the
// same lock.
func TestLockIsTheFleetsAndBackendsWhateverTheFlags(t *testing.T) {
	dir := project(t)
	withSim(t, &rollouttest.Sim{})
	backend := "file://" + t.TempDir()
	link := filepath.Join(t.TempDir(), "tenants-link")
	if err := os.Symlink(dir, link); err != nil {
		t.Fatal(err)
	}
	path, err := journal.LockPath(backend, dir)
	if err != nil {
		t.Fatal(err)
	}
	lock, err := journal.Acquire(path, journal.LockInfo{Rollout: "first", PID: os.Getpid()})
	if err != nil {
		t.Fatal(err)
	}
	_, errs, code := runCLI(t, "rollout", "--dir", link, "--state-dir", t.TempDir(), "--backend", backend)
	if code != ExitLocked || !strings.Contains(errs, "another rollout (first)") {
		t.Errorf("symlinked --dir, another --state-dir: exit %d, want %d\n%s", code, ExitLocked, errs)
	}
	lock.Release()
	if _, errs, code := runCLI(t, "rollout", "--dir", link, "--state-dir", t.TempDir(), "--backend", backend); code != ExitOK {
		t.Errorf("once the lock is free: exit %d\n%s", code, errs)
	}
}

// rewriteJournal copies the journal of rollout id to rollout newID with its
// plan changed by mutate, and returns newID.
func rewriteJournal(t *testing.T, stateDir, id, newID string, mutate func(*plan.Plan)) string {
	t.Helper()
	src, _ := journal.Path(stateDir, id)
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitN(data, []byte("\n"), 2)
	var rec journal.Record
	if err := json.Unmarshal(lines[0], &rec); err != nil {
		t.Fatal(err)
	}
	rec.Plan.ID = newID
	mutate(rec.Plan)
	first, _ := json.Marshal(rec)
	dst, _ := journal.Path(stateDir, newID)
	writeFile(t, dst, string(first)+"\n"+string(lines[1]))
	return newID
}

// A journal is resumed only if it is the rollout asked for, its plan passes
// the checks the flags pass, and it is of this fleet and backend.
func TestResumeRefusesAJournalThatIsNotThisRollouts(t *testing.T) {
	dir := project(t)
	withSim(t, &rollouttest.Sim{Fail: map[string]outcome.Class{"wonka": outcome.ClassFailed}})
	out, errs, code := runCLI(t, "rollout", "--dir", dir, "--canary", "2", "--output", "json")
	if code != ExitHalted {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	id := jsonReport(t, out).ID
	state := filepath.Join(filepath.Dir(dir), ".tenantctl")
	other := project(t)
	for _, tc := range []struct {
		name   string
		newID  string
		mutate func(*plan.Plan)
		args   []string
		msg    string
	}{
		{"another rollout id", "copied", func(p *plan.Plan) { p.ID = id }, nil, "the journal's plan is of rollout \"" + id + "\", not copied"},
		{"concurrency 0", "conc0", func(p *plan.Plan) { p.Waves[1].MaxConcurrency = 0 }, nil, "wave 2 (wave 2): --max-concurrency 0: want a count of at least 1"},
		{"negative tolerance", "tolneg", func(p *plan.Plan) { p.Waves[0].Tolerance = -1 }, nil, "wave 1 (canary): --failure-tolerance -1"},
		{"unknown mode", "mode", func(p *plan.Plan) { p.Waves[0].Mode = "lenient" }, nil, "--tolerance-mode \"lenient\": want strict or soft"},
		{"an empty wave", "empty", func(p *plan.Plan) {
			p.Waves = append(p.Waves, plan.Wave{Index: 3, Name: "wave 3", MaxConcurrency: 1, Mode: plan.ModeSoft})
		}, nil, "wave 3 (wave 3) has no stacks"},
		{"a stack twice", "twice", func(p *plan.Plan) { p.Waves[1].Stacks = append(p.Waves[1].Stacks, p.Waves[0].Stacks[0]) }, nil, "is in wave 1 and in wave 2"},
		{"the platform as a tenant", "platform", func(p *plan.Plan) { p.Waves[1].Stacks = append(p.Waves[1].Stacks, "platform") }, nil, "select the platform with --platform"},
		{"another fleet", "fleet", func(*plan.Plan) {}, []string{"--dir", other, "--state-dir", state}, "is of the fleet in"},
		{"another backend", "backend", func(p *plan.Plan) { p.Backend = "s3://elsewhere" }, nil, "ran against backend s3://elsewhere"},
	} {
		fixed := &rollouttest.Sim{}
		withSim(t, fixed)
		resume := rewriteJournal(t, state, id, tc.newID, tc.mutate)
		args := append([]string{"rollout", "--resume", resume}, tc.args...)
		if tc.args == nil {
			args = append(args, "--dir", dir)
		}
		_, errs, code := runCLI(t, args...)
		if code != ExitInvalid || !strings.Contains(errs, tc.msg) || len(fixed.Starts()) != 0 {
			t.Errorf("%s: exit %d, %d stacks ran; want exit 1 with %q and none:\n%s", tc.name, code, len(fixed.Starts()), tc.msg, errs)
		}
	}
	// The journal as written, through a symlink to the fleet, resumes.
	link := filepath.Join(t.TempDir(), "tenants-link")
	if err := os.Symlink(dir, link); err != nil {
		t.Fatal(err)
	}
	fixed := &rollouttest.Sim{}
	withSim(t, fixed)
	if _, errs, code := runCLI(t, "rollout", "--resume", id, "--dir", link, "--state-dir", state); code != ExitOK || fixed.Calls("wonka") != 1 {
		t.Errorf("resume through a symlinked --dir: exit %d, wonka ran %d times\n%s", code, fixed.Calls("wonka"), errs)
	}
}

// Control characters in a stack's name, error or skip reason reach no report
// as they are: not the progress lines, the table, the error line, `rollout
// status` or the markdown summary.
func TestReportsEscapeControlCharacters(t *testing.T) {
	dir := project(t)
	evil := "evil\x1b[2J\nFORGED"
	withSim(t, &rollouttest.Sim{Fail: map[string]outcome.Class{evil: outcome.ClassFailed}})
	withFleet(t, fleetOf(dir,
		&spec.Tenant{ID: evil, Tier: "free", Model: spec.ModelSubnet, Status: spec.StatusActive},
		&spec.Tenant{ID: "pinned", Tier: "free", Model: spec.ModelSubnet, Status: spec.StatusActive, Release: "r1\x1b[2J\nFORGED"},
	))
	md := filepath.Join(t.TempDir(), "summary.md")
	out, errs, code := runCLI(t, "rollout", "--dir", dir, "--summary-md", md)
	if code != ExitHalted {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	body, err := os.ReadFile(md)
	if err != nil {
		t.Fatal(err)
	}
	var id string
	for _, l := range strings.Split(out, "\n") {
		if f := strings.Fields(l); len(f) > 1 && f[0] == "up" {
			id = strings.TrimSuffix(f[1], ":")
		}
	}
	status, _, _ := runCLI(t, "rollout", "status", id, "--dir", dir)
	for name, text := range map[string]string{"stdout": out, "stderr": errs, "markdown": string(body), "status": status} {
		if strings.Contains(text, "\x1b") || strings.Contains(text, "\nFORGED") {
			t.Errorf("%s holds a raw control character:\n%q", name, text)
		}
		if !strings.Contains(text, `evil\x1b[2J\nFORGED`) {
			t.Errorf("%s lacks the escaped stack name:\n%q", name, text)
		}
	}
	for name, text := range map[string]string{"stdout": out, "markdown": string(body), "status": status} {
		if !strings.Contains(text, `pinned to release r1\x1b[2J\nFORGED`) {
			t.Errorf("%s lacks the escaped skip reason:\n%q", name, text)
		}
	}
}
