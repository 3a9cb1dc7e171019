package tenant

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/tenantctl/tenantctl/internal/naming"
	"github.com/tenantctl/tenantctl/models/kmskey"
)

// KeyServices are the services a siloed tenant's roles use its key through:
// its table.
var KeyServices = []string{"dynamodb"}

// Key registers the customer-managed key of a siloed tenant (account, vpc,
// subnet and container models), alias/<prefix>-<id>, in the stack's account:
// its task role may use it through DynamoDB (its own table), and CloudWatch
// Logs for its log groups (/<prefix>/<id>/*). The model sets KeyArn to it
// before building its table and service.
func (in Input) Key(ctx *pulumi.Context, opts []pulumi.ResourceOption) (*kmskey.Key, error) {
	t, s := in.Tenant, in.Settings()
	return kmskey.New(ctx, kmskey.Args{
		Logical:     in.Name("key"),
		Alias:       naming.Join(s.NamePrefix, t.ID),
		Description: "tenantctl: tenant " + t.ID + "'s table and logs",
		Region:      t.Region,
		AccountID:   in.AccountID,
		Grant: kmskey.Grant{
			UserRoles: []string{naming.Join(s.NamePrefix, t.ID, naming.RoleTask)},
			Services:  KeyServices,
			LogGroups: []string{naming.LogGroup(s.NamePrefix, t.ID, "*")},
		},
	}, opts...)
}

// KeyID is KeyArn as a log group's kmsKeyId; nil when the tenant has no key.
func (in Input) KeyID() pulumi.StringPtrInput {
	if in.KeyArn == nil {
		return nil
	}
	return in.KeyArn.ToStringOutput()
}
