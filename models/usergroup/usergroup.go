// Package usergroup registers a tenant's groups in the platform's user pool:
// <id>-user and <id>-admin (tenantcontext.UserGroup, AdminGroup), whose
// members' tokens the API's authorizer and pkg/tenantcontext read the
// caller's role from. Every model registers them from the tenant's own
// stack, in the platform's account, so a tenant's groups come and go with it.
package usergroup

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cognito"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/tenantctl/tenantctl/models/tenant"
	"github.com/tenantctl/tenantctl/pkg/tenantcontext"
)

// Groups are the tenant's groups.
type Groups struct {
	Users, Admins *cognito.UserGroup
}

// New registers the tenant's groups in the platform's user pool
// (in.PlatformProvider); opts carry the model's component as parent.
func New(ctx *pulumi.Context, in tenant.Input, opts []pulumi.ResourceOption) (*Groups, error) {
	t := in.Tenant
	group := func(role, name, description string) (*cognito.UserGroup, error) {
		return cognito.NewUserGroup(ctx, in.Name("group", role), &cognito.UserGroupArgs{
			UserPoolId:  in.Platform.UserPoolID,
			Name:        pulumi.String(name),
			Description: pulumi.String(description),
		}, in.OnPlatform(opts)...)
	}
	users, err := group(string(tenantcontext.RoleUser), tenantcontext.UserGroup(t.ID), "Users of tenant "+t.ID+": its own items")
	if err != nil {
		return nil, err
	}
	admins, err := group(string(tenantcontext.RoleAdmin), tenantcontext.AdminGroup(t.ID), "Admins of tenant "+t.ID+": its own items and administration")
	if err != nil {
		return nil, err
	}
	return &Groups{Users: users, Admins: admins}, nil
}
