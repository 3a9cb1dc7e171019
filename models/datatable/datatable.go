// Package datatable is the layout of tenantctl's data tables: a partition key
// that starts with the tenant id (so IAM's dynamodb:LeadingKeys can confine a
// pooled tenant) and a sort key, billed per request, with point-in-time
// recovery and encryption at rest under the owner's customer-managed key.
// The platform's pooled table and a tenant's own table share it, so moving a
// tenant between data modes moves items unchanged. It also holds the IAM
// statements that reach one tenant's items of such a table and nothing else.
package datatable

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/dynamodb"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/tenantctl/tenantctl/internal/iampolicy"
)

// Key attribute names.
const (
	PartitionKey = "pk"
	SortKey      = "sk"
)

// Args are the arguments of a data table named name, encrypted at rest under
// the customer-managed key keyArn (models/kmskey): its policy lets only the
// owner's roles use it, through DynamoDB.
func Args(name string, tags pulumi.StringMap, keyArn pulumi.StringInput) *dynamodb.TableArgs {
	args := &dynamodb.TableArgs{
		Name:        pulumi.String(name),
		BillingMode: pulumi.String("PAY_PER_REQUEST"),
		HashKey:     pulumi.String(PartitionKey),
		RangeKey:    pulumi.String(SortKey),
		Attributes: dynamodb.TableAttributeArray{
			dynamodb.TableAttributeArgs{Name: pulumi.String(PartitionKey), Type: pulumi.String("S")},
			dynamodb.TableAttributeArgs{Name: pulumi.String(SortKey), Type: pulumi.String("S")},
		},
		PointInTimeRecovery:  dynamodb.TablePointInTimeRecoveryArgs{Enabled: pulumi.Bool(true)},
		ServerSideEncryption: dynamodb.TableServerSideEncryptionArgs{Enabled: pulumi.Bool(true), KmsKeyArn: keyArn},
	}
	if tags != nil {
		args.Tags = tags
	}
	return args
}

// ShardSeparator separates a tenant id from a shard suffix in partition keys
// (<id>#<shard>). It is not a character tenant ids may hold, so the pattern
// <id>#* of tenant "acme" can never match a key of tenant "acme-corp", as
// "<id>-*" would.
const ShardSeparator = "#"

// ItemActions are what a tenant may do to its own items: item reads and
// writes, never the table itself. Scan is left out on purpose: it has no
// leading key to check in the pooled table, and a tenant's own table needs
// none of it.
var ItemActions = []string{
	"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query",
	"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
	"dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem",
}

// LeadingKeys are the partition keys a tenant may touch in the pooled table:
// its id, and its shards <id>#*.
func LeadingKeys(id string) []string { return []string{id, id + ShardSeparator + "*"} }

// resources are a table and its indexes.
func resources(tableArn string) []string { return []string{tableArn, tableArn + "/index/*"} }

// OwnTable allows ItemActions on the tenant's own table and its indexes:
// every item of the table is the tenant's.
func OwnTable(tableArn string) iampolicy.Statement {
	return iampolicy.Statement{
		Sid:      "OwnTable",
		Effect:   "Allow",
		Action:   ItemActions,
		Resource: resources(tableArn),
	}
}

// OwnPartitionKeys allows ItemActions on the pooled table and its indexes only
// for partition keys of the tenant: dynamodb:LeadingKeys must be present and
// every one must match LeadingKeys.
func OwnPartitionKeys(tableArn, id string) iampolicy.Statement {
	return iampolicy.Statement{
		Sid:      "OwnPartitionKeys",
		Effect:   "Allow",
		Action:   ItemActions,
		Resource: resources(tableArn),
		Condition: map[string]map[string]any{
			"ForAllValues:StringLike": {"dynamodb:LeadingKeys": LeadingKeys(id)},
			"Null":                    {"dynamodb:LeadingKeys": "false"},
		},
	}
}
