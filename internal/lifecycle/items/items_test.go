package items

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/tenantctl/tenantctl/internal/awscfg"
	"github.com/tenantctl/tenantctl/internal/backoff"
	"github.com/tenantctl/tenantctl/internal/testutil/moto"
	"github.com/tenantctl/tenantctl/models/datatable"
)

func TestMain(m *testing.M) { os.Exit(moto.Main(m)) }

func clients(t *testing.T) (*dynamodb.Client, *s3.Client) {
	t.Helper()
	moto.Shared(t)
	cfg, err := awscfg.Load(context.Background(), awscfg.Options{Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	return dynamodb.NewFromConfig(cfg), s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
}

// newTable creates a table in models/datatable's layout.
func newTable(t *testing.T, db *dynamodb.Client, name string) {
	t.Helper()
	_, err := db.CreateTable(context.Background(), &dynamodb.CreateTableInput{
		TableName:   aws.String(name),
		BillingMode: types.BillingModePayPerRequest,
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String(datatable.PartitionKey), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String(datatable.SortKey), KeyType: types.KeyTypeRange},
		},
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String(datatable.PartitionKey), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String(datatable.SortKey), AttributeType: types.ScalarAttributeTypeS},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
}

func put(t *testing.T, db *dynamodb.Client, table, pk string, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		_, err := db.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(table), Item: Item{
			datatable.PartitionKey: &types.AttributeValueMemberS{Value: pk},
			datatable.SortKey:      &types.AttributeValueMemberS{Value: fmt.Sprintf("item-%03d", i)},
			"qty":                  &types.AttributeValueMemberN{Value: fmt.Sprint(i)},
			"paid":                 &types.AttributeValueMemberBOOL{Value: i%2 == 0},
			"lines":                &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberM{Value: Item{"sku": &types.AttributeValueMemberS{Value: "x"}}}}},
		}})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func count(t *testing.T, db DB, s Store) int {
	t.Helper()
	n, err := Count(context.Background(), db, s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// seedPool fills the pooled table: acme's own partition and a shard (35
// items), and the neighbours whose keys a prefix match would confuse with it.
func seedPool(t *testing.T, db *dynamodb.Client) {
	newTable(t, db, "pool")
	put(t, db, "pool", "acme", 30)
	put(t, db, "pool", "acme#eu", 5)
	put(t, db, "pool", "acme-corp", 4)
	put(t, db, "pool", "globex", 3)
}

func TestCountFindsTheTenantsPartitionAndShardsOnly(t *testing.T) {
	db, _ := clients(t)
	seedPool(t, db)
	for tenant, want := range map[string]int{"acme": 35, "acme-corp": 4, "globex": 3, "initech": 0} {
		if got := count(t, db, Pooled("pool", tenant)); got != want {
			t.Errorf("%s: %d items, want %d", tenant, got, want)
		}
	}
	if got := count(t, db, Own("pool")); got != 42 {
		t.Errorf("whole table: %d, want 42", got)
	}
}

func TestExportWritesJSONLinesWithTypes(t *testing.T) {
	db, objects := clients(t)
	seedPool(t, db)
	ctx := context.Background()
	if _, err := objects.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("archive")}); err != nil {
		t.Fatal(err)
	}
	n, err := Export(ctx, db, objects, Pooled("pool", "acme"), "archive", "tenants/acme/export.jsonl")
	if err != nil || n != 35 {
		t.Fatalf("exported %d, %v", n, err)
	}
	out, err := objects.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("archive"), Key: aws.String("tenants/acme/export.jsonl")})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Body.Close()
	lines, shards := 0, 0
	sc := bufio.NewScanner(out.Body)
	for sc.Scan() {
		var it map[string]map[string]any
		if err := json.Unmarshal(sc.Bytes(), &it); err != nil {
			t.Fatalf("line %d: %v: %s", lines+1, err, sc.Text())
		}
		lines++
		pk := it["pk"]["S"].(string)
		if !OwnsKey("acme", pk) {
			t.Errorf("exported another tenant's item: %s", sc.Text())
		}
		if strings.Contains(pk, "#") {
			shards++
		}
		if _, ok := it["qty"]["N"].(string); !ok {
			t.Errorf("qty lost its type: %s", sc.Text())
		}
		if _, ok := it["paid"]["BOOL"].(bool); !ok || it["lines"]["L"] == nil {
			t.Errorf("types lost: %s", sc.Text())
		}
	}
	if lines != 35 || shards != 5 || out.Metadata["items"] != "35" {
		t.Errorf("%d lines (%d of the shard), metadata %v; want 35 (5)", lines, shards, out.Metadata)
	}
}

func TestCopyBothWaysAndCheckCompleteness(t *testing.T) {
	db, _ := clients(t)
	seedPool(t, db)
	newTable(t, db, "acme-data")
	ctx := context.Background()
	pooled, own := Pooled("pool", "acme"), Own("acme-data")

	before := count(t, db, pooled)
	c, err := Copy(ctx, db, pooled, "acme-data", "acme")
	if err != nil || c != (Copied{Read: 35, Written: 35}) {
		t.Fatalf("pooled → own: %+v, %v", c, err)
	}
	if after := count(t, db, own); after != before {
		t.Errorf("own table holds %d, the pool had %d", after, before)
	}
	if m, err := Missing(ctx, db, pooled, "acme-data"); err != nil || m != 0 {
		t.Errorf("missing %d, %v", m, err)
	}
	// Run again (a resumed step): nothing is written twice.
	if c, err := Copy(ctx, db, pooled, "acme-data", "acme"); err != nil || c != (Copied{Read: 35, Kept: 35}) {
		t.Errorf("second copy: %+v, %v", c, err)
	}

	// Back: purge the pool's share first, copy from the own table.
	if n, err := Purge(ctx, db, pooled); err != nil || n != 35 {
		t.Fatalf("purge %d, %v", n, err)
	}
	if m, _ := Missing(ctx, db, own, "pool"); m != 35 {
		t.Errorf("after the purge %d of 35 missing from the pool", m)
	}
	if c, err := Copy(ctx, db, own, "pool", "acme"); err != nil || c.Written != 35 {
		t.Fatalf("own → pooled: %+v, %v", c, err)
	}
	if got := count(t, db, pooled); got != 35 {
		t.Errorf("pool holds %d of acme's items, want 35", got)
	}
	if got := count(t, db, Pooled("pool", "acme-corp")); got != 4 {
		t.Errorf("acme-corp's items changed: %d", got)
	}

	// An own table holding a key of another tenant is refused whole.
	put(t, db, "acme-data", "acme-corp", 1)
	if _, err := Copy(ctx, db, own, "pool", "acme"); err == nil || !strings.Contains(err.Error(), `partition key "acme-corp" is not tenant acme's`) {
		t.Fatalf("foreign key: %v", err)
	}
	if got := count(t, db, Pooled("pool", "acme-corp")); got != 4 {
		t.Errorf("the refused copy wrote into acme-corp's keys: %d", got)
	}
}

func TestPurgeDeletesOnlyTheTenants(t *testing.T) {
	db, _ := clients(t)
	seedPool(t, db)
	n, err := Purge(context.Background(), db, Pooled("pool", "acme"))
	if err != nil || n != 35 {
		t.Fatalf("purged %d, %v", n, err)
	}
	if got := count(t, db, Pooled("pool", "acme")); got != 0 {
		t.Errorf("%d acme items left", got)
	}
	if got := count(t, db, Own("pool")); got != 7 {
		t.Errorf("%d items left in the pool, want the neighbours' 7", got)
	}
	if n, err := Purge(context.Background(), db, Pooled("pool", "acme")); err != nil || n != 0 {
		t.Errorf("purging again: %d, %v", n, err)
	}
}

// throttled hands back part of each batch as unprocessed the first times,
// as DynamoDB does when a table's throughput is exceeded.
type throttled struct {
	DB
	left  int
	calls int
}

func (d *throttled) BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	d.calls++
	if d.left == 0 {
		return d.DB.BatchWriteItem(ctx, in, opts...)
	}
	d.left--
	done, later := map[string][]types.WriteRequest{}, map[string][]types.WriteRequest{}
	for table, reqs := range in.RequestItems {
		half := len(reqs) / 2
		done[table], later[table] = reqs[:half], reqs[half:]
	}
	if _, err := d.DB.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: done}, opts...); err != nil {
		return nil, err
	}
	return &dynamodb.BatchWriteItemOutput{UnprocessedItems: later}, nil
}

func TestPurgeResendsUnprocessedItems(t *testing.T) {
	db, _ := clients(t)
	seedPool(t, db)
	d := &throttled{DB: db, left: 3}
	n, err := Purge(context.Background(), d, Pooled("pool", "acme"))
	if err != nil || n != 35 {
		t.Fatalf("purged %d, %v", n, err)
	}
	if got := count(t, db, Pooled("pool", "acme")); got != 0 || d.calls != 5 {
		t.Errorf("%d left after %d calls; want 0 after 5 (2 batches, 3 resends)", got, d.calls)
	}
	// A table that never takes them fails, saying to run again.
	defer func(b backoff.Exp) { unprocessedBackoff = b }(unprocessedBackoff)
	unprocessedBackoff = backoff.Exp{Base: time.Millisecond}
	seedAgain := &throttled{DB: db, left: 100}
	put(t, db, "pool", "acme", 2)
	if _, err := Purge(context.Background(), seedAgain, Pooled("pool", "acme")); err == nil || !strings.Contains(err.Error(), "run the step again") {
		t.Errorf("endless throttling: %v", err)
	}
}
