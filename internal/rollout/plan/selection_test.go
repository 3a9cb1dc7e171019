package plan_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tenantctl/tenantctl/internal/rollout/plan"
	"github.com/tenantctl/tenantctl/internal/spec"
)

func fleet(n int) *spec.Fleet {
	f := &spec.Fleet{Dir: "tenants", Settings: spec.Settings{Tiers: map[string]*spec.Tier{
		"free": {Rank: 0}, "standard": {Rank: 1}, "premium": {Rank: 2}, "enterprise": {Rank: 3},
	}}}
	tiers := []string{"enterprise", "premium", "standard", "free"}
	models := []spec.IsolationModel{spec.ModelAccount, spec.ModelSubnet, spec.ModelContainer, spec.ModelApplication}
	for i := 0; i < n; i++ {
		f.Tenants = append(f.Tenants, &spec.Tenant{ID: fmt.Sprintf("tenant-%04d", i), Tier: tiers[i%4], Model: models[i%4], Status: spec.StatusActive,
			Labels: map[string]string{"group": fmt.Sprint("g", i%3)}})
	}
	return f
}

func stacks(s *plan.Selection) []string {
	var out []string
	for _, t := range s.Targets {
		out = append(out, t.Stack)
	}
	return out
}

func TestShardsPartitionTheFleet(t *testing.T) {
	f := fleet(1000)
	seen := map[string]int{}
	for i := 1; i <= 7; i++ {
		sel, err := plan.Select(f, plan.Selector{Shard: i, Shards: 7, Platform: true})
		if err != nil {
			t.Fatal(err)
		}
		if n := len(sel.Targets); n < 100 || n > 190 {
			t.Errorf("shard %d/7 holds %d stacks; a hash split of 1000 should hold about 143", i, n)
		}
		for _, s := range stacks(sel) {
			seen[s]++
		}
	}
	if len(seen) != 1001 {
		t.Errorf("%d stacks over all shards, want 1000 tenants + platform", len(seen))
	}
	for s, n := range seen {
		if n != 1 {
			t.Errorf("%s is in %d shards", s, n)
		}
	}
	// The split must not change between releases of tenantctl: runners of one
	// pipeline may run different builds.
	if got := []int{plan.ShardOf("acme-corp", 5), plan.ShardOf("globex", 5), plan.ShardOf("hooli", 5)}; fmt.Sprint(got) != "[1 1 2]" {
		t.Errorf("shards of known ids changed: %v", got)
	}
}

func TestSelectionOrdersSkipsAndFilters(t *testing.T) {
	f := fleet(8)
	f.Tenants[0].Status = spec.StatusSuspended
	f.Tenants[1].Release = "2024.06"
	sel, err := plan.Select(f, plan.Selector{Platform: true, Release: "2024.07"})
	if err != nil {
		t.Fatal(err)
	}
	want := "[platform tenant-0003 tenant-0007 tenant-0002 tenant-0006 tenant-0005 tenant-0004]"
	if got := fmt.Sprint(stacks(sel)); got != want {
		t.Errorf("order %s, want platform first, then tier rank (free first), then id: %s", got, want)
	}
	if got := fmt.Sprint(sel.Skipped); got != "[{tenant-0000 suspended false} {tenant-0001 pinned to release 2024.06 (this rollout: 2024.07) false}]" {
		t.Errorf("skipped %s", got)
	}
	sel, _ = plan.Select(f, plan.Selector{Tiers: []string{"premium"}, Labels: []string{"group=g2"}})
	if got := fmt.Sprint(stacks(sel)); got != "[tenant-0005]" {
		t.Errorf("premium ∧ group=g2: %s", got)
	}
	sel, _ = plan.Select(f, plan.Selector{Models: []string{"application"}, Tenants: []string{"tenant-0003", "tenant-0004"}})
	if got := fmt.Sprint(stacks(sel)); got != "[tenant-0003]" {
		t.Errorf("application ∧ (0003 ∨ 0004): %s", got)
	}
	for sel, msg := range map[*plan.Selector]string{
		{Tenants: []string{"nobody"}}: "--tenant nobody: no tenant with that id",
		{Tiers: []string{"gold"}}:     "--tier gold: no such tier",
		{Models: []string{"pod"}}:     "--model pod: not an isolation model",
		{Labels: []string{"nokey"}}:   `--label "nokey": want key=value`,
		{Shard: 3, Shards: 2}:         "--shard 3/2",
	} {
		if _, err := plan.Select(f, *sel); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("error %v, want %q", err, msg)
		}
	}
	if _, _, err := plan.ParseShard("0/4"); err == nil {
		t.Error("shard 0/4 accepted")
	}
}

func TestPlanWavesRejectsBadSizes(t *testing.T) {
	sel, err := plan.Select(fleet(10), plan.Selector{})
	if err != nil {
		t.Fatal(err)
	}
	ts := sel.Targets
	if _, err := plan.PlanWaves(ts, plan.WaveOptions{Mode: plan.ModeStrict, MaxConcurrency: plan.Quantity{N: 1}, Waves: []plan.Quantity{{N: 50, Percent: true}}}); err == nil || !strings.Contains(err.Error(), "end with 100%") {
		t.Errorf("waves ending at 50%%: %v", err)
	}
	if _, err := plan.PlanWaves(ts, plan.WaveOptions{Mode: "lenient", MaxConcurrency: plan.Quantity{N: 1}}); err == nil {
		t.Error("mode lenient accepted")
	}
	if _, err := plan.ParseWaves("10%,x"); err == nil {
		t.Error("waves 10%,x accepted")
	}
	w, err := plan.PlanWaves(ts, plan.WaveOptions{Mode: plan.ModeStrict, MaxConcurrency: plan.Quantity{N: 8}, Tolerance: plan.Quantity{N: 1}, Waves: []plan.Quantity{{N: 3}, {N: 100, Percent: true}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(w) != 2 || len(w[0].Stacks) != 3 || len(w[1].Stacks) != 7 || w[1].Limit(0) != 2 || w[1].Limit(1) != 1 {
		t.Errorf("waves %+v; strict limits of wave 2 should be 2 then 1", w)
	}
}

func gitRun(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

func write(t *testing.T, path, body string) {
	t.Helper()
	os.MkdirAll(filepath.Dir(path), 0o755)
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestChangedSinceInAGitRepository(t *testing.T) {
	repo := t.TempDir()
	gitRun(t, repo, "init", "-q", "-b", "main")
	for _, f := range []string{"tenants/fleet.yaml", "tenants/acme.yaml", "tenants/globex.yaml", "tenants/hooli.yaml", "models/vpc/vpc.go", "README.md"} {
		write(t, filepath.Join(repo, f), "v1\n")
	}
	gitRun(t, repo, "add", ".")
	gitRun(t, repo, "commit", "-qm", "base")
	gitRun(t, repo, "checkout", "-qb", "change")
	tenants := filepath.Join(repo, "tenants")

	write(t, filepath.Join(repo, "tenants/acme.yaml"), "v2\n")
	write(t, filepath.Join(repo, "README.md"), "v2\n")
	gitRun(t, repo, "commit", "-qam", "acme")
	write(t, filepath.Join(repo, "tenants/initech.yaml"), "new, untracked\n")
	os.Remove(filepath.Join(repo, "tenants/hooli.yaml")) // offboarded, uncommitted
	cs, err := plan.ChangedSince(context.Background(), tenants, "main")
	if err != nil {
		t.Fatal(err)
	}
	if cs.All || fmt.Sprint(keys(cs.Tenants)) != "[acme hooli initech]" {
		t.Errorf("changed %+v, want acme (edited), hooli (deleted), initech (new)", cs)
	}

	write(t, filepath.Join(repo, "models/vpc/vpc.go"), "v2\n")
	cs, err = plan.ChangedSince(context.Background(), tenants, "main")
	if err != nil || !cs.All || cs.Why != "models/vpc/vpc.go" {
		t.Errorf("a model change must select every tenant: %+v %v", cs, err)
	}
	gitRun(t, repo, "checkout", "-q", "--", "models")
	write(t, filepath.Join(repo, "tenants/fleet.yaml"), "v2\n")
	cs, _ = plan.ChangedSince(context.Background(), tenants, "main")
	if !cs.All || cs.Why != "tenants/fleet.yaml" {
		t.Errorf("a settings change must select every tenant: %+v", cs)
	}

	f := &spec.Fleet{Dir: tenants, Settings: spec.Settings{Tiers: map[string]*spec.Tier{"free": {}}}, Tenants: []*spec.Tenant{{ID: "acme", Tier: "free"}, {ID: "globex", Tier: "free"}}}
	sel, err := plan.Select(f, plan.Selector{Changed: &plan.ChangeSet{Tenants: map[string]bool{"acme": true}}})
	if err != nil || fmt.Sprint(stacks(sel)) != "[acme]" {
		t.Errorf("selection by change: %v %v", stacks(sel), err)
	}
	if _, err := plan.ChangedSince(context.Background(), tenants, "no-such-ref"); err == nil || !strings.Contains(err.Error(), "no-such-ref") {
		t.Errorf("unknown ref: %v", err)
	}
	// A value that git would take for an option never reaches it as one.
	out := filepath.Join(t.TempDir(), "written-by-git")
	for _, ref := range []string{"--output=" + out, "-p"} {
		if _, err := plan.ChangedSince(context.Background(), tenants, ref); err == nil || !strings.Contains(err.Error(), "which git would take for an option") {
			t.Errorf("ref %q: %v", ref, err)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("git wrote a file named by --changed-since")
	}
	// A ref whose revision expression git reads (HEAD~0) works.
	if _, err := plan.ChangedSince(context.Background(), tenants, "HEAD~0"); err != nil {
		t.Errorf("HEAD~0: %v", err)
	}
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sortStrings(out)
	return out
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// A rollout and `tenantctl list` given the same --tier, --model and --label
// select the same tenants: both match through spec.Selector.
func TestSelectionAgreesWithList(t *testing.T) {
	f := fleet(40)
	for _, c := range []struct {
		tiers, models, labels []string
	}{
		{tiers: []string{"premium"}},
		{models: []string{"account", "application"}},
		{labels: []string{"group=g1"}},
		{tiers: []string{"free", "enterprise"}, labels: []string{"group=g2"}},
		{labels: []string{"group="}},
		{labels: []string{"group=g0=x"}},
	} {
		sel, err := plan.Select(f, plan.Selector{Tiers: c.tiers, Models: c.models, Labels: c.labels})
		if err != nil {
			t.Fatal(err)
		}
		labels, err := spec.ParseLabels(c.labels)
		if err != nil {
			t.Fatal(err)
		}
		list := spec.Selector{Tiers: c.tiers, Labels: labels}
		for _, m := range c.models {
			list.Models = append(list.Models, spec.IsolationModel(m))
		}
		var want []string
		for _, tn := range list.Select(f.Tenants) {
			want = append(want, tn.ID)
		}
		// The rollout orders by tier rank; compare the sets.
		got := stacks(sel)
		sortStrings(got)
		sortStrings(want)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%+v: rollout selects %v, list %v", c, got, want)
		}
	}
}
