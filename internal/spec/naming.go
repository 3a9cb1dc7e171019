package spec

import "github.com/tenantctl/tenantctl/internal/naming"

// Bounds tenantctl sets on the parts of its names; AWS's own limits live in
// internal/naming, beside the builders the models name with.
const (
	// MaxTenantID bounds tenant ids so that prefixed names stay readable.
	MaxTenantID = 40
	// MaxNamePrefix bounds settings.namePrefix.
	MaxNamePrefix = 12
)

// TargetGroupName is the name of a tenant's load balancer target group,
// `<prefix>-<id>-tg` as models/container builds it. Validation refuses an id
// that would make it longer than naming.MaxTargetGroup for every tenant that
// runs a service (one may move to the container model, keeping its id), so it
// is never shortened.
//
// The tenant's IAM role names, `<prefix>-<id>-<suffix>` for each of
// naming.RoleSuffixes, need no such check: with MaxNamePrefix and MaxTenantID
// they fit naming.MaxIAMRole whatever the id (TestRoleNamesFitWhateverTheID).
func TargetGroupName(s *Settings, t *Tenant) string {
	return naming.Join(s.NamePrefix, t.ID, naming.TargetGroupSuffix)
}

// ReservedTenantIDs lists the ids no tenant may take, sorted (naming.ReservedTenantIDs).
func ReservedTenantIDs() []string { return naming.ReservedTenantIDs() }

// IsReservedTenantID reports whether id is a name tenantctl uses itself
// (naming.IsReservedTenantID).
func IsReservedTenantID(id string) bool { return naming.IsReservedTenantID(id) }
