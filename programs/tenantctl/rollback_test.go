package main

import (
	pauto "github.com/pulumi/pulumi/sdk/v3/go/auto"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/tenantctl/tenantctl/internal/rollout/ledger"
	"github.com/tenantctl/tenantctl/internal/rollout/outcome"
	"github.com/tenantctl/tenantctl/internal/rollout/plan"
	"github.com/tenantctl/tenantctl/internal/rollout/rollouttest"
	"github.com/tenantctl/tenantctl/internal/rollout/runner"
	"github.com/tenantctl/tenantctl/internal/spec"
)

// gitProject is project(t) in a git repository of its own, committed.
func gitProject(t *testing.T) (root, dir string) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir = project(t)
	root = filepath.Dir(dir)
	os.WriteFile(filepath.Join(root, ".gitignore"), []byte(".tenantctl/\n"), 0o644)
	gitRun(t, root, "init", "-q")
	commit(t, root, "first")
	return root, dir
}

func commit(t *testing.T, root, msg string) string {
	t.Helper()
	gitRun(t, root, "add", "-A")
	gitRun(t, root, "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false", "commit", "-qm", msg)
	out, err := exec.Command("git", "-C", root, "rev-parse", "HEAD").Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

// costCenters records the cost center of initech in every fleet whose
// programs a run asked for: which release's files it loaded.
type costCenters struct {
	mu   sync.Mutex
	seen []string
}

func (c *costCenters) install(t *testing.T) {
	old := programsFor
	programsFor = func(_ *engineOptions, f *spec.Fleet) (runner.Programs, error) {
		c.mu.Lock()
		defer c.mu.Unlock()
		if tn := f.Tenant("initech"); tn != nil {
			c.seen = append(c.seen, tn.CostCenter)
		}
		return fakePrograms{}, nil
	}
	t.Cleanup(func() { programsFor = old })
}

func (c *costCenters) last() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.seen) == 0 {
		return ""
	}
	return c.seen[len(c.seen)-1]
}

// fakePrograms stands for a fleet's programs where the simulated engine
// never asks for them; the rollout's fingerprints see no configuration.
type fakePrograms struct{ runner.Programs }

func (fakePrograms) Config(string) (map[string]pauto.ConfigValue, error) { return nil, nil }

func setCostCenter(t *testing.T, dir, cc string) {
	t.Helper()
	path := filepath.Join(dir, "initech.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "costCenter:") {
			lines[i] = "costCenter: " + cc
		}
	}
	writeFile(t, path, strings.Join(lines, "\n"))
}

// A rollout of release B halts at its gate after wave 2 (soylent's alarm) and, with --on-halt
// rollback, redeploys release A on exactly the stacks it changed, last wave
// first, from the fleet files at A's commit.
func TestOnHaltRollbackRedeploysTheEarlierReleaseFromGit(t *testing.T) {
	root, dir := gitProject(t)
	sim := &rollouttest.Sim{Changes: outcome.Changes{Update: 1}}
	withSim(t, sim)
	cc := &costCenters{}
	cc.install(t)
	releaseA := strings.TrimSpace(mustGit(t, root, "rev-parse", "HEAD"))

	out, errs, code := runCLI(t, "rollout", "--dir", dir, "--canary", "2", "--waves", "50%,100%", "--output", "json")
	if code != ExitOK {
		t.Fatalf("first rollout: exit %d\n%s", code, errs)
	}
	first := jsonReport(t, out)
	if first.Release != releaseA || first.Stacks[0].Release != releaseA {
		t.Fatalf("the first rollout recorded release %q (%q), want the commit %s", first.Release, first.Stacks[0].Release, releaseA)
	}

	setCostCenter(t, dir, "CC-9999")
	releaseB := commit(t, root, "initech moves cost center")
	g := &rollouttest.Gate{Firing: map[string][]string{"soylent": {"saas-soylent-5xx"}}}
	withGate(t, g)
	sim2 := &rollouttest.Sim{Changes: outcome.Changes{Update: 1}}
	withSim(t, sim2)
	cc.install(t)
	out, errs, code = runCLI(t, "rollout", "--dir", dir, "--canary", "2", "--waves", "50%,100%", "--gate", "alarms", "--on-halt", "rollback", "--output", "json")
	if code != ExitHalted {
		t.Fatalf("second rollout: exit %d, want %d\n%s", code, ExitHalted, errs)
	}
	second := jsonReport(t, out)
	if second.Release != releaseB || second.Status != outcome.StatusHalted || second.Rollback == nil {
		t.Fatalf("second rollout: release %s status %s rollback %v\n%s", second.Release, second.Status, second.Rollback, errs)
	}
	rb := second.Rollback
	if rb.Op != plan.OpRollback || rb.RollbackOf != second.ID || rb.Status != outcome.StatusSucceeded || rb.Release != releaseA {
		t.Fatalf("rollback report %+v", rb)
	}
	// Exactly what the second rollout deployed goes back, wave 2 first.
	var changed, wave2 []string
	for _, row := range second.Stacks {
		if row.Result == outcome.ResultSucceeded {
			changed = append(changed, row.Stack)
			if row.Wave == 2 {
				wave2 = append(wave2, row.Stack)
			}
		}
	}
	deploys := sim2.Deploys()
	var rolledBack []string
	for _, d := range deploys[len(changed):] {
		if d.Release != releaseA {
			t.Errorf("%s redeployed %s, want %s", d.Stack, d.Release, releaseA)
		}
		rolledBack = append(rolledBack, d.Stack)
	}
	if len(rolledBack) != len(changed) || !sameSet(rolledBack[:len(wave2)], wave2) {
		t.Errorf("rolled back %v; want the %d changed stacks, wave 2 (%v) first", rolledBack, len(changed), wave2)
	}
	if cc.last() != "CC-1003" {
		t.Errorf("the rollback loaded the fleet with initech's cost center %q, want release A's CC-1003", cc.last())
	}
	l, err := ledger.Read(filepath.Join(root, ".tenantctl"))
	if err != nil {
		t.Fatal(err)
	}
	if e, _ := l.Running("soylent"); e.Release != releaseA || e.Op != plan.OpRollback {
		t.Errorf("soylent runs %+v after the rollback", e)
	}
	if e, _ := l.Running("initech"); e.Release != releaseA || e.Op != plan.OpUp || e.Rollout != first.ID {
		t.Errorf("initech, which the halted rollout never reached, runs %+v", e)
	}

	// Rolling it back again, the first rollout (no earlier release), or a
	// rollout nobody ran: refused, nothing started.
	before := len(sim2.Deploys())
	for args, msg := range map[string]string{
		"--rollback " + second.ID:                 "deployed since by rollback " + rb.ID,
		"--rollback " + first.ID:                  "no earlier release in the journals",
		"--rollback 20990101T000000Z-abcd":        "no rollout 20990101T000000Z-abcd is journaled",
		"--rollback " + second.ID + " --canary 1": "--canary cannot change it",
	} {
		_, errs, code := runCLI(t, append([]string{"rollout", "--dir", dir}, strings.Fields(args)...)...)
		if code != ExitUsage || !strings.Contains(errs, msg) {
			t.Errorf("%s: exit %d, want 2 with %q\n%s", args, code, msg, errs)
		}
	}
	if len(sim2.Deploys()) != before {
		t.Errorf("a refused rollback deployed")
	}
}

// A release deployed from uncommitted fleet files cannot be rolled back to.
func TestRollbackRefusesADirtyRelease(t *testing.T) {
	root, dir := gitProject(t)
	withSim(t, &rollouttest.Sim{})
	setCostCenter(t, dir, "CC-4242")
	out, errs, code := runCLI(t, "rollout", "--dir", dir, "--output", "json")
	if code != ExitOK {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	if rel := jsonReport(t, out).Release; !strings.HasSuffix(rel, "-dirty") {
		t.Fatalf("release %q, want -dirty", rel)
	}
	commit(t, root, "cost center")
	out, _, code = runCLI(t, "rollout", "--dir", dir, "--output", "json")
	if code != ExitOK {
		t.Fatal(code)
	}
	id := jsonReport(t, out).ID
	_, errs, code = runCLI(t, "rollout", "--dir", dir, "--rollback", id)
	if code != ExitUsage || !strings.Contains(errs, "uncommitted fleet files") {
		t.Errorf("exit %d\n%s", code, errs)
	}
}

func mustGit(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).Output()
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
