package unchanged

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/tenantctl/tenantctl/internal/fingerprint"
	"github.com/tenantctl/tenantctl/internal/rollout/outcome"
	"github.com/tenantctl/tenantctl/internal/rollout/plan"
	"github.com/tenantctl/tenantctl/internal/rollout/runner"
)

const (
	fpA = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	fpB = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
)

func TestDecide(t *testing.T) {
	deployed := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	records := map[string]fingerprint.Record{
		"same":     {Stack: "same", Fingerprint: fpA, Rollout: "r1", Release: "v1", Deployed: deployed},
		"edited":   {Stack: "edited", Fingerprint: fpA, Rollout: "r1", Deployed: deployed},
		"touched":  {Stack: "touched", Fingerprint: fpA, Rollout: "r1", Deployed: deployed},
		"refreshd": {Stack: "refreshd", Fingerprint: fpA, Rollout: "r1", Deployed: deployed},
		"gone":     {Stack: "gone", Fingerprint: fpA, Rollout: "r1", Deployed: deployed},
	}
	fps := map[string]string{"same": fpA, "edited": fpB, "touched": fpA, "refreshd": fpA, "new": fpA, "gone": fpA}
	updated := map[string]time.Time{"same": deployed.Add(-time.Second), "touched": deployed.Add(time.Minute), "refreshd": deployed}
	d := Decide([]string{"new", "same", "edited", "touched", "refreshd", "gone"}, fps, records, updated)
	if got := fmt.Sprint(d.Run); got != "[new edited touched gone]" {
		t.Fatalf("run %v, want new (never deployed), edited (other fingerprint), touched (updated since), gone (not on the backend)", got)
	}
	if len(d.Unchanged) != 2 || d.Unchanged[0] != (plan.Skip{Stack: "same", Reason: "unchanged since rollout r1 (release v1)", Unchanged: true}) || d.Unchanged[1].Stack != "refreshd" {
		t.Fatalf("unchanged %+v", d.Unchanged)
	}
	// Without the backend's listing (a dry run), records alone decide.
	if d := Decide([]string{"touched"}, fps, records, nil); len(d.Unchanged) != 1 {
		t.Fatalf("without update times: %+v", d)
	}
}

type fakeDeployer struct {
	changes outcome.Changes
	err     error
	seen    func()
}

func (f *fakeDeployer) Run(ctx context.Context, op plan.Op, stack string, s runner.Stream) (outcome.Changes, error) {
	if f.seen != nil {
		f.seen()
	}
	return f.changes, f.err
}

func TestRecordingKeepsRecordsTrue(t *testing.T) {
	ctx := context.Background()
	store := fingerprint.DirFor(t.TempDir(), "file:///x")
	p := &plan.Plan{ID: "r2", Release: "v2", Fingerprints: map[string]string{"hooli": fpB}}
	now := time.Date(2026, 12, 2, 6, 0, 0, 0, time.UTC)
	load := func() fingerprint.Record {
		recs, err := store.Load(ctx, []string{"hooli"})
		if err != nil {
			t.Fatal(err)
		}
		return recs["hooli"]
	}
	store.Put(ctx, fingerprint.Record{Stack: "hooli", Fingerprint: fpA, Rollout: "r1"})

	// A failed up leaves no record: forgotten before the engine started.
	fake := &fakeDeployer{err: errors.New("boom"), seen: func() {
		if load().Fingerprint != "" {
			t.Error("the record was still there while the engine ran")
		}
	}}
	rec := &Recording{Deployer: fake, Store: store, Plan: p, Now: func() time.Time { return now }}
	if _, err := rec.Run(ctx, plan.OpUp, "hooli", runner.Stream{}); err == nil {
		t.Fatal("the engine's error was lost")
	}
	if r := load(); r.Fingerprint != "" {
		t.Fatalf("a failed up left %+v", r)
	}
	// A successful up records the plan's fingerprint.
	fake.err, fake.seen = nil, nil
	if _, err := rec.Run(ctx, plan.OpUp, "hooli", runner.Stream{}); err != nil {
		t.Fatal(err)
	}
	if r := load(); r.Fingerprint != fpB || r.Rollout != "r2" || r.Release != "v2" || !r.Deployed.Equal(now) {
		t.Fatalf("after up: %+v", r)
	}
	// A preview and a drift check leave it alone.
	fake.changes = outcome.Changes{Update: 1}
	rec.Run(ctx, plan.OpPreview, "hooli", runner.Stream{})
	rec.Run(ctx, plan.OpRefresh, "hooli", runner.Stream{PreviewOnly: true})
	if r := load(); r.Fingerprint != fpB || !r.Deployed.Equal(now) {
		t.Fatalf("a preview changed the record: %+v", r)
	}
	// A refresh that found nothing stamps it again; one that found drift drops it.
	later := now.Add(time.Hour)
	rec.Now = func() time.Time { return later }
	fake.changes = outcome.Changes{Same: 3}
	rec.Run(ctx, plan.OpRefresh, "hooli", runner.Stream{})
	if r := load(); r.Fingerprint != fpB || r.Rollout != "r2" || !r.Deployed.Equal(later) {
		t.Fatalf("after a clean refresh: %+v", r)
	}
	fake.changes = outcome.Changes{Update: 1}
	rec.Run(ctx, plan.OpRefresh, "hooli", runner.Stream{})
	if r := load(); r.Fingerprint != "" {
		t.Fatalf("a refresh that found drift kept %+v", r)
	}
}
