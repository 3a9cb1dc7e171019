// Package registry writes a tenant's item into the platform's tenant registry
// (the platform's registry table): who the tenant is, how it is isolated,
// where it lives and where it is reached. Every model writes its tenant's item
// from the tenant's own stack, so the registry holds the tenants deployed.
package registry

import (
	"encoding/json"
	"sort"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/dynamodb"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/tenantctl/tenantctl/models/platform"
	"github.com/tenantctl/tenantctl/models/tenant"
)

// Attributes every item holds besides platform.RegistryHashKey (the tenant id).
const (
	AttrName      = "name"
	AttrModel     = "model"
	AttrTier      = "tier"
	AttrStatus    = "status"
	AttrURL       = "url"
	AttrDataMode  = "dataMode"
	AttrAccountID = "accountId"
	AttrRegion    = "region"
)

// Item is the tenant's item in DynamoDB JSON: the attributes every model
// writes, in the account accountID, and the model's own (extra), all strings.
func Item(in tenant.Input, accountID string, extra map[string]string) (string, error) {
	t := in.Tenant
	attrs := map[string]map[string]string{}
	for k, v := range extra {
		attrs[k] = map[string]string{"S": v}
	}
	for k, v := range map[string]string{
		platform.RegistryHashKey: t.ID,
		AttrName:                 t.Name,
		AttrModel:                string(t.Model),
		AttrTier:                 t.Tier,
		AttrStatus:               string(t.Status),
		AttrURL:                  in.URL(),
		AttrDataMode:             string(t.Data.Mode),
		AttrAccountID:            accountID,
		AttrRegion:               t.Region,
	} {
		attrs[k] = map[string]string{"S": v}
	}
	b, err := json.Marshal(attrs)
	return string(b), err
}

// New registers the tenant's item in the platform's account
// (in.PlatformProvider); extra are the model's own attributes. opts carry
// the model's component as parent.
func New(ctx *pulumi.Context, in tenant.Input, extra map[string]pulumi.StringInput, opts []pulumi.ResourceOption) (*dynamodb.TableItem, error) {
	keys := make([]string, 0, len(extra))
	for k := range extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	values := []any{in.AccountID}
	for _, k := range keys {
		values = append(values, extra[k])
	}
	item := pulumi.All(values...).ApplyT(func(v []any) (string, error) {
		own := make(map[string]string, len(keys))
		for i, k := range keys {
			own[k] = v[i+1].(string)
		}
		return Item(in, v[0].(string), own)
	}).(pulumi.StringOutput)
	return dynamodb.NewTableItem(ctx, in.Name("registry"), &dynamodb.TableItemArgs{
		TableName: in.Platform.RegistryTableName,
		HashKey:   pulumi.String(platform.RegistryHashKey),
		Item:      item,
	}, in.OnPlatform(opts)...)
}
