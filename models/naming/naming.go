// Package naming derives the AWS names of tenantctl's resources from the fleet's
// name prefix and a tenant id, fitting each service's length limit without ever
// letting two tenants collide.
package naming

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// Length limits of AWS names tenantctl sets explicitly.
const (
	MaxTargetGroup  = 32 // Elastic Load Balancing target groups
	MaxLoadBalancer = 32 // Elastic Load Balancing load balancers
	MaxIAMRole      = 64 // IAM roles
	MaxSessionName  = 64 // STS role session names
	MaxAPIKey       = 128
)

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
