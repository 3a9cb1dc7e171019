package fingerprint_test

import (
	"errors"
	"maps"
	"slices"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"

	"github.com/tenantctl/tenantctl/internal/fingerprint"
	"github.com/tenantctl/tenantctl/internal/render"
	"github.com/tenantctl/tenantctl/internal/stackconfig"
	"github.com/tenantctl/tenantctl/internal/testutil/samplefleet"
)

func sampleFingerprints(t *testing.T, edit func(cfg map[string]auto.ConfigValue, stack string)) map[string]string {
	t.Helper()
	f := samplefleet.Load(t)
	dir := stackconfig.Dir(samplefleet.StacksDir())
	source := func(stack string) (map[string]auto.ConfigValue, error) {
		cfg, err := dir(stack)
		if err == nil && edit != nil {
			edit(cfg, stack)
		}
		return cfg, err
	}
	fps, failed := fingerprint.Stacks(f, render.AllStacks(f), source)
	if len(failed) > 0 {
		t.Fatal(failed)
	}
	return fps
}

func changed(a, b map[string]string) []string {
	var out []string
	for k := range a {
		if a[k] != b[k] {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// TestFingerprintsAreStable: the same fleet, loaded and rendered again, gives
// the same fingerprint for every stack — registration order, goroutines and
// map order in the program make no difference.
func TestFingerprintsAreStable(t *testing.T) {
	a := sampleFingerprints(t, nil)
	b := sampleFingerprints(t, nil)
	if len(a) != 15 {
		t.Fatalf("%d fingerprints, want the platform and 14 tenants", len(a))
	}
	if d := changed(a, b); len(d) > 0 {
		t.Fatalf("fingerprints differ between two renders of the same fleet: %v", d)
	}
	for s, fp := range a {
		if !fingerprint.Valid(fp) {
			t.Errorf("%s: %q is not a fingerprint", s, fp)
		}
	}
	if len(slices.Compact(slices.Sorted(maps.Values(a)))) != len(a) {
		t.Error("two stacks share a fingerprint")
	}
}

// TestFingerprintFollowsTheTenantFile: a change to one tenant's file changes
// that tenant's fingerprint and no other.
func TestFingerprintFollowsTheTenantFile(t *testing.T) {
	before := sampleFingerprints(t, nil)
	f := samplefleet.Load(t)
	f.Tenant("hooli").Tags = map[string]string{"Project": "nucleus"}
	after, failed := fingerprint.Stacks(f, render.AllStacks(f), stackconfig.Dir(samplefleet.StacksDir()))
	if len(failed) > 0 {
		t.Fatal(failed)
	}
	if d := changed(before, after); !slices.Equal(d, []string{"hooli"}) {
		t.Fatalf("a tag on hooli changed the fingerprints of %v, want [hooli]", d)
	}
}

// TestFingerprintFollowsTheStackConfig: configuration the program never reads
// into a resource still changes the fingerprint (the provider reads it), and
// so does a rotated secret — of that stack only.
func TestFingerprintFollowsTheStackConfig(t *testing.T) {
	before := sampleFingerprints(t, nil)
	for _, c := range []struct {
		name string
		edit func(cfg map[string]auto.ConfigValue)
	}{
		{"a new key", func(cfg map[string]auto.ConfigValue) {
			cfg["aws:skipMetadataApiCheck"] = auto.ConfigValue{Value: "true"}
		}},
		{"a rotated secret", func(cfg map[string]auto.ConfigValue) {
			cfg["tenantctl:rotated"] = auto.ConfigValue{Value: "s3cr3t-2", Secret: true}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			after := sampleFingerprints(t, func(cfg map[string]auto.ConfigValue, stack string) {
				if stack == "wonka" {
					c.edit(cfg)
				}
			})
			if d := changed(before, after); !slices.Equal(d, []string{"wonka"}) {
				t.Fatalf("changed %v, want [wonka]", d)
			}
		})
	}
}

// TestFingerprintFollowsTheTools: a new Pulumi SDK is a change; a new AWS
// provider is one through the version every AWS registration carries.
func TestFingerprintFollowsTheTools(t *testing.T) {
	g := &render.Graph{Stack: "wonka"}
	a := fingerprint.Of(g, nil, fingerprint.Tools{PulumiSDK: "3.259.0"})
	b := fingerprint.Of(g, nil, fingerprint.Tools{PulumiSDK: "3.260.0"})
	if a == b {
		t.Fatal("a new Pulumi SDK left the fingerprint as it was")
	}
	if got := fingerprint.BuiltWith(); got.PulumiSDK == "" || got.PulumiSDK == "0.0.0" {
		t.Fatalf("BuiltWith() = %+v, want the Pulumi SDK's version", got)
	}
	f := samplefleet.Load(t)
	graph, err := render.Stack(f, "wonka", stackconfig.Dir(samplefleet.StacksDir()))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range graph.Resources {
		if r.Registration == [32]byte{} {
			t.Errorf("%s: no registration digest", r.Key())
		}
	}
}

// TestUnrenderableStackHasNoFingerprint: a stack whose configuration cannot
// be read is reported and left without a fingerprint; the others are not held up.
func TestUnrenderableStackHasNoFingerprint(t *testing.T) {
	f := samplefleet.Load(t)
	dir := stackconfig.Dir(samplefleet.StacksDir())
	fps, failed := fingerprint.Stacks(f, []string{"hooli", "wonka"}, func(stack string) (map[string]auto.ConfigValue, error) {
		if stack == "wonka" {
			return nil, errors.New("no passphrase")
		}
		return dir(stack)
	})
	if len(failed) != 1 || failed["wonka"] == nil || fps["wonka"] != "" || !fingerprint.Valid(fps["hooli"]) {
		t.Fatalf("fingerprints %v, failures %v", fps, failed)
	}
}
