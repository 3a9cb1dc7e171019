package spec

import (
	"strings"
	"testing"

	"github.com/tenantctl/tenantctl/internal/naming"
)

// TestRoleNamesFitWhateverTheID: a tenant's IAM role names are
// <prefix>-<id>-<suffix>. With the longest name prefix and tenant id validation
// allows, every suffix the models use still fits IAM's limit, so validation
// need not check role names and naming.Fit never shortens them. A longer
// suffix, or a longer bound, fails here.
func TestRoleNamesFitWhateverTheID(t *testing.T) {
	s := &Settings{NamePrefix: strings.Repeat("p", MaxNamePrefix)}
	tn := &Tenant{ID: strings.Repeat("i", MaxTenantID)}
	for _, suffix := range naming.RoleSuffixes() {
		if n := naming.Join(s.NamePrefix, tn.ID, suffix); len(n) > naming.MaxIAMRole {
			t.Errorf("role suffix %q: %s is %d characters, more than IAM's %d; validation would have to refuse long ids", suffix, n, len(n), naming.MaxIAMRole)
		}
	}
}
