// Package genfleet generates valid fleets of any size from the sample fleet's
// settings, for benchmarks and for the tests that keep them honest.
package genfleet

import (
	"fmt"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"

	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/internal/stackconfig"
	"github.com/tenantctl/tenantctl/internal/testutil/samplefleet"
	"github.com/tenantctl/tenantctl/models"
)

// Fleet returns the sample fleet's settings with n generated tenants, the
// five models in turn, each with its own CIDRs, listener priority or account.
func Fleet(tb testing.TB, n int) *spec.Fleet {
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

// Config is a generated stack's configuration: the external-id secret the
// account model reads, as the placeholder stackconfig gives when no secret is
// set, so that generated fleets render without one.
func Config(stack string) (map[string]auto.ConfigValue, error) {
	key := models.ConfigKey(models.ConfigExternalID)
	return map[string]auto.ConfigValue{key: {Value: stackconfig.SecretPlaceholder, Secret: true}}, nil
}
