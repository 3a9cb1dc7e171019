package metering

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// MaxBatch is the most metric datums one PutMetricData call may carry.
const MaxBatch = 1000

// PutMetricDataAPI is the part of the CloudWatch client the Publisher uses.
type PutMetricDataAPI interface {
	PutMetricData(ctx context.Context, in *cloudwatch.PutMetricDataInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.PutMetricDataOutput, error)
}

// Publisher sends usage to CloudWatch with PutMetricData. Records are summed
// per tenant, metric and minute in memory (a busy tenant costs one datum a
// minute, not one per request) and sent in batches of at most BatchSize datums:
// when the buffer holds BatchSize datums, and on Flush. Call Flush on a timer
// and before the process exits; usage not flushed is lost.
//
// It is safe for concurrent use.
type Publisher struct {
	api       PutMetricDataAPI
	batchSize int
	now       func() time.Time

	mu  sync.Mutex
	buf map[datumKey]float64
}

type datumKey struct {
	tenant string
	metric string
	minute int64 // Unix seconds, truncated to the minute
}

// NewPublisher returns a publisher; batchSize ≤ 0 or above MaxBatch means MaxBatch.
func NewPublisher(api PutMetricDataAPI, batchSize int) *Publisher {
	if batchSize <= 0 || batchSize > MaxBatch {
		batchSize = MaxBatch
	}
	return &Publisher{api: api, batchSize: batchSize, now: time.Now, buf: map[datumKey]float64{}}
}

// Record adds usage to the buffer and sends the buffer when it is full. An
// invalid record (bad tenant id, negative count) is refused and nothing of it
// is kept.
func (p *Publisher) Record(ctx context.Context, u Usage) error {
	if err := u.Validate(); err != nil {
		return err
	}
	minute := u.at(p.now).Truncate(time.Minute).Unix()
	p.mu.Lock()
	for i, v := range u.values() {
		if v != 0 {
			p.buf[datumKey{u.TenantID, Metrics[i], minute}] += v
		}
	}
	full := len(p.buf) >= p.batchSize
	p.mu.Unlock()
	if full {
		return p.Flush(ctx)
	}
	return nil
}

// Pending is the number of datums waiting to be sent.
func (p *Publisher) Pending() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.buf)
}

// Flush sends every buffered datum, BatchSize per call. Datums of a batch that
// failed are put back into the buffer so a later Flush retries them.
func (p *Publisher) Flush(ctx context.Context) error {
	p.mu.Lock()
	keys := make([]datumKey, 0, len(p.buf))
	for k := range p.buf {
		keys = append(keys, k)
	}
	taken := p.buf
	p.buf = map[datumKey]float64{}
	p.mu.Unlock()
	// A stable order keeps batches (and tests) repeatable.
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.tenant != b.tenant {
			return a.tenant < b.tenant
		}
		if a.minute != b.minute {
			return a.minute < b.minute
		}
		return a.metric < b.metric
	})
	for start := 0; start < len(keys); start += p.batchSize {
		end := min(start+p.batchSize, len(keys))
		batch := keys[start:end]
		data := make([]types.MetricDatum, len(batch))
		for i, k := range batch {
			data[i] = types.MetricDatum{
				MetricName: aws.String(k.metric),
				Dimensions: []types.Dimension{{Name: aws.String(DimensionTenantID), Value: aws.String(k.tenant)}},
				Timestamp:  aws.Time(time.Unix(k.minute, 0).UTC()),
				Value:      aws.Float64(taken[k]),
				Unit:       types.StandardUnitCount,
			}
		}
		_, err := p.api.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String(Namespace), MetricData: data})
		if err != nil {
			p.requeue(keys[start:], taken)
			return fmt.Errorf("metering: PutMetricData of %d datums to %s: %w", len(batch), Namespace, err)
		}
	}
	return nil
}

func (p *Publisher) requeue(keys []datumKey, values map[datumKey]float64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, k := range keys {
		p.buf[k] += values[k]
	}
}
