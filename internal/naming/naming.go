// Package naming is the one home of the names tenantctl gives things: the
// Pulumi project and the platform stack, the ids no tenant may take, the
// account-id pattern, AWS's name length limits, and the builders that derive the
// AWS names of tenantctl's resources from the fleet's name prefix and a tenant id,
// fitting each service's length limit without ever letting two tenants collide.
//
// internal/spec validates through it and the models name through it, so the
// two cannot drift apart. It imports the standard library only: spec must stay
// free of Pulumi and AWS imports.
package naming

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"slices"
	"strings"
)

const (
	// Project is the Pulumi project of every stack, the ManagedBy tag's value
	// and the head of tenant deployments' STS session names (tenantctl-<id>).
	Project = "tenantctl"
	// PlatformStack is the name of the stack of the platform's shared
	// infrastructure, the owner in the platform's logical and AWS names
	// (<prefix>-platform-…) and the TenantId tag of its resources.
	PlatformStack = "platform"
	// BaselineSessionOwner is the part after "tenantctl-" of the STS session
	// name the account lifecycle baselines accounts under; tenant deployments
	// put their tenant id there.
	BaselineSessionOwner = "baseline"
)

// AccountIDPattern is the shape of an AWS account id: twelve digits.
const AccountIDPattern = `^[0-9]{12}$`

var accountIDRe = regexp.MustCompile(AccountIDPattern)

// IsAccountID reports whether id is an AWS account id (AccountIDPattern).
func IsAccountID(id string) bool { return accountIDRe.MatchString(id) }

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
	// The platform stack's name (the rollout's "platform" wave and its engine
	// log platform.log), the owner in the platform's logical and AWS names
	// (<prefix>-platform-…) and the TenantId tag of its resources, by which
	// chargeback tells platform cost from a tenant's.
	PlatformStack,
	// The Pulumi project (organization/tenantctl/<stack>) and the ManagedBy tag value.
	Project,
	// The account lifecycle's STS session name is tenantctl-baseline
	// (internal/accounts/baseline.go); a tenant's deployments use
	// tenantctl-<id> (SessionName), so in CloudTrail a tenant "baseline" would
	// pass for the lifecycle.
	BaselineSessionOwner,
}

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

// SessionName names the STS session of owner's deployments: tenantctl-<owner>,
// at most MaxSessionName characters (of [\w+=,.@-]; tenant ids are DNS labels,
// which fit).
func SessionName(owner string) string {
	return Fit(Project+"-"+owner, MaxSessionName)
}

// Length limits of AWS names tenantctl sets explicitly.
const (
	MaxTargetGroup  = 32 // Elastic Load Balancing target groups
	MaxLoadBalancer = 32 // Elastic Load Balancing load balancers
	MaxIAMRole      = 64 // IAM roles
	MaxSessionName  = 64 // STS role session names
	MaxAPIKey       = 128
)

// Suffixes of the AWS names the models give a tenant's resources after
// `<prefix>-<id>-`. internal/spec validates the names they make, so that no
// tenant's name ever needs shortening by Fit: names stay readable, and the
// pooled service's policy can match every data role by its suffix.
const (
	// RoleExec ends the role ECS pulls a tenant's image and writes its logs
	// with (models/fargate).
	RoleExec = "exec"
	// RoleTask ends the role a tenant's containers run as (models/fargate).
	RoleTask = "task"
	// RoleData ends the data role the pooled service assumes for a pooled
	// tenant's requests: the platform's shared one (<prefix>-platform-data;
	// platform is a reserved id) or an application tenant's own, when it has
	// a data policy (models/platform, models/application).
	RoleData = "data"
	// TargetGroupSuffix ends a tenant's load balancer target group
	// (models/ingress).
	TargetGroupSuffix = "tg"
	// LoadBalancerSuffix ends a tenant's own load balancer (models/ingress).
	// It is as long as TargetGroupSuffix and the two limits are equal, so
	// validation's check of the target group name holds for it too.
	LoadBalancerSuffix = "lb"
)

// The tenant registry's partition key, and the attribute of an application
// tenant's item that holds its API key's value: the tenant's stack writes it
// (models/registry, models/application), the API's authorizer reads it
// (internal/authorizer).
const (
	RegistryTenantID = "tenantId"
	RegistryAPIKey   = "apiKey"
)

// MaxAuthDomainPrefix is the longest prefix of a Cognito user pool domain.
const MaxAuthDomainPrefix = 63

// AuthDomainPrefix is the prefix of the platform user pool's domain
// (<prefix>.auth.<region>.amazoncognito.com): such prefixes are unique in a
// region across every AWS account, so it is made from the fleet's own
// domain, <namePrefix>-platform-<domain with '-' for '.'>, in lowercase
// letters, digits and single hyphens, cut to MaxAuthDomainPrefix. Cognito
// refuses a prefix containing aws, amazon or cognito (validation checks it).
func AuthDomainPrefix(namePrefix, domain string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(Join(namePrefix, PlatformStack, domain)) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	out := b.String()
	if len(out) > MaxAuthDomainPrefix {
		out = out[:MaxAuthDomainPrefix]
	}
	return strings.TrimRight(out, "-")
}

// AuthDomainReserved are the words Cognito refuses in a domain prefix.
var AuthDomainReserved = []string{"aws", "amazon", "cognito"}

// RoleSuffixes lists every suffix of a tenant's IAM role names.
func RoleSuffixes() []string { return []string{RoleExec, RoleTask, RoleData} }

// hashLen is the length of the hash that replaces a truncated name's tail.
const hashLen = 6

// Join joins non-empty parts with '-'.
func Join(parts ...string) string {
	kept := parts[:0:0]
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, "-")
}

// Fit returns name when it fits max characters; otherwise it keeps the name's
// head and appends a short hash of the whole name, so that two long names that
// share a prefix still differ. The result never ends in '-'.
func Fit(name string, max int) string {
	if len(name) <= max {
		return name
	}
	sum := sha256.Sum256([]byte(name))
	h := hex.EncodeToString(sum[:])[:hashLen]
	head := strings.TrimRight(name[:max-hashLen-1], "-")
	return head + "-" + h
}

// Name is the AWS name of a resource of the tenant (or of the platform): the
// fleet prefix, the owner, and what the resource is, fit to max characters.
func Name(prefix, owner, what string, max int) string {
	return Fit(Join(prefix, owner, what), max)
}

// LogGroup is the CloudWatch log group of an owner's resources:
// /<prefix>/<owner>/<what>.
func LogGroup(prefix, owner, what string) string {
	return "/" + strings.Join([]string{prefix, owner, what}, "/")
}

// Logical is the Pulumi logical name of a child of component owner.
func Logical(owner string, parts ...string) string {
	return Join(append([]string{owner}, parts...)...)
}

// MaxAlarmName is CloudWatch's limit on an alarm name.
const MaxAlarmName = 255

// AlarmName is the CloudWatch alarm of one of owner's signals (a tenant id,
// or PlatformStack): <prefix>-<owner>-<signal>. A rollout's alarms gate reads
// the alarms of a wave's tenants by AlarmPrefix, so every alarm that should
// stop a release is named through here.
func AlarmName(prefix, owner, signal string) string {
	return Fit(Join(prefix, owner, signal), MaxAlarmName)
}

// AlarmPrefix is what every alarm name of owner starts with: <prefix>-<owner>-.
func AlarmPrefix(prefix, owner string) string { return Join(prefix, owner) + "-" }

// AlarmOwner is the owner among owners whose alarm name is: the one with the
// longest AlarmPrefix the name starts with, so tenant "acme"'s prefix does not
// claim the alarms of tenant "acme-corp"; "" when none.
func AlarmOwner(prefix string, owners []string, name string) string {
	best := ""
	for _, o := range owners {
		if strings.HasPrefix(name, AlarmPrefix(prefix, o)) && len(o) > len(best) {
			best = o
		}
	}
	return best
}
