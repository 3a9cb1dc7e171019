package metering

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/tenantctl/tenantctl/internal/awscfg"
	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/internal/testutil/moto"
)

func TestMain(m *testing.M) { os.Exit(moto.Main(m)) }

func TestDimensionIsTheTenantTag(t *testing.T) {
	if DimensionTenantID != spec.TagTenantID {
		t.Fatalf("metering dimension %q and cost-allocation tag %q must be the same key", DimensionTenantID, spec.TagTenantID)
	}
}

func TestValidate(t *testing.T) {
	cases := []struct {
		u    Usage
		want string
	}{
		{Usage{TenantID: "acme", Requests: 1}, ""},
		{Usage{TenantID: "a", CapacityUnits: 0.5}, ""},
		{Usage{TenantID: ""}, "empty tenant id"},
		{Usage{TenantID: "Acme"}, `tenant id "Acme" is not a tenant id`},
		{Usage{TenantID: "acme-"}, `tenant id "acme-"`},
		{Usage{TenantID: strings.Repeat("a", 41)}, "at most 40"},
		{Usage{TenantID: "acme", Requests: -1}, "Requests must be a finite count ≥ 0, got -1"},
		{Usage{TenantID: "acme", CapacityUnits: math.NaN()}, "CapacityUnits must be a finite count"},
		{Usage{TenantID: "acme", CapacityUnits: math.Inf(1)}, "CapacityUnits must be a finite count"},
	}
	for _, c := range cases {
		err := c.u.Validate()
		if c.want == "" {
			if err != nil {
				t.Errorf("%+v: unexpected error %v", c.u, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want it to contain %q", c.u, err, c.want)
		}
	}
}

func TestEMFLine(t *testing.T) {
	var buf bytes.Buffer
	e := NewEMFWriter(&buf)
	at := time.Date(2026, 10, 3, 12, 0, 0, 0, time.UTC)
	if err := e.Emit(Usage{TenantID: "globex", Time: at, Requests: 3, CapacityUnits: 1.5}); err != nil {
		t.Fatal(err)
	}
	if err := e.Emit(Usage{TenantID: "globex", Time: at, CapacityUnits: 2}); err != nil {
		t.Fatal(err)
	}
	if err := e.Emit(Usage{TenantID: "globex"}); err != nil { // all zero: nothing written
		t.Fatal(err)
	}
	if err := e.Emit(Usage{TenantID: "Bad Id", Requests: 1}); err == nil {
		t.Fatal("an invalid tenant id was written")
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %d lines, want 2:\n%s", len(lines), buf.String())
	}
	var doc struct {
		AWS struct {
			Timestamp         int64
			CloudWatchMetrics []struct {
				Namespace  string
				Dimensions [][]string
				Metrics    []struct{ Name, Unit string }
			}
		} `json:"_aws"`
		TenantID      string   `json:"TenantId"`
		Requests      *float64 `json:"Requests"`
		CapacityUnits *float64 `json:"CapacityUnits"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &doc); err != nil {
		t.Fatal(err)
	}
	d := doc.AWS.CloudWatchMetrics[0]
	if doc.AWS.Timestamp != at.UnixMilli() || d.Namespace != Namespace || len(d.Dimensions) != 1 || d.Dimensions[0][0] != "TenantId" {
		t.Errorf("directive: %+v ts=%d", d, doc.AWS.Timestamp)
	}
	if len(d.Metrics) != 2 || d.Metrics[0].Name != "Requests" || d.Metrics[1].Name != "CapacityUnits" || d.Metrics[0].Unit != "Count" {
		t.Errorf("metrics: %+v", d.Metrics)
	}
	if doc.TenantID != "globex" || *doc.Requests != 3 || *doc.CapacityUnits != 1.5 {
		t.Errorf("values: %s", lines[0])
	}
	doc.Requests = nil
	if err := json.Unmarshal([]byte(lines[1]), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Requests != nil || len(doc.AWS.CloudWatchMetrics[0].Metrics) != 1 {
		t.Errorf("a zero metric was emitted: %s", lines[1])
	}
}

func TestEMFConcurrentLinesDoNotInterleave(t *testing.T) {
	var buf bytes.Buffer
	e := NewEMFWriter(&buf)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				if err := e.Emit(Usage{TenantID: "initech", Requests: 1}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 400 {
		t.Fatalf("%d lines, want 400", len(lines))
	}
	for _, l := range lines {
		if !json.Valid([]byte(l)) {
			t.Fatalf("broken line %q", l)
		}
	}
}

// countingAPI forwards to CloudWatch, counting calls and datums; failFirst
// makes the first call fail without reaching CloudWatch.
type countingAPI struct {
	PutMetricDataAPI
	calls, datums int
	failFirst     bool
}

func (c *countingAPI) PutMetricData(ctx context.Context, in *cloudwatch.PutMetricDataInput, o ...func(*cloudwatch.Options)) (*cloudwatch.PutMetricDataOutput, error) {
	c.calls++
	if c.failFirst {
		c.failFirst = false
		return nil, errors.New("throttled")
	}
	c.datums += len(in.MetricData)
	return c.PutMetricDataAPI.PutMetricData(ctx, in, o...)
}

func TestPublisherBatchesAndCloudWatchSumsIt(t *testing.T) {
	moto.Shared(t)
	ctx := context.Background()
	cfg, err := awscfg.Load(ctx, awscfg.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cw := NewCloudWatchClient(cfg)
	api := &countingAPI{PutMetricDataAPI: cw, failFirst: true}
	p := NewPublisher(api, 3)
	day := time.Date(2026, 10, 5, 9, 0, 0, 0, time.UTC)
	// Same tenant, same minute: summed into one datum per metric.
	for i := 0; i < 10; i++ {
		if err := p.Record(ctx, Usage{TenantID: "globex", Time: day.Add(time.Duration(i) * time.Second), Requests: 1, CapacityUnits: 0.5}); err != nil {
			t.Fatal(err)
		}
	}
	if p.Pending() != 2 {
		t.Fatalf("pending %d, want 2 (requests and capacity of one minute)", p.Pending())
	}
	// A third datum fills the batch: the send fails and the datums stay buffered.
	err = p.Record(ctx, Usage{TenantID: "initech", Time: day, Requests: 7})
	if err == nil || !strings.Contains(err.Error(), "throttled") {
		t.Fatalf("want the failed send reported, got %v", err)
	}
	if p.Pending() != 3 {
		t.Fatalf("after a failed send pending %d, want 3", p.Pending())
	}
	if err := p.Record(ctx, Usage{TenantID: "initech", Time: day.Add(time.Hour), Requests: 5}); err != nil {
		t.Fatal(err)
	}
	if err := p.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if p.Pending() != 0 || api.datums != 4 || api.calls != 3 {
		t.Fatalf("pending %d, datums %d, calls %d; want 0, 4, 3 (a failed call, then batches of 3 and 1)", p.Pending(), api.datums, api.calls)
	}
	if err := p.Record(ctx, Usage{TenantID: "NOPE", Requests: 1}); err == nil || p.Pending() != 0 {
		t.Fatalf("invalid tenant accepted: %v, pending %d", err, p.Pending())
	}

	sum := func(tenant, metric string) float64 {
		out, err := cw.GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{
			Namespace:  aws.String(Namespace),
			MetricName: aws.String(metric),
			Dimensions: []types.Dimension{{Name: aws.String(DimensionTenantID), Value: aws.String(tenant)}},
			StartTime:  aws.Time(day.Add(-time.Hour)),
			EndTime:    aws.Time(day.Add(3 * time.Hour)),
			Period:     aws.Int32(86400),
			Statistics: []types.Statistic{types.StatisticSum},
		})
		if err != nil {
			t.Fatal(err)
		}
		var s float64
		for _, dp := range out.Datapoints {
			s += aws.ToFloat64(dp.Sum)
		}
		return s
	}
	if got := sum("globex", MetricRequests); got != 10 {
		t.Errorf("globex requests %v, want 10", got)
	}
	if got := sum("globex", MetricCapacityUnits); got != 5 {
		t.Errorf("globex capacity %v, want 5", got)
	}
	if got := sum("initech", MetricRequests); got != 12 {
		t.Errorf("initech requests %v, want 12", got)
	}
}
