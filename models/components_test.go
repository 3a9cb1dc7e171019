package models_test

import (
	"slices"

	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/internal/testutil/samplefleet"
	"github.com/tenantctl/tenantctl/models"
	"github.com/tenantctl/tenantctl/models/account"
	"github.com/tenantctl/tenantctl/models/application"
	"github.com/tenantctl/tenantctl/models/container"
	"github.com/tenantctl/tenantctl/models/emulation"
	"github.com/tenantctl/tenantctl/models/platform"
	"github.com/tenantctl/tenantctl/models/subnet"
	"github.com/tenantctl/tenantctl/models/vpc"
)

// TestModelsAreComponentsWithTypedOutputs: every sample tenant's stack holds
// one component of its model, named after the tenant, that parents every
// resource of the stack but the provider and the platform's stack reference;
// and the stack exports the component's typed outputs (pulumi outputs, not
// plain values), each model's full set.
func TestModelsAreComponentsWithTypedOutputs(t *testing.T) {
	types := map[spec.IsolationModel]string{
		spec.ModelAccount:     account.ComponentType,
		spec.ModelVPC:         vpc.ComponentType,
		spec.ModelSubnet:      subnet.ComponentType,
		spec.ModelContainer:   container.ComponentType,
		spec.ModelApplication: application.ComponentType,
	}
	outputs := map[spec.IsolationModel][]string{
		spec.ModelAccount: {"accountId", "budgetName", "clusterArn", "dataMode", "loadBalancerDnsName", "serviceName", "tableArn", "tableName",
			"url", "vpcId", "zoneId", "zoneNameServers"},
		spec.ModelVPC:         {"dataMode", "loadBalancerDnsName", "serviceName", "url", "vpcId"},
		spec.ModelSubnet:      {"dataMode", "networkAclId", "serviceName", "subnetIds", "url"},
		spec.ModelContainer:   {"dataMode", "host", "listenerIndex", "serviceName", "targetGroupArn", "url"},
		spec.ModelApplication: {"apiKeyId", "dataMode", "logGroup", "roleArn", "url", "usagePlanId", "userGroup"},
	}
	f := samplefleet.Load(t)
	seen := map[spec.IsolationModel]bool{}
	for _, tn := range f.Tenants {
		t.Run(tn.ID, func(t *testing.T) {
			seen[tn.Model] = true
			cfg, secrets := accountConfig()
			res, outs := runObserved(t, f, tn.ID, cfg, secrets)
			typ := types[tn.Model]
			comps := ofType(res, typ)
			if len(comps) != 1 || comps[0].Name != tn.ID || comps[0].Custom {
				t.Fatalf("%s components %v, want one named %s", typ, comps, tn.ID)
			}
			for _, r := range res {
				switch r.Type {
				case typ, tProvider, tStackRef:
					continue
				}
				if r.ParentType != typ {
					t.Errorf("%s %s: parent %s (%s), want the %s component", r.Type, r.Name, r.Parent, r.ParentType, typ)
				}
			}
			for _, k := range outputs[tn.Model] {
				if _, ok := outs[k]; !ok {
					t.Errorf("output %s missing; outputs %v", k, keys(outs))
				}
			}
			for k, v := range outs {
				if k == emulation.OutputGaps {
					continue
				}
				if _, ok := v.(pulumi.Output); !ok {
					t.Errorf("output %s is %T, want a typed pulumi output of the component", k, v)
				}
			}
		})
	}
	for m := range types {
		if !seen[m] {
			t.Errorf("no sample tenant of the %s model", m)
		}
	}
}

// TestPlatformIsAComponentWithTypedOutputs: the platform stack holds one
// Platform component that parents every other resource but the provider, and
// exports exactly platform.OutputNames, each a typed pulumi output.
func TestPlatformIsAComponentWithTypedOutputs(t *testing.T) {
	res, outs := runObserved(t, samplefleet.Load(t), models.PlatformStack, nil, nil)
	comps := ofType(res, platform.ComponentType)
	if len(comps) != 1 || comps[0].Name != models.PlatformStack {
		t.Fatalf("%s components %v, want one named %s", platform.ComponentType, comps, models.PlatformStack)
	}
	for _, r := range res {
		if r.Type != platform.ComponentType && r.Type != tProvider && r.ParentType != platform.ComponentType {
			t.Errorf("%s %s: parent %s (%s), want the platform component", r.Type, r.Name, r.Parent, r.ParentType)
		}
	}
	want := slices.Sorted(slices.Values(platform.OutputNames))
	if got := keys(outs); !slices.Equal(got, want) {
		t.Errorf("outputs %v, want %v", got, want)
	}
	for k, v := range outs {
		if _, ok := v.(pulumi.Output); !ok {
			t.Errorf("output %s is %T, want a typed pulumi output of the component", k, v)
		}
	}
}

// TestLifecycleFindsThePlatformsResourcesByName: the names the lifecycle
// workflows reach the platform's resources by are the ones the platform
// stack gives them.
func TestLifecycleFindsThePlatformsResourcesByName(t *testing.T) {
	f := samplefleet.Load(t)
	res, _ := runObserved(t, f, models.PlatformStack, nil, nil)
	prefix := f.Settings.NamePrefix
	// Keyed by type and logical name: the user pool's domain shares the
	// pool's logical name.
	want := map[string]string{
		"aws:dynamodb/table:Table::platform-pool":       platform.PoolTableName(prefix),
		"aws:dynamodb/table:Table::platform-registry":   platform.RegistryTableName(prefix),
		"aws:cognito/userPool:UserPool::platform-users": platform.UserPoolName(prefix),
		"aws:sns/topic:Topic::platform-lifecycle":       platform.LifecycleTopicName(prefix),
	}
	found := 0
	for _, r := range res {
		name, ok := want[r.Key()]
		if !ok || !r.Custom {
			continue
		}
		found++
		if got := r.Inputs["name"]; got != name {
			t.Errorf("%s %s is named %v, the lifecycle looks for %s", r.Type, r.Name, got, name)
		}
	}
	if found != len(want) {
		t.Errorf("found %d of the %d resources", found, len(want))
	}
	if platform.ArchiveBucketName(prefix, "111111111111") != "saas-platform-archive-111111111111" {
		t.Errorf("archive bucket %s", platform.ArchiveBucketName(prefix, "111111111111"))
	}
}
