package models_test

import (
	"sort"
	"strings"
	"testing"

	"github.com/tenantctl/tenantctl/internal/render"
	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/internal/testutil/samplefleet"
	"github.com/tenantctl/tenantctl/models"
	"github.com/tenantctl/tenantctl/models/provider"
)

// TestPlatformNamesAreReservedTenantIDs keeps spec.ReservedTenantIDs complete
// for good: it renders the platform stack and finds the owner of every name the
// stack gives (logical names, AWS names and Name tags `<prefix>-<owner>-…`, log
// groups `/<prefix>/<owner>/…`, STS sessions `tenantctl-<owner>`), where a tenant
// stack puts its tenant id. Each owner must be a reserved tenant id, or a tenant
// could be called by it and share the platform's stack or resources. A future
// platform resource named for a new owner fails here until the owner is
// reserved in internal/naming/naming.go.
func TestPlatformNamesAreReservedTenantIDs(t *testing.T) {
	f := samplefleet.Load(t)
	res := mustRun(t, f, models.PlatformStack)
	reserved := spec.ReservedTenantIDs()
	for _, stack := range []string{models.PlatformStack, render.Project} {
		if !spec.IsReservedTenantID(stack) {
			t.Errorf("stack or project name %q is not a reserved tenant id", stack)
		}
	}
	// The prefixes after which a tenant stack's names carry the tenant id.
	prefix := f.Settings.NamePrefix
	session := strings.TrimSuffix(provider.SessionName("x"), "x")
	owned := func(what, name string) {
		if !ownedByReserved(name, reserved) {
			t.Errorf("%s %q is named for an owner that is not a reserved tenant id (%s); a tenant with that id would share it: add the owner to reservedTenantIDs in internal/naming/naming.go", what, name, strings.Join(reserved, ", "))
		}
	}
	names := 0
	for _, r := range res {
		owned(r.Type+" logical name", r.Name)
		names++
		for _, s := range stringsIn(r.Inputs) {
			switch {
			case strings.HasPrefix(s, prefix+"-"):
				owned(r.Name+" input", strings.TrimPrefix(s, prefix+"-"))
			case strings.HasPrefix(s, "/"+prefix+"/"):
				owned(r.Name+" log group", strings.ReplaceAll(strings.TrimPrefix(s, "/"+prefix+"/"), "/", "-"))
			case strings.HasPrefix(s, session):
				owned(r.Name+" session name", strings.TrimPrefix(s, session))
			default:
				continue
			}
			names++
		}
		if n, ok := r.Tags["Name"]; ok {
			owned(r.Name+" Name tag", strings.TrimPrefix(n, prefix+"-"))
			names++
		}
	}
	if len(res) < 50 || names <= len(res) {
		t.Fatalf("checked %d names of %d resources; the platform stack did not render as expected", names, len(res))
	}
}

// ownedByReserved reports whether name is a reserved id or starts with one and '-'.
func ownedByReserved(name string, reserved []string) bool {
	for _, r := range reserved {
		if name == r || strings.HasPrefix(name, r+"-") {
			return true
		}
	}
	return false
}

// stringsIn returns every string inside a resource's inputs, nested or not, sorted.
func stringsIn(v any) []string {
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			out = append(out, x)
		case map[string]any:
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	sort.Strings(out)
	return out
}
