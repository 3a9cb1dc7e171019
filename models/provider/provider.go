// Package provider builds the one explicit AWS provider of each stack: the
// region, the cost-allocation tags as default tags, and for tenants in an account
// of their own the role the deployment assumes there.
//
// Every provider of tenantctl is built from Args, so a setting that applies to
// all of them (an endpoint override for an emulator, say) belongs in one place.
package provider

import (
	"fmt"
	"sort"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/tenantctl/tenantctl/internal/iampolicy"
	"github.com/tenantctl/tenantctl/internal/naming"
)

// AssumeRole is the role a provider assumes in a tenant's own account.
type AssumeRole struct {
	// AccountID is the tenant's 12-digit AWS account id.
	AccountID string
	// RoleName is the role in that account: the deploy role
	// (settings.organization.deployRoleName), or the read-only preview role
	// (previewRoleName) for previews.
	RoleName string
	// ExternalID guards the role against the confused deputy; a secret.
	ExternalID pulumi.StringInput
	// OrganizationAccess says the role is the organization's access role,
	// assumed from the management account, which trusts that account alone
	// and takes no external id (the platform's way into the log archive).
	OrganizationAccess bool
	// TenantID names the session, so CloudTrail shows which tenant's
	// deployment acted (the platform's: naming.PlatformStack).
	TenantID string
}

// RoleARN is the ARN of a role in an account, in the partition of region.
func RoleARN(region, accountID, roleName string) string {
	return iampolicy.RoleArn(iampolicy.Partition(region), accountID, roleName)
}

// SessionName names the STS session of a tenant's deployment (at most 64
// characters of [\w+=,.@-]; tenant ids are DNS labels, which fit).
func SessionName(tenantID string) string {
	return naming.SessionName(tenantID)
}

// Args is the provider configuration of a stack. tags become the provider's
// default tags; role is nil for stacks in the SaaS account; ep is nil for
// stacks pointed at AWS and sends every service to an emulator otherwise.
func Args(region string, tags map[string]string, role *AssumeRole, ep *Endpoint) (*aws.ProviderArgs, error) {
	if region == "" {
		return nil, fmt.Errorf("provider: region is empty")
	}
	args := &aws.ProviderArgs{
		Region: pulumi.StringPtr(region),
		DefaultTags: aws.ProviderDefaultTagsArgs{
			Tags: StringMap(tags),
		},
	}
	if role != nil {
		if !naming.IsAccountID(role.AccountID) {
			return nil, fmt.Errorf("provider: account id %q is not 12 digits", role.AccountID)
		}
		if role.RoleName == "" {
			return nil, fmt.Errorf("provider: deploy role name is empty")
		}
		if role.ExternalID == nil && !role.OrganizationAccess {
			return nil, fmt.Errorf("provider: assuming %s needs an external id", RoleARN(region, role.AccountID, role.RoleName))
		}
		assume := aws.ProviderAssumeRoleArgs{
			RoleArn:     pulumi.StringPtr(RoleARN(region, role.AccountID, role.RoleName)),
			SessionName: pulumi.StringPtr(SessionName(role.TenantID)),
		}
		if role.ExternalID != nil {
			assume.ExternalId = role.ExternalID.ToStringOutput().ToStringPtrOutput()
		}
		args.AssumeRole = assume
		// Refuse to deploy into any other account, whatever credentials the
		// pipeline happens to hold after assuming the role. (Not against an
		// emulator: the check needs the account id, which the provider then
		// does not ask for; the emulator honours the assumed role's account.)
		if ep == nil {
			args.AllowedAccountIds = pulumi.StringArray{pulumi.String(role.AccountID)}
		}
	}
	if ep != nil {
		if err := ep.apply(args); err != nil {
			return nil, err
		}
	}
	return args, nil
}

// New registers the stack's provider.
func New(ctx *pulumi.Context, name string, args *aws.ProviderArgs, opts ...pulumi.ResourceOption) (*aws.Provider, error) {
	p, err := aws.NewProvider(ctx, name, args, opts...)
	if err != nil {
		return nil, fmt.Errorf("provider %s: %w", name, err)
	}
	return p, nil
}

// StringMap converts tags to a Pulumi map, keys sorted for stable registration.
func StringMap(tags map[string]string) pulumi.StringMap {
	m := make(pulumi.StringMap, len(tags))
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		m[k] = pulumi.String(tags[k])
	}
	return m
}
