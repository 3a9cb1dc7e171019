package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tenantctl/tenantctl/internal/rollout/outcome"
	"github.com/tenantctl/tenantctl/internal/rollout/plan"
	"github.com/tenantctl/tenantctl/internal/rollout/report"
	"github.com/tenantctl/tenantctl/internal/rollout/rollouttest"
)

// A release costs O(changed): a second rollout of the same fleet runs only
// the stacks it cannot vouch for, an edited tenant file runs that tenant,
// --force runs them all, and a destroyed stack runs again. (Under the
// simulated engine the account-model tenants have no configuration, so they
// cannot be fingerprinted and run every time, as a stack whose fingerprint
// fails must.)
func TestSecondRolloutRunsOnlyWhatChanged(t *testing.T) {
	dir := project(t)
	sim := &rollouttest.Sim{Changes: outcome.Changes{Update: 1}}
	withSim(t, sim)
	// rollout returns the stacks it updated, in order, and its report.
	rollout := func(args ...string) ([]string, report.Report) {
		t.Helper()
		before := sim.OpLog()
		out, errs, code := runCLI(t, append([]string{"rollout", "--dir", dir, "-o", "json"}, args...)...)
		if code != ExitOK {
			t.Fatalf("rollout %v: exit %d\n%s", args, code, errs)
		}
		var ups []string
		for _, e := range sim.OpLog()[len(before):] {
			if e.Op == plan.OpUp {
				ups = append(ups, e.Stack)
			}
		}
		slices.Sort(ups)
		return ups, jsonReport(t, out)
	}
	if ups, _ := rollout(); len(ups) != 12 {
		t.Fatalf("first rollout updated %v, want 12 stacks", ups)
	}
	ups, rep := rollout()
	if !slices.Equal(ups, []string{"acme-corp", "globex"}) || rep.Totals.Unchanged != 10 {
		t.Fatalf("a no-op release updated %v with %d unchanged; want the 2 account tenants and 10 unchanged", ups, rep.Totals.Unchanged)
	}
	for _, s := range rep.Skipped {
		if s.Unchanged && !strings.HasPrefix(s.Reason, "unchanged since rollout ") {
			t.Errorf("skip reason %q", s.Reason)
		}
	}
	hooli := filepath.Join(dir, "hooli.yaml")
	data, _ := os.ReadFile(hooli)
	if err := os.WriteFile(hooli, append(data, []byte("tags: {Project: nucleus}\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	if ups, _ := rollout(); !slices.Equal(ups, []string{"acme-corp", "globex", "hooli"}) {
		t.Fatalf("after editing hooli: %v", ups)
	}
	if ups, _ := rollout("--force"); len(ups) != 12 {
		t.Fatalf("--force updated %v, want 12 stacks", ups)
	}
	if _, errs, code := runCLI(t, "destroy", "--dir", dir, "--tenant", "wonka", "--yes"); code != ExitOK {
		t.Fatalf("destroy: exit %d\n%s", code, errs)
	}
	if ups, _ := rollout(); !slices.Equal(ups, []string{"acme-corp", "globex", "wonka"}) {
		t.Fatalf("after destroying wonka: %v", ups)
	}
	out, _, _ := runCLI(t, "rollout", "--dir", dir)
	if !strings.Contains(out, "10 unchanged since their last rollout") {
		t.Errorf("the text report does not count the unchanged stacks:\n%s", out)
	}
}
