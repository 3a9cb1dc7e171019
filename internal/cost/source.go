package cost

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	cetypes "github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/pkg/metering"
)

// CostExplorerAPI is the part of Cost Explorer chargeback reads (ce:GetCostAndUsage).
type CostExplorerAPI interface {
	GetCostAndUsage(ctx context.Context, in *costexplorer.GetCostAndUsageInput, optFns ...func(*costexplorer.Options)) (*costexplorer.GetCostAndUsageOutput, error)
}

// OrganizationsAPI is the part of Organizations chargeback reads
// (organizations:ListAccounts, organizations:ListTagsForResource).
type OrganizationsAPI interface {
	ListAccounts(ctx context.Context, in *organizations.ListAccountsInput, optFns ...func(*organizations.Options)) (*organizations.ListAccountsOutput, error)
	ListTagsForResource(ctx context.Context, in *organizations.ListTagsForResourceInput, optFns ...func(*organizations.Options)) (*organizations.ListTagsForResourceOutput, error)
}

// MetricsAPI is the part of CloudWatch chargeback reads (cloudwatch:GetMetricData).
type MetricsAPI interface {
	GetMetricData(ctx context.Context, in *cloudwatch.GetMetricDataInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.GetMetricDataOutput, error)
}

// Clients are the AWS APIs a report reads.
type Clients struct {
	CostExplorer  CostExplorerAPI
	Organizations OrganizationsAPI
	// Metrics must be in the region the pooled service meters in (the
	// platform region).
	Metrics MetricsAPI
}

// NewClients builds the clients from one configuration; metricsRegion, when
// set, overrides the region of CloudWatch (the platform region).
func NewClients(cfg aws.Config, metricsRegion string) Clients {
	return Clients{
		CostExplorer:  costexplorer.NewFromConfig(cfg),
		Organizations: organizations.NewFromConfig(cfg),
		Metrics: metering.NewCloudWatchClient(cfg, func(o *cloudwatch.Options) {
			if metricsRegion != "" {
				o.Region = metricsRegion
			}
		}),
	}
}

// Options select a report.
type Options struct {
	Month Month
	// Metric is the Cost Explorer metric (UnblendedCost by default).
	Metric  string
	Weights []Weight
}

// Metrics Cost Explorer can report that make sense for chargeback.
var CostMetrics = []string{"UnblendedCost", "AmortizedCost", "NetUnblendedCost", "NetAmortizedCost", "BlendedCost"}

// maxQueries is GetMetricData's limit of queries per call.
const maxQueries = 500

// Build gathers the month's cost and usage and allocates it (see Allocate).
// Calls, in order: GetCostAndUsage for the total, for the cost grouped by
// linked account and TenantId tag, and for the pooled cost grouped the same
// way (each following NextPageToken); Organizations ListAccounts and
// ListTagsForResource when linked accounts may map to tenants; GetMetricData
// for every tenant and metering metric.
func Build(ctx context.Context, c Clients, fleet *spec.Fleet, o Options) (*Report, error) {
	if o.Metric == "" {
		o.Metric = "UnblendedCost"
	}
	if !contains(CostMetrics, o.Metric) {
		return nil, fmt.Errorf("cost metric %q: want one of %s", o.Metric, strings.Join(CostMetrics, ", "))
	}
	if len(o.Weights) == 0 {
		o.Weights = DefaultWeights
	}
	if err := ValidateWeights(o.Weights); err != nil {
		return nil, err
	}
	in := Inputs{Month: o.Month, Metric: o.Metric, Tenants: fleet.Tenants, Weights: o.Weights}
	g := gatherer{c: c, month: o.Month, metric: o.Metric, units: map[string]bool{}}

	total, err := g.results(ctx, nil, nil)
	if err != nil {
		return nil, err
	}
	in.Total = new(big.Rat)
	for _, r := range total {
		in.Estimated = in.Estimated || r.Estimated
		if err := g.addAmount(in.Total, r.Total); err != nil {
			return nil, err
		}
	}
	byTenant := []cetypes.GroupDefinition{
		{Type: cetypes.GroupDefinitionTypeDimension, Key: aws.String(string(cetypes.DimensionLinkedAccount))},
		{Type: cetypes.GroupDefinitionTypeTag, Key: aws.String(spec.TagTenantID)},
	}
	if in.Cells, err = g.cells(ctx, byTenant, nil); err != nil {
		return nil, err
	}
	pooled := &cetypes.Expression{Tags: &cetypes.TagValues{
		Key:          aws.String(spec.TagCostPool),
		Values:       []string{string(spec.ModelApplication)},
		MatchOptions: []cetypes.MatchOption{cetypes.MatchOptionEquals},
	}}
	if in.PoolCells, err = g.cells(ctx, byTenant, pooled); err != nil {
		return nil, err
	}
	in.Currency = strings.Join(sortedKeys(g.units), ",")
	if len(g.units) > 1 {
		return nil, fmt.Errorf("Cost Explorer answered in several currencies (%s); chargeback adds amounts of one currency only", in.Currency)
	}
	if in.Currency == "" {
		in.Currency = "USD"
	}
	if in.AccountTenants, in.Warnings, err = accountTenants(ctx, c.Organizations, fleet, in.Cells); err != nil {
		return nil, err
	}
	if in.Usage, err = usage(ctx, c.Metrics, fleet.Tenants, o.Month, o.Weights); err != nil {
		return nil, err
	}
	return Allocate(in)
}

type gatherer struct {
	c      Clients
	month  Month
	metric string
	units  map[string]bool
}

// results runs one GetCostAndUsage query over the month, every page.
func (g *gatherer) results(ctx context.Context, groupBy []cetypes.GroupDefinition, filter *cetypes.Expression) ([]cetypes.ResultByTime, error) {
	in := &costexplorer.GetCostAndUsageInput{
		TimePeriod: &cetypes.DateInterval{
			Start: aws.String(g.month.Start().Format(time.DateOnly)),
			End:   aws.String(g.month.End().Format(time.DateOnly)),
		},
		Granularity: cetypes.GranularityMonthly,
		Metrics:     []string{g.metric},
		GroupBy:     groupBy,
		Filter:      filter,
	}
	var out []cetypes.ResultByTime
	seen := map[string]bool{}
	for {
		resp, err := g.c.CostExplorer.GetCostAndUsage(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("reading %s cost of %s from Cost Explorer: %w", g.metric, g.month, classify(err))
		}
		out = append(out, resp.ResultsByTime...)
		next := aws.ToString(resp.NextPageToken)
		if next == "" {
			return out, nil
		}
		if seen[next] {
			return nil, fmt.Errorf("Cost Explorer returned the page token %q twice; stopping instead of looping", next)
		}
		seen[next] = true
		in.NextPageToken = aws.String(next)
	}
}

// cells runs a query grouped by linked account and TenantId tag.
func (g *gatherer) cells(ctx context.Context, groupBy []cetypes.GroupDefinition, filter *cetypes.Expression) ([]Cell, error) {
	rs, err := g.results(ctx, groupBy, filter)
	if err != nil {
		return nil, err
	}
	var cells []Cell
	for _, r := range rs {
		for _, grp := range r.Groups {
			if len(grp.Keys) != 2 {
				return nil, fmt.Errorf("Cost Explorer group with keys %q: want linked account and TenantId tag", grp.Keys)
			}
			c := Cell{Account: grp.Keys[0], Tag: strings.TrimPrefix(grp.Keys[1], spec.TagTenantID+"$"), Amount: new(big.Rat)}
			if err := g.addAmount(c.Amount, grp.Metrics); err != nil {
				return nil, err
			}
			cells = append(cells, c)
		}
	}
	return cells, nil
}

func (g *gatherer) addAmount(sum *big.Rat, metrics map[string]cetypes.MetricValue) error {
	mv, ok := metrics[g.metric]
	if !ok {
		return nil
	}
	a, err := parseAmount(aws.ToString(mv.Amount))
	if err != nil {
		return err
	}
	if u := aws.ToString(mv.Unit); u != "" {
		g.units[u] = true
	}
	sum.Add(sum, a)
	return nil
}

// accountTenants reads the TENANT_ID tag of every organization account that
// has cost in the month. Organizations is only asked when a linked account can
// belong to a tenant: the fleet has account-model tenants, or the cost spans
// several accounts (a tenant that left the account model mid-month).
func accountTenants(ctx context.Context, org OrganizationsAPI, fleet *spec.Fleet, cells []Cell) (map[string]string, []string, error) {
	withCost := map[string]bool{}
	for _, c := range cells {
		withCost[c.Account] = true
	}
	hasAccountTenant := false
	for _, t := range fleet.Tenants {
		hasAccountTenant = hasAccountTenant || t.Model == spec.ModelAccount
	}
	if len(withCost) == 0 || (!hasAccountTenant && len(withCost) < 2) {
		return nil, nil, nil
	}
	members := map[string]bool{}
	in := &organizations.ListAccountsInput{}
	for {
		out, err := org.ListAccounts(ctx, in)
		if err != nil {
			var notInUse *orgtypes.AWSOrganizationsNotInUseException
			if errors.As(err, &notInUse) {
				return nil, []string{"the account is not in an AWS Organization: no linked account maps to a tenant"}, nil
			}
			return nil, nil, fmt.Errorf("listing the organization's accounts: %w", classify(err))
		}
		for _, a := range out.Accounts {
			members[aws.ToString(a.Id)] = true
		}
		if aws.ToString(out.NextToken) == "" {
			break
		}
		in.NextToken = out.NextToken
	}
	var warnings []string
	m := map[string]string{}
	for _, acct := range sortedKeys(withCost) {
		if !members[acct] {
			if acct != "" {
				warnings = append(warnings, fmt.Sprintf("account %s has cost but is not in the organization any more; its cost is allocated by tag", acct))
			}
			continue
		}
		tin := &organizations.ListTagsForResourceInput{ResourceId: aws.String(acct)}
		for {
			out, err := org.ListTagsForResource(ctx, tin)
			if err != nil {
				return nil, nil, fmt.Errorf("reading the tags of account %s: %w", acct, classify(err))
			}
			for _, tag := range out.Tags {
				if aws.ToString(tag.Key) == spec.TagAccountTenantID {
					m[acct] = aws.ToString(tag.Value)
				}
			}
			if aws.ToString(out.NextToken) == "" {
				break
			}
			tin.NextToken = out.NextToken
		}
	}
	// A tenant file that names its account while the account's tag says
	// otherwise is worth a look: the tag decides, the file is likely stale.
	for _, t := range fleet.Tenants {
		if t.Account == nil || t.Account.ID == "" || !withCost[t.Account.ID] {
			continue
		}
		if got := m[t.Account.ID]; got != t.ID {
			warnings = append(warnings, fmt.Sprintf("%s names account %s, whose %s tag is %q; the tag decides", t.Source.File, t.Account.ID, spec.TagAccountTenantID, got))
		}
	}
	return m, warnings, nil
}

// usage sums every tenant's metering metrics over the month with
// GetMetricData (daily Sum datapoints added up), 500 queries per call,
// following NextToken.
func usage(ctx context.Context, api MetricsAPI, tenants []*spec.Tenant, month Month, weights []Weight) (map[string]map[string]float64, error) {
	type ref struct{ tenant, metric string }
	var refs []ref
	for _, t := range tenants {
		for _, w := range weights {
			refs = append(refs, ref{t.ID, w.Metric})
		}
	}
	out := map[string]map[string]float64{}
	for start := 0; start < len(refs); start += maxQueries {
		batch := refs[start:min(start+maxQueries, len(refs))]
		queries := make([]cwtypes.MetricDataQuery, len(batch))
		for i, r := range batch {
			queries[i] = cwtypes.MetricDataQuery{
				Id: aws.String(fmt.Sprintf("q%d", i)),
				MetricStat: &cwtypes.MetricStat{
					Metric: &cwtypes.Metric{
						Namespace:  aws.String(metering.Namespace),
						MetricName: aws.String(r.metric),
						Dimensions: []cwtypes.Dimension{{Name: aws.String(metering.DimensionTenantID), Value: aws.String(r.tenant)}},
					},
					Period: aws.Int32(86400),
					Stat:   aws.String(string(cwtypes.StatisticSum)),
				},
				ReturnData: aws.Bool(true),
			}
		}
		in := &cloudwatch.GetMetricDataInput{
			MetricDataQueries: queries,
			StartTime:         aws.Time(month.Start()),
			EndTime:           aws.Time(month.End()),
		}
		for {
			resp, err := api.GetMetricData(ctx, in)
			if err != nil {
				return nil, fmt.Errorf("reading metered usage (%s) of %s: %w", metering.Namespace, month, classify(err))
			}
			for _, res := range resp.MetricDataResults {
				var i int
				if _, err := fmt.Sscanf(aws.ToString(res.Id), "q%d", &i); err != nil || i < 0 || i >= len(batch) {
					return nil, fmt.Errorf("GetMetricData answered for a query it was not asked: %q", aws.ToString(res.Id))
				}
				r := batch[i]
				for _, v := range res.Values {
					if out[r.tenant] == nil {
						out[r.tenant] = map[string]float64{}
					}
					out[r.tenant][r.metric] += v
				}
			}
			if aws.ToString(resp.NextToken) == "" {
				break
			}
			in.NextToken = resp.NextToken
		}
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
