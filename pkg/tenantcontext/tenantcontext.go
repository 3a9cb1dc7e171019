// Package tenantcontext is a pooled tenant's identity at request time, for the
// services that serve the application (pooled) model's tenants: it verifies the
// Cognito token a request carries, derives the tenant, its tier and its role
// from the token's claims, carries them in the request's context, stamps them
// on log records, and vends AWS credentials scoped to the tenant through
// session tags on one shared data role.
package tenantcontext

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// Role is what a caller may do: a tenant's user, a tenant's admin, or a
// platform operator across every tenant.
type Role string

// Roles, weakest first.
const (
	RoleUser        Role = "user"
	RoleAdmin       Role = "admin"
	RoleSystemAdmin Role = "system-admin"
)

// SystemAdminGroup is the user pool group of the platform's operators.
const SystemAdminGroup = "system-admin"

// Suffixes of a tenant's user pool groups: <tenantId>-admin and <tenantId>-user.
const (
	adminSuffix = "-admin"
	userSuffix  = "-user"
)

// AdminGroup is the user pool group of a tenant's admins.
func AdminGroup(tenantID string) string { return tenantID + adminSuffix }

// UserGroup is the user pool group of a tenant's users.
func UserGroup(tenantID string) string { return tenantID + userSuffix }

// Claim names Cognito puts the tenant's attributes and groups under.
const (
	ClaimTenantID = "custom:tenantId"
	ClaimTier     = "custom:tier"
	ClaimGroups   = "cognito:groups"
)

// Tenant is the caller of one request. ID is empty for a system admin whose
// token names no tenant.
type Tenant struct {
	ID      string
	Tier    string
	Role    Role
	Subject string
}

// tenantIDRe is a tenant id as tenantctl's specs allow it (a DNS label): it
// goes into API resource paths, partition keys and session tags, so a claim
// holding '*', '/' or '#' must never pass for one.
var tenantIDRe = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`)

// ErrTenantMismatch is a token whose tenant claim and groups disagree.
var ErrTenantMismatch = errors.New("tenant claim does not match the token's groups")

// fromClaims derives the tenant from a verified token's claims. Every tenant
// group must belong to the tenant the custom:tenantId claim names, so a user
// moved between tenants without its groups following is refused rather than
// given the other tenant's rights; the strongest group names the role.
func fromClaims(subject, tenantID, tier string, groups []string) (Tenant, error) {
	t := Tenant{ID: tenantID, Tier: tier, Subject: subject}
	if tenantID != "" && !tenantIDRe.MatchString(tenantID) {
		return Tenant{}, fmt.Errorf("tenant claim %q is not a tenant id", tenantID)
	}
	for _, g := range groups {
		var groupTenant string
		var role Role
		switch {
		case g == SystemAdminGroup:
			t.Role = RoleSystemAdmin
			continue
		case strings.HasSuffix(g, adminSuffix):
			groupTenant, role = strings.TrimSuffix(g, adminSuffix), RoleAdmin
		case strings.HasSuffix(g, userSuffix):
			groupTenant, role = strings.TrimSuffix(g, userSuffix), RoleUser
		default:
			continue // a group tenantctl does not define grants nothing
		}
		if groupTenant != tenantID {
			return Tenant{}, ErrTenantMismatch
		}
		if t.Role == "" || t.Role == RoleUser {
			t.Role = role
		}
	}
	switch {
	case t.Role == "":
		return Tenant{}, errors.New("token belongs to no tenant group")
	case t.Role != RoleSystemAdmin && t.ID == "":
		return Tenant{}, errors.New("token names no tenant")
	}
	return t, nil
}

type contextKey struct{}

// WithTenant returns ctx carrying t.
func WithTenant(ctx context.Context, t Tenant) context.Context {
	return context.WithValue(ctx, contextKey{}, t)
}

// FromContext is the tenant ctx carries, if any.
func FromContext(ctx context.Context) (Tenant, bool) {
	t, ok := ctx.Value(contextKey{}).(Tenant)
	return t, ok
}
