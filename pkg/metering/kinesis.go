package metering

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// MaxStreamBatch is the most records one Kinesis PutRecords call may carry.
const MaxStreamBatch = 500

// PutRecordsAPI is the part of the Kinesis client the stream publisher uses.
type PutRecordsAPI interface {
	PutRecords(ctx context.Context, in *kinesis.PutRecordsInput, optFns ...func(*kinesis.Options)) (*kinesis.PutRecordsOutput, error)
}

// NewStreamPublisher returns a publisher to the platform's Kinesis metering
// stream (needs kinesis:PutRecords on it); batchSize ≤ 0 or above
// MaxStreamBatch means MaxStreamBatch.
//
// Each record is one EMF document (see EMFLine) with the tenant id as
// partition key, so a tenant's usage stays ordered within a shard and the
// stream's consumer only has to write each record to its log for CloudWatch
// to extract the same metrics an EMFWriter or Publisher produces.
func NewStreamPublisher(api PutRecordsAPI, stream string, batchSize int) *Publisher {
	return newPublisher(streamSink{api: api, stream: stream}, batchSize)
}

type streamSink struct {
	api    PutRecordsAPI
	stream string
}

func (streamSink) maxBatch() int { return MaxStreamBatch }

func (s streamSink) send(ctx context.Context, batch []Datum, values []float64) ([]int, error) {
	records := make([]types.PutRecordsRequestEntry, len(batch))
	for i, d := range batch {
		line, err := EMFLine(d.usage(values[i]), time.Now)
		if err != nil {
			return nil, err // unreachable: Record validated the usage
		}
		records[i] = types.PutRecordsRequestEntry{Data: line, PartitionKey: aws.String(d.TenantID)}
	}
	out, err := s.api.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(s.stream), Records: records})
	if err != nil {
		all := make([]int, len(batch))
		for i := range all {
			all[i] = i
		}
		return all, fmt.Errorf("PutRecords of %d records to stream %s: %w", len(batch), s.stream, err)
	}
	// PutRecords succeeds as a call while refusing single records (throttled
	// shards); those are the ones to keep.
	var failed []int
	var first string
	for i, r := range out.Records {
		if r.ErrorCode != nil {
			if failed == nil {
				first = aws.ToString(r.ErrorCode) + ": " + aws.ToString(r.ErrorMessage)
			}
			failed = append(failed, i)
		}
	}
	if len(failed) > 0 {
		return failed, fmt.Errorf("stream %s refused %d of %d records (%s)", s.stream, len(failed), len(batch), first)
	}
	return nil, nil
}
