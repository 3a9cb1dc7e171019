package spec

import "slices"

// AWS name length limits that prefixed resource names must respect.
const (
	// MaxIAMRoleName is IAM's limit on role names.
	MaxIAMRoleName = 64
	// MaxTargetGroupName is Elastic Load Balancing's limit on target group names.
	MaxTargetGroupName = 32
	// MaxTenantID bounds tenant ids so that prefixed names stay readable.
	MaxTenantID = 40
	// MaxNamePrefix bounds settings.namePrefix.
	MaxNamePrefix = 12
)

// Suffixes of the IAM roles tenantctl creates per tenant. Every model names its
// roles with RoleName and one of these, so validation can check the longest.
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

// Name is the one way every room names a tenant's AWS resources:
// `<prefix>-<id>` followed by `-<part>` for each part.
func Name(s *Settings, t *Tenant, parts ...string) string {
	n := len(s.NamePrefix) + 1 + len(t.ID)
	for _, p := range parts {
		n += 1 + len(p)
	}
	b := make([]byte, 0, n)
	b = append(b, s.NamePrefix...)
	b = append(b, '-')
	b = append(b, t.ID...)
	for _, p := range parts {
		b = append(b, '-')
		b = append(b, p...)
	}
	return string(b)
}

// RoleName is the name of a tenant's IAM role: `<prefix>-<id>-<suffix>`, at most
// MaxIAMRoleName characters (validation guarantees it for RoleSuffixes).
func RoleName(s *Settings, t *Tenant, suffix string) string { return Name(s, t, suffix) }

// TargetGroupName is the name of a tenant's load balancer target group:
// `<prefix>-<id>`, at most MaxTargetGroupName characters (validation guarantees it
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

// reservedTenantIDs are names tenantctl itself gives to stacks, projects,
// organizational units or resource owners. A tenant with one of these ids
// would share a stack or resource names with the platform: `destroy --tenant
// platform` would destroy the shared platform stack.
//
// Each entry says where the name takes a tenant id's place. Names the platform
// uses only after its own owner name ("shared" in platform-shared-…, the OU
// logical names platform-ou-workload, "pool" in <prefix>-platform-pool) are not
// listed: they never stand where a tenant id stands, so no id can collide with
// them. models/reserved_test.go renders the platform stack and fails when one of
// its resources is named for an owner missing here.
var reservedTenantIDs = []string{
	// The platform stack's name (models.PlatformStack, rollout.PlatformStack,
	// the rollout's "platform" wave and its engine log platform.log), the owner
	// in the platform's logical and AWS names (<prefix>-platform-…) and the
	// TenantId tag of its resources, by which chargeback tells platform cost
	// from a tenant's.
	PlatformTenantID,
	// The Pulumi project (organization/tenantctl/<stack>) and the ManagedBy tag value.
	ManagedByValue,
	// The account lifecycle's STS session name is tenantctl-baseline
	// (internal/accounts/baseline.go); a tenant's deployments use
	// tenantctl-<id> (models/provider.SessionName), so in CloudTrail a tenant
	// "baseline" would pass for the lifecycle.
	BaselineSessionOwner,
}

// BaselineSessionOwner is the part after "tenantctl-" of the STS session name
// the account lifecycle baselines accounts under; tenant deployments put their
// tenant id there.
const BaselineSessionOwner = "baseline"

// ReservedTenantIDs lists the ids no tenant may take, sorted.
func ReservedTenantIDs() []string {
	out := slices.Clone(reservedTenantIDs)
	slices.Sort(out)
	return out
}

// IsReservedTenantID reports whether id is a name tenantctl uses itself.
func IsReservedTenantID(id string) bool {
	return slices.Contains(reservedTenantIDs, id)
}
