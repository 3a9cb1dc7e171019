// Package items moves a tenant's DynamoDB items in the layout of
// models/datatable (partition key "pk" = <id> or <id>#<shard>, sort key
// "sk"): it counts them, exports them as JSON lines to S3, copies them
// between the platform's pooled table and a table of the tenant's own, checks
// that a copy is complete, and purges them from the pooled table. Every
// operation is idempotent, so a lifecycle step that runs it again after a
// crash finishes the job rather than doing it twice.
package items

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tenantctl/tenantctl/models/datatable"
)

// DB is the part of the DynamoDB API the package uses.
type DB interface {
	Scan(ctx context.Context, in *dynamodb.ScanInput, opts ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
	BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
}

// Item is one DynamoDB item.
type Item = map[string]types.AttributeValue

// Store is where a tenant's items are: its partition keys of the platform's
// pooled table (Tenant set), or every item of a table of its own (Tenant
// empty: a tenant's own table holds nothing else).
type Store struct {
	Table  string `json:"table"`
	Tenant string `json:"tenant,omitempty"`
}

// Pooled is the tenant's share of the pooled table.
func Pooled(table, tenant string) Store { return Store{Table: table, Tenant: tenant} }

// Own is a table of the tenant's own.
func Own(table string) Store { return Store{Table: table} }

func (s Store) String() string {
	if s.Tenant == "" {
		return "table " + s.Table
	}
	return fmt.Sprintf("tenant %s's items of table %s", s.Tenant, s.Table)
}

// OwnsKey reports whether a partition key is the tenant's: its id, or a shard
// <id>#<shard>. "acme-corp" is not "acme"'s: ids hold no '#'.
func OwnsKey(tenant, pk string) bool {
	return pk == tenant || strings.HasPrefix(pk, tenant+datatable.ShardSeparator)
}

// scanInput reads the store. DynamoDB has no query by partition-key prefix,
// and a tenant's shards <id>#<shard> are partitions of their own, so the
// pooled table is scanned with a filter on the key (one pass over the table
// finds the tenant's partition and its shards alike); reads are consistent,
// so a count right after a write sees it.
func (s Store) scanInput() *dynamodb.ScanInput {
	in := &dynamodb.ScanInput{TableName: aws.String(s.Table), ConsistentRead: aws.Bool(true)}
	if s.Tenant != "" {
		in.FilterExpression = aws.String("#pk = :id OR begins_with(#pk, :shards)")
		in.ExpressionAttributeNames = map[string]string{"#pk": datatable.PartitionKey}
		in.ExpressionAttributeValues = map[string]types.AttributeValue{
			":id":     &types.AttributeValueMemberS{Value: s.Tenant},
			":shards": &types.AttributeValueMemberS{Value: s.Tenant + datatable.ShardSeparator},
		}
	}
	return in
}

// Each calls fn with every item of the store, page by page.
func Each(ctx context.Context, db DB, s Store, fn func(Item) error) error {
	p := dynamodb.NewScanPaginator(db, s.scanInput())
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("reading %s: %w", s, err)
		}
		for _, it := range page.Items {
			if err := fn(it); err != nil {
				return err
			}
		}
	}
	return nil
}

// Count counts the store's items.
func Count(ctx context.Context, db DB, s Store) (int, error) {
	in := s.scanInput()
	in.Select = types.SelectCount
	n := 0
	p := dynamodb.NewScanPaginator(db, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return 0, fmt.Errorf("counting %s: %w", s, err)
		}
		n += int(page.Count)
	}
	return n, nil
}

// key is an item's primary key.
func key(it Item) Item {
	return Item{datatable.PartitionKey: it[datatable.PartitionKey], datatable.SortKey: it[datatable.SortKey]}
}

// keysOf reads the primary keys of the store's items.
func keysOf(ctx context.Context, db DB, s Store) ([]Item, error) {
	var keys []Item
	err := Each(ctx, db, s, func(it Item) error {
		keys = append(keys, key(it))
		return nil
	})
	return keys, err
}

// partitionKey is an item's partition key as a string ("" when it is not one).
func partitionKey(it Item) string {
	if s, ok := it[datatable.PartitionKey].(*types.AttributeValueMemberS); ok {
		return s.Value
	}
	return ""
}

// Copied is what a copy did.
type Copied struct {
	// Read is the items found in the source.
	Read int `json:"read"`
	// Written is the items put into the destination.
	Written int `json:"written"`
	// Kept is the items the destination already held (an earlier run of the
	// copy, or a newer write since the switch): never overwritten.
	Kept int `json:"kept"`
}

// Copy puts every item of from into the table to, unchanged (the pooled
// table and a tenant's own share one layout), for the tenant: an item whose
// partition key is not the tenant's is refused before anything is written,
// so a copy into the pooled table can never reach another tenant's keys. An
// item the destination already holds is kept as it is: a copy run again after
// a crash writes only what is missing, and a write the tenant made in the
// destination since it moved there is never overwritten by the older copy.
func Copy(ctx context.Context, db DB, from Store, to, tenant string) (Copied, error) {
	var c Copied
	var batch []Item
	if err := Each(ctx, db, from, func(it Item) error {
		if pk := partitionKey(it); !OwnsKey(tenant, pk) {
			return fmt.Errorf("copying %s: item with partition key %q is not tenant %s's (%s or %s%s*); nothing of it was copied", from, pk, tenant, tenant, tenant, datatable.ShardSeparator)
		}
		batch = append(batch, it)
		return nil
	}); err != nil {
		return c, err
	}
	c.Read = len(batch)
	for _, it := range batch {
		_, err := db.PutItem(ctx, &dynamodb.PutItemInput{
			TableName:                aws.String(to),
			Item:                     it,
			ConditionExpression:      aws.String("attribute_not_exists(#pk)"),
			ExpressionAttributeNames: map[string]string{"#pk": datatable.PartitionKey},
		})
		var exists *types.ConditionalCheckFailedException
		switch {
		case errors.As(err, &exists):
			c.Kept++
		case err != nil:
			return c, fmt.Errorf("copying %s to table %s: %w", from, to, err)
		default:
			c.Written++
		}
	}
	return c, nil
}

// batchGetMax is BatchGetItem's limit of keys per request.
const batchGetMax = 100

// Missing counts the items of from whose key the table to does not hold:
// zero when a copy is complete.
func Missing(ctx context.Context, db DB, from Store, to string) (int, error) {
	keys, err := keysOf(ctx, db, from)
	if err != nil {
		return 0, err
	}
	found := 0
	for start := 0; start < len(keys); start += batchGetMax {
		pending := map[string]types.KeysAndAttributes{to: {
			Keys:                     keys[start:min(start+batchGetMax, len(keys))],
			ConsistentRead:           aws.Bool(true),
			ProjectionExpression:     aws.String("#pk"),
			ExpressionAttributeNames: map[string]string{"#pk": datatable.PartitionKey},
		}}
		for attempt := 1; len(pending) > 0; attempt++ {
			out, err := db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: pending})
			if err != nil {
				return 0, fmt.Errorf("reading table %s: %w", to, err)
			}
			found += len(out.Responses[to])
			pending = out.UnprocessedKeys
			if len(pending) > 0 {
				if err := wait(ctx, attempt, "reading table "+to); err != nil {
					return 0, err
				}
			}
		}
	}
	return len(keys) - found, nil
}
