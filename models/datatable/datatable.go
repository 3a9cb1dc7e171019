// Package datatable is the layout of tenantctl's data tables: a partition key
// that starts with the tenant id (so IAM's dynamodb:LeadingKeys can confine a
// pooled tenant) and a sort key, billed per request, with point-in-time
// recovery. The platform's pooled table and an account tenant's own table share it,
// so moving a tenant between models moves items unchanged.
package datatable

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/dynamodb"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Key attribute names.
const (
	PartitionKey = "pk"
	SortKey      = "sk"
)

// Args are the arguments of a data table named name.
func Args(name string, tags pulumi.StringMap) *dynamodb.TableArgs {
	args := &dynamodb.TableArgs{
		Name:        pulumi.String(name),
		BillingMode: pulumi.String("PAY_PER_REQUEST"),
		HashKey:     pulumi.String(PartitionKey),
		RangeKey:    pulumi.String(SortKey),
		Attributes: dynamodb.TableAttributeArray{
			dynamodb.TableAttributeArgs{Name: pulumi.String(PartitionKey), Type: pulumi.String("S")},
			dynamodb.TableAttributeArgs{Name: pulumi.String(SortKey), Type: pulumi.String("S")},
		},
		PointInTimeRecovery: dynamodb.TablePointInTimeRecoveryArgs{Enabled: pulumi.Bool(true)},
	}
	if tags != nil {
		args.Tags = tags
	}
	return args
}
