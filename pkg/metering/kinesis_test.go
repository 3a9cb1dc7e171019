package metering

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/tenantctl/tenantctl/internal/awscfg"
	"github.com/tenantctl/tenantctl/internal/testutil/moto"
)

// refuseOne forwards to Kinesis but answers the first call as a throttled
// shard would: the call succeeds, one record is refused.
type refuseOne struct {
	PutRecordsAPI
	done bool
}

func (r *refuseOne) PutRecords(ctx context.Context, in *kinesis.PutRecordsInput, o ...func(*kinesis.Options)) (*kinesis.PutRecordsOutput, error) {
	if r.done {
		return r.PutRecordsAPI.PutRecords(ctx, in, o...)
	}
	r.done = true
	// Deliver all but the last record.
	out, err := r.PutRecordsAPI.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: in.StreamName, Records: in.Records[:len(in.Records)-1]}, o...)
	if err != nil {
		return nil, err
	}
	out.Records = append(out.Records, types.PutRecordsResultEntry{ErrorCode: aws.String("ProvisionedThroughputExceededException"), ErrorMessage: aws.String("Rate exceeded for shard")})
	out.FailedRecordCount = aws.Int32(1)
	return out, nil
}

func TestStreamPublisherPutsEMFRecordsKeyedByTenant(t *testing.T) {
	moto.Shared(t)
	ctx := context.Background()
	cfg, err := awscfg.Load(ctx, awscfg.Options{})
	if err != nil {
		t.Fatal(err)
	}
	k := kinesis.NewFromConfig(cfg)
	stream := "saas-metering"
	if _, err := k.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(stream), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	p := NewStreamPublisher(&refuseOne{PutRecordsAPI: k}, stream, 0)
	at := time.Date(2026, 10, 7, 10, 0, 30, 0, time.UTC)
	for _, u := range []Usage{
		{TenantID: "globex", Time: at, Requests: 2, CapacityUnits: 1},
		{TenantID: "globex", Time: at.Add(10 * time.Second), Requests: 3},
		{TenantID: "wonka", Time: at, Requests: 4},
	} {
		if err := p.Record(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	err = p.Flush(ctx)
	if err == nil || !strings.Contains(err.Error(), "refused 1 of 3 records (ProvisionedThroughputExceededException: Rate exceeded for shard)") || p.Pending() != 1 {
		t.Fatalf("flush: %v, pending %d; want the refused record reported and kept", err, p.Pending())
	}
	if err := p.Flush(ctx); err != nil || p.Pending() != 0 {
		t.Fatalf("second flush: %v, pending %d", err, p.Pending())
	}

	shards, err := k.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(stream)})
	if err != nil {
		t.Fatal(err)
	}
	it, err := k.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(stream), ShardId: shards.Shards[0].ShardId, ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	got, err := k.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, r := range got.Records {
		var doc map[string]any
		if err := json.Unmarshal(r.Data, &doc); err != nil {
			t.Fatalf("record %q is not JSON: %v", r.Data, err)
		}
		if doc["TenantId"] != aws.ToString(r.PartitionKey) {
			t.Errorf("record of %v keyed by %s", doc["TenantId"], aws.ToString(r.PartitionKey))
		}
		meta := doc["_aws"].(map[string]any)
		if meta["Timestamp"].(float64) != float64(at.Truncate(time.Minute).UnixMilli()) {
			t.Errorf("timestamp %v, want the minute's start", meta["Timestamp"])
		}
		for _, m := range Metrics {
			if v, ok := doc[m]; ok {
				lines = append(lines, aws.ToString(r.PartitionKey)+" "+m+" "+strings.TrimSpace(jsonNumber(v)))
			}
		}
	}
	want := "globex CapacityUnits 1|globex Requests 5|wonka Requests 4"
	if strings.Join(lines, "|") != want {
		t.Errorf("records %q, want %q", strings.Join(lines, "|"), want)
	}
}

func jsonNumber(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
