package rollout

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/tenantctl/tenantctl/internal/rollout/plan"
	"github.com/tenantctl/tenantctl/internal/rollout/runner"
	"github.com/tenantctl/tenantctl/internal/spec"
)

// ModelPrograms adapts the models' program function to Programs, with each
// stack's configuration from the spec (SpecConfig).
func ModelPrograms(f *spec.Fleet, program func(f *spec.Fleet, stack string) (pulumi.RunFunc, error)) runner.Programs {
	return modelPrograms{f: f, program: program}
}

type modelPrograms struct {
	f       *spec.Fleet
	program func(*spec.Fleet, string) (pulumi.RunFunc, error)
}

func (m modelPrograms) Program(stack string) (pulumi.RunFunc, error) { return m.program(m.f, stack) }
func (m modelPrograms) Config(stack string) (map[string]auto.ConfigValue, error) {
	return SpecConfig(m.f, stack)
}

// SpecConfig is a stack's configuration as the spec says it: the region of its
// default provider and what the stack is, so `pulumi config` on a stack shows
// which tenant, tier and model it holds.
func SpecConfig(f *spec.Fleet, stack string) (map[string]auto.ConfigValue, error) {
	s := f.Settings
	cfg := map[string]auto.ConfigValue{
		"tenantctl:environment": {Value: s.Environment},
		"tenantctl:namePrefix":  {Value: s.NamePrefix},
	}
	if stack == plan.PlatformStack {
		cfg["aws:region"] = auto.ConfigValue{Value: s.PlatformRegion}
		cfg["tenantctl:stack"] = auto.ConfigValue{Value: plan.PlatformStack}
		return cfg, nil
	}
	t := f.Tenant(stack)
	if t == nil {
		return nil, fmt.Errorf("stack %s: no tenant with that id in %s", stack, f.Dir)
	}
	region := t.Region
	if region == "" {
		region = s.PlatformRegion
	}
	cfg["aws:region"] = auto.ConfigValue{Value: region}
	cfg["tenantctl:stack"] = auto.ConfigValue{Value: "tenant"}
	cfg["tenantctl:tenant"] = auto.ConfigValue{Value: t.ID}
	cfg["tenantctl:tier"] = auto.ConfigValue{Value: t.Tier}
	cfg["tenantctl:model"] = auto.ConfigValue{Value: string(t.Model)}
	return cfg, nil
}
