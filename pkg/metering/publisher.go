package metering

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"
)

// Publisher sends usage to a sink: CloudWatch (NewPublisher) or the platform's
// Kinesis metering stream (NewStreamPublisher). Records are summed per tenant,
// metric and minute in memory (a busy tenant costs one datum a minute, not one
// per request) and sent in batches of at most the batch size: when the buffer
// holds that many datums, and on Flush. Call Flush on a timer and before the
// process exits; usage not flushed is lost.
//
// It is safe for concurrent use.
type Publisher struct {
	sink      sink
	batchSize int
	now       func() time.Time

	mu  sync.Mutex
	buf map[Datum]float64
}

// Datum is one metric of one tenant over one minute; the value is kept apart
// (in the buffer, and in a send) so that a Datum can key the buffer.
type Datum struct {
	TenantID string
	Metric   string
	// Minute is the start of the minute, in UTC.
	Minute time.Time
}

// sink is where a Publisher sends batches. send returns the positions of the
// datums it could not deliver (to be kept for the next Flush) and an error
// saying why.
type sink interface {
	maxBatch() int
	send(ctx context.Context, data []Datum, values []float64) (failed []int, err error)
}

func newPublisher(s sink, batchSize int) *Publisher {
	if batchSize <= 0 || batchSize > s.maxBatch() {
		batchSize = s.maxBatch()
	}
	return &Publisher{sink: s, batchSize: batchSize, now: time.Now, buf: map[Datum]float64{}}
}

// Record adds usage to the buffer and sends the buffer when it is full. An
// invalid record (bad tenant id, negative count) is refused and nothing of it
// is kept.
func (p *Publisher) Record(ctx context.Context, u Usage) error {
	if err := u.Validate(); err != nil {
		return err
	}
	minute := u.at(p.now).UTC().Truncate(time.Minute)
	p.mu.Lock()
	for i, v := range u.values() {
		if v != 0 {
			p.buf[Datum{u.TenantID, Metrics[i], minute}] += v
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

// Flush sends every buffered datum, a batch per call. Datums the sink could not
// deliver, and those of batches not tried after a failure, are put back into
// the buffer so a later Flush retries them.
func (p *Publisher) Flush(ctx context.Context) error {
	p.mu.Lock()
	keys := make([]Datum, 0, len(p.buf))
	for k := range p.buf {
		keys = append(keys, k)
	}
	taken := p.buf
	p.buf = map[Datum]float64{}
	p.mu.Unlock()
	// A stable order keeps batches (and tests) repeatable.
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.TenantID != b.TenantID {
			return a.TenantID < b.TenantID
		}
		if !a.Minute.Equal(b.Minute) {
			return a.Minute.Before(b.Minute)
		}
		return a.Metric < b.Metric
	})
	for start := 0; start < len(keys); start += p.batchSize {
		batch := keys[start:min(start+p.batchSize, len(keys))]
		values := make([]float64, len(batch))
		for i, k := range batch {
			values[i] = taken[k]
		}
		failed, err := p.sink.send(ctx, batch, values)
		if err != nil {
			keep := make([]Datum, 0, len(failed)+len(keys)-start-len(batch))
			for _, i := range failed {
				keep = append(keep, batch[i])
			}
			keep = append(keep, keys[start+len(batch):]...)
			p.requeue(keep, taken)
			return fmt.Errorf("metering: %w (%d datums kept for the next flush)", err, len(keep))
		}
	}
	return nil
}

func (p *Publisher) requeue(keys []Datum, values map[Datum]float64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, k := range keys {
		p.buf[k] += values[k]
	}
}

// usage is the datum as a one-metric usage record.
func (d Datum) usage(v float64) Usage {
	u := Usage{TenantID: d.TenantID, Time: d.Minute}
	switch d.Metric {
	case MetricRequests:
		u.Requests = v
	case MetricCapacityUnits:
		u.CapacityUnits = v
	}
	return u
}
