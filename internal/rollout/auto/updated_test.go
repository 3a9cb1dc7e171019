package auto

import (
	"context"
	"testing"
	"time"

	"github.com/tenantctl/tenantctl/internal/fingerprint"
	"github.com/tenantctl/tenantctl/internal/rollout/plan"
	"github.com/tenantctl/tenantctl/internal/rollout/runner"
	"github.com/tenantctl/tenantctl/internal/rollout/unchanged"
)

const (
	fpOne = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
	fpTwo = "sha256:2222222222222222222222222222222222222222222222222222222222222222"
)

// A release over the real engine costs O(changed): after an up through the
// recording deployer, the same desired state decides "unchanged" for every
// stack; a stack updated behind the rollout's back (a `pulumi up` by hand),
// or whose desired state changed, runs; a destroy forgets the record.
func TestUnchangedStacksAreSkippedOnTheRealEngine(t *testing.T) {
	ctx := context.Background()
	progs := newComponents()
	progs.set("acme", 2, 0)
	progs.set("globex", 2, 0)
	d := newDeployer(t, progs, fileBackend(t))
	store := fingerprint.DirFor(t.TempDir(), "file:///test")
	stacks := []string{"acme", "globex"}
	p := &plan.Plan{ID: "20261202T060000Z-000001", Release: "v1", Fingerprints: map[string]string{"acme": fpOne, "globex": fpOne}}
	rec := &unchanged.Recording{Deployer: d, Store: store, Plan: p}
	for _, s := range stacks {
		if _, err := rec.Run(ctx, plan.OpUp, s, runner.Stream{}); err != nil {
			t.Fatal(err)
		}
	}
	decide := func(fps map[string]string) unchanged.Decision {
		t.Helper()
		records, err := store.Load(ctx, stacks)
		if err != nil {
			t.Fatal(err)
		}
		updated, err := d.Updated(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(updated) != 2 {
			t.Fatalf("the backend lists %v", updated)
		}
		return unchanged.Decide(stacks, fps, records, updated)
	}
	same := map[string]string{"acme": fpOne, "globex": fpOne}
	if d := decide(same); len(d.Run) != 0 || len(d.Unchanged) != 2 || d.Unchanged[0].Reason != "unchanged since rollout 20261202T060000Z-000001 (release v1)" {
		t.Fatalf("a no-op release decided %+v", d)
	}
	if d := decide(map[string]string{"acme": fpTwo, "globex": fpOne}); len(d.Run) != 1 || d.Run[0] != "acme" {
		t.Fatalf("a release changing acme decided %+v", d)
	}
	// An update outside the rollout (no record written for it).
	time.Sleep(1100 * time.Millisecond) // the backend's update times are in seconds
	if _, err := d.Run(ctx, plan.OpUp, "globex", runner.Stream{}); err != nil {
		t.Fatal(err)
	}
	if d := decide(same); len(d.Run) != 1 || d.Run[0] != "globex" {
		t.Fatalf("after an update behind the rollout's back: %+v", d)
	}
	if _, err := rec.Run(ctx, plan.OpDestroy, "acme", runner.Stream{}); err != nil {
		t.Fatal(err)
	}
	if records, _ := store.Load(ctx, stacks); records["acme"].Fingerprint != "" {
		t.Fatalf("a destroyed stack kept its record: %+v", records["acme"])
	}
}
