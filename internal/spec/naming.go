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

// Suffixes validation reserves room for after `<prefix>-<id>-` in a tenant's IAM
// role names: an id passes only when RoleName with the longest still fits
// naming.MaxIAMRole. The models' roles today (exec, task, data; see
// models/fargate, models/application) are shorter, and the models fit every
// name with naming.Name besides, so no id that passes yields a name AWS refuses.
const (
	// RoleTask is the role the tenant's containers run as.
	RoleTask = "task"
	// RoleTaskExecution is the role ECS pulls images and writes logs with.
	RoleTaskExecution = "task-execution"
	// RoleTenantAccess is the tenant-scoped role of pooled (application) tenants.
	RoleTenantAccess = "tenant-access"
)

// RoleSuffixes lists every per-tenant role suffix.
var RoleSuffixes = []string{RoleTask, RoleTaskExecution, RoleTenantAccess}

// Name is a tenant's AWS name before fitting: `<prefix>-<id>` followed by
// `-<part>` for each part, joined by naming.Join as the models join theirs.
func Name(s *Settings, t *Tenant, parts ...string) string {
	return naming.Join(append([]string{s.NamePrefix, t.ID}, parts...)...)
}

// RoleName is the name of a tenant's IAM role: `<prefix>-<id>-<suffix>`, at most
// naming.MaxIAMRole characters (validation guarantees it for RoleSuffixes).
func RoleName(s *Settings, t *Tenant, suffix string) string { return Name(s, t, suffix) }

// TargetGroupName is the name of a tenant's load balancer target group:
// `<prefix>-<id>`, at most naming.MaxTargetGroup characters (validation guarantees it
// for every tenant that runs a service).
func TargetGroupName(s *Settings, t *Tenant) string { return Name(s, t) }

// longestRoleSuffix is the longest of RoleSuffixes.
func longestRoleSuffix() string {
	l := ""
	for _, s := range RoleSuffixes {
		if len(s) > len(l) {
			l = s
		}
	}
	return l
}

// ReservedTenantIDs lists the ids no tenant may take, sorted (naming.ReservedTenantIDs).
func ReservedTenantIDs() []string { return naming.ReservedTenantIDs() }

// IsReservedTenantID reports whether id is a name tenantctl uses itself
// (naming.IsReservedTenantID).
func IsReservedTenantID(id string) bool { return naming.IsReservedTenantID(id) }
