package platform

import (
	"sort"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/tenantctl/tenantctl/internal/naming"
	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/models/kmskey"
)

// PooledLogGroup is the name pattern of pooled (application-model) tenants'
// log groups, /<prefix>/<id>/app, which their tier's key encrypts.
func PooledLogGroup(prefix string) string { return naming.LogGroup(prefix, "*", "app") }

// PooledTiers are the tiers whose tenants may be pooled (that allow the
// application model), sorted: each has a key of its own.
func PooledTiers(s *spec.Settings) []string {
	var tiers []string
	for name, t := range s.Tiers {
		if t != nil && t.Allows(spec.ModelApplication) {
			tiers = append(tiers, name)
		}
	}
	sort.Strings(tiers)
	return tiers
}

// keys: the platform's key, alias/<prefix>-platform, under which the pooled
// table (its tenants' data roles and pooled services' task roles reach it
// through DynamoDB) and the platform's log groups are encrypted; and a key
// per pooled tier, alias/<prefix>-platform-<tier>, for its tenants' log groups.
func (b *builder) keys() error {
	prefix := b.s.NamePrefix
	key, err := kmskey.New(b.ctx, kmskey.Args{
		Logical: b.name("key"), Alias: naming.Join(prefix, Owner), Region: b.s.PlatformRegion, AccountID: b.accountID,
		Description: "tenantctl: the platform's pooled table and logs",
		Grant: kmskey.Grant{
			UserRoles: []string{naming.Join(prefix, "*", naming.RoleData), naming.Join(prefix, "*", naming.RoleTask)},
			Services:  []string{"dynamodb"},
			LogGroups: []string{naming.LogGroup(prefix, Owner, "*")},
		},
	}, b.opts...)
	if err != nil {
		return err
	}
	b.base.key = key
	pooled := pulumi.StringMap{}
	for _, tier := range PooledTiers(b.s) {
		k, err := kmskey.New(b.ctx, kmskey.Args{
			Logical: b.name("key", tier), Alias: naming.Join(prefix, Owner, tier), Region: b.s.PlatformRegion, AccountID: b.accountID,
			Description: "tenantctl: the logs of tier " + tier + "'s pooled tenants",
			Grant:       kmskey.Grant{LogGroups: []string{PooledLogGroup(prefix)}},
		}, b.opts...)
		if err != nil {
			return err
		}
		pooled[tier] = k.Arn()
	}
	b.p.PooledKeyArns = pooled.ToStringMapOutput()
	return nil
}
