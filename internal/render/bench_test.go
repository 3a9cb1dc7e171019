package render_test

import (
	"testing"

	"github.com/tenantctl/tenantctl/internal/render"
	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/internal/stackconfig"
	"github.com/tenantctl/tenantctl/internal/testutil/genfleet"
	"github.com/tenantctl/tenantctl/internal/testutil/samplefleet"
	"github.com/tenantctl/tenantctl/models"
)

func benchmarkRender(b *testing.B, f *spec.Fleet, config stackconfig.Source) {
	stacks := make([]string, 0, len(f.Tenants))
	for _, t := range f.Tenants {
		stacks = append(stacks, t.ID)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		graphs, err := render.Stacks(f, stacks, config)
		if err != nil {
			b.Fatal(err)
		}
		if len(graphs) != len(stacks) {
			b.Fatalf("%d graphs", len(graphs))
		}
	}
	b.ReportMetric(float64(len(stacks)*b.N)/b.Elapsed().Seconds(), "tenants/s")
}

// BenchmarkRenderSampleFleet renders every tenant of tenants/.
func BenchmarkRenderSampleFleet(b *testing.B) {
	f := samplefleet.Load(b)
	benchmarkRender(b, f, stackconfig.Dir("../../stacks"))
}

// BenchmarkRender1000Tenants renders 1,000 generated tenants, 200 of each model.
func BenchmarkRender1000Tenants(b *testing.B) {
	benchmarkRender(b, genfleet.Fleet(b, 1000), genfleet.Config)
}

// TestGeneratedFleetRenders keeps the benchmark's fleet honest: every
// generated tenant renders, with the resources of its model.
func TestGeneratedFleetRenders(t *testing.T) {
	f := genfleet.Fleet(t, 50)
	stacks := []string{models.PlatformStack}
	for _, tn := range f.Tenants {
		stacks = append(stacks, tn.ID)
	}
	graphs, err := render.Stacks(f, stacks, genfleet.Config)
	if err != nil {
		t.Fatal(err)
	}
	// Every service is a scalable target with two policies; every tenant of
	// the four service models keeps its data in a table of its own (the tiers'
	// default), is reached over HTTPS (a share of the shared load balancer,
	// or one of its own) and has its registry item and its two groups in the
	// platform's user pool; a pooled tenant shares the platform's data role.
	// Every tenant is watched: its alarm topic with its owner subscribed, its
	// alarms (two of its API key, or six of its service and table) and their
	// dashboard; an account-model tenant has an on-call topic of its own.
	// Every siloed tenant has a key of its own, with its alias; a VPC of a
	// tenant's own has six endpoints and their security group; a load
	// balancer of its own a web ACL and its association. A log group in the
	// platform's account is subscribed to the log archive. An account of a
	// tenant's own has two quota alarms.
	want := map[spec.IsolationModel]int{spec.ModelApplication: 9 + 5 + 1, spec.ModelContainer: 21 + 9 + 2 + 1, spec.ModelSubnet: 42 + 9 + 2 + 1, spec.ModelVPC: 43 + 9 + 2 + 7 + 2 + 1, spec.ModelAccount: 48 + 11 + 2 + 7 + 2 + 2}
	for i, g := range graphs[1:] {
		tn := f.Tenants[i]
		if len(g.Resources) != want[tn.Model] {
			t.Errorf("%s (%s): %d resources, want %d", tn.ID, tn.Model, len(g.Resources), want[tn.Model])
		}
	}
}
