package rollout_test

import (
	"fmt"
	"testing"

	"github.com/tenantctl/tenantctl/internal/rollout"
	"github.com/tenantctl/tenantctl/internal/spec"
)

func TestSpecConfig(t *testing.T) {
	f := &spec.Fleet{Dir: "tenants", Settings: spec.Settings{PlatformRegion: "us-east-1", Environment: "prod", NamePrefix: "saas"}, Tenants: []*spec.Tenant{
		{ID: "tenant-0000", Tier: "enterprise", Model: spec.ModelAccount, Status: spec.StatusActive},
		{ID: "tenant-0001", Tier: "premium", Model: spec.ModelSubnet, Status: spec.StatusActive, Region: "eu-west-1"},
	}}
	progs := rollout.ModelPrograms(f, nil)
	got := func(stack string) string {
		cfg, err := progs.Config(stack)
		if err != nil {
			return err.Error()
		}
		return fmt.Sprint(cfg["aws:region"].Value, " ", cfg["tenantctl:tenant"].Value, " ", cfg["tenantctl:tier"].Value, " ", cfg["tenantctl:model"].Value, " ", cfg["tenantctl:environment"].Value)
	}
	for stack, want := range map[string]string{
		"tenant-0000": "us-east-1 tenant-0000 enterprise account prod",
		"tenant-0001": "eu-west-1 tenant-0001 premium subnet prod",
		"platform":    "us-east-1    prod",
		"ghost":       "stack ghost: no tenant with that id in tenants",
	} {
		if g := got(stack); g != want {
			t.Errorf("%s: %q, want %q", stack, g, want)
		}
	}
}
