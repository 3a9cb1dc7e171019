package render_test

import (
	"fmt"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"

	"github.com/tenantctl/tenantctl/internal/render"
	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/internal/stackconfig"
	"github.com/tenantctl/tenantctl/internal/testutil/samplefleet"
	"github.com/tenantctl/tenantctl/models"
)

// generated returns the sample fleet's settings with n generated tenants, the
// five models in turn, each with its own CIDRs, listener priority or account.
func generated(tb testing.TB, n int) *spec.Fleet {
	tb.Helper()
	base := samplefleet.Load(tb)
	f := &spec.Fleet{Dir: "generated", Settings: base.Settings}
	// Quotas raised to hold the generated tenants: n/5 vpc tenants in the
	// platform region, two subnets per subnet tenant, an account per account tenant.
	f.Settings.Limits.VPCsPerRegion = 2 + n
	f.Settings.Limits.SubnetsPerVPC = 2*n + len(f.Settings.SharedVPC.PlatformSubnets)
	f.Settings.Organization.AccountQuota = 1 + n + 10 // and the pools' ready accounts
	// The SaaS account's IAM roles, usage plans, API keys and Cognito groups:
	// generous bounds, so the benchmark measures rendering, not the quota check.
	f.Settings.Limits.IAMRoles = 10 + 3*n
	f.Settings.Limits.UsagePlans = 10 + n
	f.Settings.Limits.APIKeys = 10 + n
	f.Settings.Limits.CognitoGroups = 10 + 3*n
	for i := range n {
		t := &spec.Tenant{
			ID: fmt.Sprintf("tenant-%04d", i), Name: fmt.Sprintf("Tenant %d", i),
			CostCenter: fmt.Sprintf("CC-%04d", i), Owner: fmt.Sprintf("owner-%d@example.com", i),
		}
		switch i % 5 {
		case 0:
			t.Tier, t.Model = "free", spec.ModelApplication
		case 1:
			t.Tier, t.Model = "standard", spec.ModelContainer
			t.Service = &spec.ServiceSpec{ListenerPriority: 1 + i}
		case 2:
			// Two /28s per tenant inside the shared VPC, above the platform's subnets.
			t.Tier, t.Model = "premium", spec.ModelSubnet
			base := 16*256 + 32*i
			t.Subnets = []string{cidr28(base), cidr28(base + 16)}
			t.Service = &spec.ServiceSpec{ListenerPriority: 1 + i}
		case 3:
			t.Tier, t.Model = "premium", spec.ModelVPC
			t.Network = &spec.NetworkSpec{CIDR: fmt.Sprintf("172.%d.%d.0/24", 16+i/256, i%256)}
		case 4:
			t.Tier, t.Model = "enterprise", spec.ModelAccount
			t.Account = &spec.AccountSpec{ID: fmt.Sprintf("%012d", 200000000000+i)}
			// Each account is its own network: CIDRs may repeat across accounts.
			t.Network = &spec.NetworkSpec{CIDR: "10.20.0.0/16"}
		}
		f.Tenants = append(f.Tenants, t)
	}
	if err := spec.Finish(f); err != nil {
		tb.Fatalf("the generated fleet is not valid: %v", err)
	}
	return f
}

func cidr28(offset int) string {
	return fmt.Sprintf("10.0.%d.%d/28", offset/256, offset%256)
}

func benchConfig(stack string) (map[string]auto.ConfigValue, error) {
	key := models.ConfigKey(models.ConfigExternalID)
	return map[string]auto.ConfigValue{key: {Value: stackconfig.SecretPlaceholder, Secret: true}}, nil
}

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
	benchmarkRender(b, generated(b, 1000), benchConfig)
}

// TestGeneratedFleetRenders keeps the benchmark's fleet honest: every
// generated tenant renders, with the resources of its model.
func TestGeneratedFleetRenders(t *testing.T) {
	f := generated(t, 50)
	stacks := []string{models.PlatformStack}
	for _, tn := range f.Tenants {
		stacks = append(stacks, tn.ID)
	}
	graphs, err := render.Stacks(f, stacks, benchConfig)
	if err != nil {
		t.Fatal(err)
	}
	// Every service is a scalable target with two policies; every tenant of
	// the four service models keeps its data in a table of its own (the tiers'
	// default), is reached over HTTPS (a share of the shared load balancer,
	// or one of its own) and has its registry item.
	want := map[spec.IsolationModel]int{spec.ModelApplication: 10, spec.ModelContainer: 19, spec.ModelSubnet: 40, spec.ModelVPC: 41, spec.ModelAccount: 46}
	for i, g := range graphs[1:] {
		tn := f.Tenants[i]
		if len(g.Resources) != want[tn.Model] {
			t.Errorf("%s (%s): %d resources, want %d", tn.ID, tn.Model, len(g.Resources), want[tn.Model])
		}
	}
}
