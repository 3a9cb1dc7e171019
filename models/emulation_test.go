package models_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/tenantctl/tenantctl/internal/emulator/gaps"
	"github.com/tenantctl/tenantctl/internal/render"
	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/internal/testutil/samplefleet"
	"github.com/tenantctl/tenantctl/models"
	"github.com/tenantctl/tenantctl/models/emulation"
	"github.com/tenantctl/tenantctl/models/provider"
)

const emulatorURL = "http://127.0.0.1:45123"

// emulated is a stack's configuration pointed at moto, as `dev up` writes it.
func emulated() (map[string]string, []string) {
	cfg, secrets := accountConfig()
	cfg[models.ConfigKey(emulation.ConfigEndpointURL)] = emulatorURL
	cfg[models.ConfigKey(emulation.ConfigEmulator)] = gaps.MotoName
	cfg[models.ConfigKey(emulation.ConfigCredentials)] = emulation.CredentialsDummy
	return cfg, secrets
}

// runObserved runs a stack's program under the recording mocks and returns its
// resources and its outputs.
func runObserved(t *testing.T, f *spec.Fleet, stack string, cfg map[string]string, secrets []string) ([]*render.Resource, models.Outputs) {
	t.Helper()
	var outs models.Outputs
	program, err := models.ProgramWith(f, stack, models.Options{Lambdas: testLambdas, Observe: func(o models.Outputs) { outs = o }})
	if err != nil {
		t.Fatal(err)
	}
	rec := &render.Recorder{PlatformOutputs: platformOutputs()}
	g, err := render.Run(program, render.Options{Stack: stack, Config: cfg, Secrets: secrets, Recorder: rec})
	if err != nil {
		t.Fatalf("stack %s: %v", stack, err)
	}
	return g.Resources, outs
}

// TestEmulatorEndpointReachesEveryProvider: pointed at an emulator, the
// provider of every sample stack sends every service to it, skips the checks
// an emulator cannot answer and uses dummy credentials; every AWS resource the
// stack registers calls a service that has an endpoint (a model that starts
// using a new service fails here until provider.ServiceOf knows it). Pointed
// at AWS, none of it is there.
func TestEmulatorEndpointReachesEveryProvider(t *testing.T) {
	f := samplefleet.Load(t)
	for _, stack := range render.AllStacks(f) {
		t.Run(stack, func(t *testing.T) {
			cfg, secrets := emulated()
			res, outs := runObserved(t, f, stack, cfg, secrets)
			// Every provider: the account model's second one, of the
			// platform's account, too.
			var block map[string]any
			for _, prov := range ofType(res, tProvider) {
				eps, _ := prov.Inputs["endpoints"].([]any)
				if len(eps) != 1 {
					t.Fatalf("%s: endpoints = %v, want one block", prov.Name, prov.Inputs["endpoints"])
				}
				block, _ = eps[0].(map[string]any)
				for _, s := range provider.Services() {
					if block[s] != emulatorURL {
						t.Errorf("%s: endpoint %s = %v, want %s", prov.Name, s, block[s], emulatorURL)
					}
				}
				for _, flag := range []string{"skipCredentialsValidation", "skipRequestingAccountId", "skipMetadataApiCheck", "s3UsePathStyle"} {
					if prov.Inputs[flag] != true {
						t.Errorf("%s: %s = %v, want true", prov.Name, flag, prov.Inputs[flag])
					}
				}
				if prov.Inputs["accessKey"] != render.Secret || prov.Inputs["secretKey"] != render.Secret {
					t.Errorf("%s: dummy credentials: accessKey %v secretKey %v, want both set (as secrets)", prov.Name, prov.Inputs["accessKey"], prov.Inputs["secretKey"])
				}
				if _, ok := prov.Inputs["allowedAccountIds"]; ok {
					t.Errorf("%s: allowedAccountIds set against an emulator: the provider cannot check it without the account id", prov.Name)
				}
			}
			if f.Tenant(stack) != nil && f.Tenant(stack).Model == spec.ModelAccount {
				ar, _ := providerNamed(t, res, stack).Inputs["assumeRole"].(map[string]any)
				if !strings.HasSuffix(ar["roleArn"].(string), ":role/"+f.Settings.Organization.DeployRoleName) || ar["externalId"] == nil {
					t.Errorf("account model lost its assumeRole: %v", ar)
				}
			}
			for _, r := range res {
				if !r.Custom || !strings.HasPrefix(r.Type, "aws:") {
					continue
				}
				svc, ok := provider.ServiceOf(r.Type)
				if !ok {
					t.Errorf("%s %s: no endpoint is mapped for its service; add it to models/provider (moduleServices)", r.Type, r.Name)
					continue
				}
				if block[svc] != emulatorURL {
					t.Errorf("%s %s: service %s has no endpoint", r.Type, r.Name, svc)
				}
			}
			if _, ok := outs[emulation.OutputGaps]; !ok {
				t.Errorf("outputs %v: no %s", keys(outs), emulation.OutputGaps)
			}

			// The same stack pointed at AWS.
			cfg, secrets = accountConfig()
			res, outs = runObserved(t, f, stack, cfg, secrets)
			for _, prov := range ofType(res, tProvider) {
				for _, key := range []string{"endpoints", "skipRequestingAccountId", "skipMetadataApiCheck", "s3UsePathStyle", "accessKey", "secretKey"} {
					if v, ok := prov.Inputs[key]; ok {
						t.Errorf("pointed at AWS, provider %s has %s = %v", prov.Name, key, v)
					}
				}
				if prov.Inputs["skipCredentialsValidation"] == true {
					t.Errorf("pointed at AWS, provider %s skips credentials validation", prov.Name)
				}
			}
			if _, ok := outs[emulation.OutputGaps]; ok {
				t.Errorf("pointed at AWS, the stack exports %s", emulation.OutputGaps)
			}
		})
	}
}

func keys(m models.Outputs) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// gapsOf reads the emulatorGaps output.
func gapsOf(t *testing.T, outs models.Outputs) []string {
	t.Helper()
	ids, ok := emulation.AppliedIn(outs)
	if !ok {
		t.Fatalf("outputs %v: no %s list", keys(outs), emulation.OutputGaps)
	}
	return ids
}

// scalingLeftOut are the emulated and real counts of a service's autoscaling
// (gaps.ServiceAutoscaling).
var scalingLeftOut = map[string][2]int{tTarget: {0, 1}, tPolicy: {0, 2}}

// alarmsLeftOut are the emulated and real counts of a tenant's n alarms and
// their dashboard (gaps.MetricAlarm, gaps.Dashboard).
func alarmsLeftOut(n int) map[string][2]int {
	return map[string][2]int{tAlarm: {0, n}, tDashboard: {0, 1}}
}

// monitoringGaps are the gaps every tenant with alarms applies.
var monitoringGaps = []string{gaps.Dashboard, gaps.MetricAlarm}

// sortedGaps joins gap lists, sorted as the stacks report them.
func sortedGaps(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	slices.Sort(out)
	return out
}

func merge2(ms ...map[string][2]int) map[string][2]int {
	out := map[string][2]int{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// TestEmulatorGapsAreAppliedAndReported: in emulator mode the models leave out
// or adapt exactly what moto's gap list names, each stack reports the gaps it
// applied, and nothing changes pointed at AWS.
func TestEmulatorGapsAreAppliedAndReported(t *testing.T) {
	f := samplefleet.Load(t)
	cases := []struct {
		stack string
		gaps  []string
		// emulated and real counts of types that differ
		diff map[string][2]int
	}{
		{"platform", []string{gaps.CostAllocationTag, gaps.MetricAlarm, gaps.TransitGatewayAttach, gaps.XRaySamplingRule},
			map[string][2]int{tCostTag: {0, 1}, tTGWAttach: {0, 2}, tRoute: {2, 4}, tTGW: {1, 1}, tSampling: {0, 1}, tAlarm: {0, 2}}},
		{"initech", sortedGaps(monitoringGaps, []string{gaps.ECSManagedTags, gaps.ServiceAutoscaling, gaps.TransitGatewayAttach}),
			merge2(scalingLeftOut, alarmsLeftOut(6), map[string][2]int{tTGWAttach: {0, 1}, tRoute: {2, 4}})},
		{"acme-corp", sortedGaps(monitoringGaps, []string{gaps.BudgetTags, gaps.ECSManagedTags, gaps.ServiceAutoscaling}),
			merge2(scalingLeftOut, alarmsLeftOut(8), map[string][2]int{tBudget: {0, 1}})},
		{"hooli", sortedGaps(monitoringGaps, []string{gaps.ECSManagedTags, gaps.ServiceAutoscaling}), merge2(scalingLeftOut, alarmsLeftOut(6))},
		{"soylent", sortedGaps(monitoringGaps, []string{gaps.ECSManagedTags, gaps.ServiceAutoscaling}), merge2(scalingLeftOut, alarmsLeftOut(6))},
		{"wonka", monitoringGaps, alarmsLeftOut(2)},
	}
	for _, c := range cases {
		t.Run(c.stack, func(t *testing.T) {
			cfg, secrets := emulated()
			emu, outs := runObserved(t, f, c.stack, cfg, secrets)
			cfg, secrets = accountConfig()
			real, _ := runObserved(t, f, c.stack, cfg, secrets)
			if got := gapsOf(t, outs); strings.Join(got, ",") != strings.Join(c.gaps, ",") {
				t.Errorf("%s = %v, want %v", emulation.OutputGaps, got, c.gaps)
			}
			ce, cr := countByType(emu), countByType(real)
			for typ, want := range c.diff {
				if ce[typ] != want[0] || cr[typ] != want[1] {
					t.Errorf("%s: emulated %d real %d, want %d and %d", typ, ce[typ], cr[typ], want[0], want[1])
				}
			}
			for typ := range merge(ce, cr) {
				if _, ok := c.diff[typ]; !ok && ce[typ] != cr[typ] {
					t.Errorf("%s: emulated %d real %d; only the gaps' resources may differ", typ, ce[typ], cr[typ])
				}
			}
			for _, svc := range ofType(emu, tService) {
				if _, ok := svc.Inputs["enableEcsManagedTags"]; ok {
					t.Errorf("emulated %s: enableEcsManagedTags = %v, want unset", svc.Name, svc.Inputs["enableEcsManagedTags"])
				}
			}
			for _, svc := range ofType(real, tService) {
				if svc.Inputs["enableEcsManagedTags"] != true {
					t.Errorf("real %s: enableEcsManagedTags = %v, want true", svc.Name, svc.Inputs["enableEcsManagedTags"])
				}
			}
			for _, b := range ofType(real, tBudget) {
				if n, _ := b.Inputs["notifications"].([]any); len(n) != 2 || b.Inputs["limitAmount"] != "5000.00" || b.Inputs["accountId"] != "210987654321" {
					t.Errorf("real budget inputs: %v", b.Inputs)
				}
			}
		})
	}
}

// TestNoOmittedResourceInEmulatorMode: no stack of the sample fleet
// registers, in emulator mode, a resource of a type the gap list says is left
// out, whatever model registers it.
func TestNoOmittedResourceInEmulatorMode(t *testing.T) {
	f := samplefleet.Load(t)
	gaps, err := gaps.For(gaps.MotoName)
	if err != nil {
		t.Fatal(err)
	}
	for _, stack := range render.AllStacks(f) {
		cfg, secrets := emulated()
		res, _ := runObserved(t, f, stack, cfg, secrets)
		for _, g := range gaps.List() {
			if g.Action != "omit" {
				continue
			}
			if n := len(ofType(res, g.Resource)); n > 0 {
				t.Errorf("%s: %d %s in emulator mode; gap %s leaves them out", stack, n, g.Resource, g.ID)
			}
		}
	}
}

// TestEmulatorConfigRefusals: a bad emulator setting fails the stack naming
// the key.
func TestEmulatorConfigRefusals(t *testing.T) {
	f := samplefleet.Load(t)
	cases := []struct{ key, value, want string }{
		{emulation.ConfigEndpointURL, "localhost:5000", "tenantctl:endpointUrl: endpoint \"localhost:5000\" is not an http(s) URL"},
		{emulation.ConfigEmulator, "azurite", "tenantctl:emulator: unknown emulator \"azurite\""},
		{emulation.ConfigCredentials, "root", "tenantctl:emulatorCredentials \"root\": want dummy or environment"},
	}
	for _, c := range cases {
		cfg, secrets := emulated()
		cfg[models.ConfigKey(c.key)] = c.value
		if _, err := run(t, f, "hooli", cfg, secrets); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s=%s: err = %v, want %q", c.key, c.value, err, c.want)
		}
	}
}
