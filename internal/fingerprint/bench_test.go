package fingerprint_test

import (
	"context"
	"testing"
	"time"

	"github.com/tenantctl/tenantctl/internal/fingerprint"
	"github.com/tenantctl/tenantctl/internal/render"
	"github.com/tenantctl/tenantctl/internal/testutil/genfleet"
)

// BenchmarkNoOpRelease1000 is the decision of a release that changes nothing
// over 1,000 generated tenants and the platform: every stack fingerprinted,
// every record read, every stack found unchanged — what a rollout does before
// it would start an engine.
func BenchmarkNoOpRelease1000(b *testing.B) {
	f := genfleet.Fleet(b, 1000)
	stacks := render.AllStacks(f)
	store := fingerprint.DirFor(b.TempDir(), "file:///bench")
	ctx := context.Background()
	deployed, failed := fingerprint.Stacks(f, stacks, genfleet.Config)
	if len(failed) > 0 {
		b.Fatal(failed)
	}
	for s, fp := range deployed {
		if err := store.Put(ctx, fingerprint.Record{Stack: s, Fingerprint: fp, Deployed: time.Now()}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		now, failed := fingerprint.Stacks(f, stacks, genfleet.Config)
		if len(failed) > 0 {
			b.Fatal(failed)
		}
		records, err := store.Load(ctx, stacks)
		if err != nil {
			b.Fatal(err)
		}
		if n := len(fingerprint.Unchanged(stacks, now, records)); n != len(stacks) {
			b.Fatalf("%d of %d stacks unchanged", n, len(stacks))
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/decision")
}
