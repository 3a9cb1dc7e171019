package cost

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"

	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/internal/testutil/moto"
	"github.com/tenantctl/tenantctl/pkg/metering"
)

// pagingMetrics forwards to CloudWatch and hands each answer back in two
// pages, as CloudWatch does for large answers, counting the calls.
type pagingMetrics struct {
	MetricsAPI
	calls   int
	queries []int
}

func (p *pagingMetrics) GetMetricData(ctx context.Context, in *cloudwatch.GetMetricDataInput, o ...func(*cloudwatch.Options)) (*cloudwatch.GetMetricDataOutput, error) {
	p.calls++
	second := aws.ToString(in.NextToken) == "second-half"
	if !second {
		p.queries = append(p.queries, len(in.MetricDataQueries))
	}
	plain := *in
	plain.NextToken = nil
	out, err := p.MetricsAPI.GetMetricData(ctx, &plain, o...)
	if err != nil {
		return nil, err
	}
	half := len(out.MetricDataResults) / 2
	if second {
		out.MetricDataResults = out.MetricDataResults[half:]
		return out, nil
	}
	out.MetricDataResults = out.MetricDataResults[:half]
	out.NextToken = aws.String("second-half")
	return out, nil
}

func TestUsageBatchesQueriesAndFollowsPages(t *testing.T) {
	moto.Shared(t)
	cfg := loadCfg(t)
	var tenants []*spec.Tenant
	for i := 0; i < 300; i++ {
		tenants = append(tenants, tenant(fmt.Sprintf("t%03d", i), spec.ModelApplication, "free"))
	}
	day := time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC)
	meter(t, cfg,
		metering.Usage{TenantID: "t000", Time: day, Requests: 11},
		metering.Usage{TenantID: "t000", Time: day.AddDate(0, 0, 5), Requests: 4, CapacityUnits: 2.5},
		metering.Usage{TenantID: "t249", Time: day, CapacityUnits: 7},
		metering.Usage{TenantID: "t250", Time: day, Requests: 1},
		metering.Usage{TenantID: "t299", Time: day, Requests: 9},
	)
	api := &pagingMetrics{MetricsAPI: metering.NewCloudWatchClient(cfg)}
	got, err := usage(context.Background(), api, tenants, october, DefaultWeights)
	if err != nil {
		t.Fatal(err)
	}
	// 600 queries: 500 then 100, each answered in two pages.
	if api.calls != 4 || len(api.queries) != 2 || api.queries[0] != 500 || api.queries[1] != 100 {
		t.Errorf("calls %d, queries per batch %v; want 4 calls, [500 100]", api.calls, api.queries)
	}
	want := map[string]map[string]float64{
		"t000": {"Requests": 15, "CapacityUnits": 2.5},
		"t249": {"CapacityUnits": 7},
		"t250": {"Requests": 1},
		"t299": {"Requests": 9},
	}
	for id, w := range want {
		for m, v := range w {
			if got[id][m] != v {
				t.Errorf("%s %s = %v, want %v", id, m, got[id][m], v)
			}
		}
	}
	if len(got) != len(want) {
		t.Errorf("usage for %d tenants, want %d: %v", len(got), len(want), got)
	}
}

func BenchmarkAllocate5000Tenants(b *testing.B) {
	var tenants []*spec.Tenant
	var cs []Cell
	us := map[string]map[string]float64{}
	for i := 0; i < 5000; i++ {
		id := fmt.Sprintf("tenant-%04d", i)
		m := spec.ModelApplication
		if i%3 == 0 {
			m = spec.ModelContainer
			cs = append(cs, Cell{Account: "999999999999", Tag: id, Amount: rat(fmt.Sprintf("%d.%010d", i, i*7919))})
		} else {
			us[id] = map[string]float64{"Requests": float64(i * 13), "CapacityUnits": float64(i%97) + 0.5}
		}
		tenants = append(tenants, tenant(id, m, "free"))
	}
	cs = append(cs, Cell{Account: "999999999999", Tag: "platform", Amount: rat("123456.789")})
	total := rat("0")
	for _, c := range cs {
		total.Add(total, c.Amount)
	}
	in := Inputs{Month: october, Metric: "UnblendedCost", Total: total, Cells: cs,
		PoolCells: []Cell{{Account: "999999999999", Tag: "platform", Amount: rat("100000.00")}}, Tenants: tenants, Usage: us}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Allocate(in); err != nil {
			b.Fatal(err)
		}
	}
}
