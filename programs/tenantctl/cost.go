package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tenantctl/tenantctl/internal/awscfg"
	"github.com/tenantctl/tenantctl/internal/cost"
	"github.com/tenantctl/tenantctl/internal/spec"
)

// costOptions are the flags of `tenantctl cost`.
type costOptions struct {
	g           *globalOptions
	month       string
	format      string
	explain     bool
	metric      string
	weights     string
	region      string
	endpointURL string
	now         func() time.Time

	// Completed from the flags.
	parsedMonth   cost.Month
	parsedWeights []cost.Weight
}

func newCostCmd(g *globalOptions) *cobra.Command {
	o := &costOptions{g: g, now: time.Now}
	cmd := &cobra.Command{
		Use:   "cost --month YYYY-MM",
		Short: "Report one month's cost per tenant, reconciled to Cost Explorer's total",
		Long: `cost reports a month's cost per tenant:
  account tenants      the cost of their linked account (TENANT_ID account tag)
  vpc, subnet, container tenants
                       the cost tagged TenantId=<id>
  application tenants  a share of the pooled cost (tagged CostPool=application) by their
                       metered usage (CloudWatch ` + "`Tenantctl/Metering`" + `, see --explain)
Every report reconciles: the tenants plus the unallocated remainder equal Cost Explorer's
total for the month to the cent. Needs ce:GetCostAndUsage, cloudwatch:GetMetricData and,
for account tenants, organizations:ListAccounts and organizations:ListTagsForResource.`,
		Example: `  tenantctl cost --month 2026-10
  tenantctl cost --month 2026-10 --format csv > chargeback-2026-10.csv
  tenantctl cost --month 2026-10 --explain --weights Requests=0.7,CapacityUnits=0.3`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.complete(); err != nil {
				return usageError(err)
			}
			return o.run(cmd)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.month, "month", "", "calendar month to report, YYYY-MM (UTC); the current month gives an estimate")
	f.StringVar(&o.format, "format", "table", "output format: "+strings.Join(cost.Formats, ", "))
	f.BoolVar(&o.explain, "explain", false, "show the usage-share formula and every pooled tenant's numbers")
	f.StringVar(&o.metric, "metric", "UnblendedCost", "Cost Explorer metric: "+strings.Join(cost.CostMetrics, ", "))
	f.StringVar(&o.weights, "weights", "", "usage weights as Metric=factor,... (default Requests=0.5,CapacityUnits=0.5)")
	f.StringVar(&o.region, "region", "", "AWS region of the metering metrics (default: the fleet's platformRegion)")
	f.StringVar(&o.endpointURL, "endpoint-url", "", "AWS endpoint for every service, e.g. an emulator (default: AWS_ENDPOINT_URL)")
	_ = cmd.MarkFlagRequired("month")
	return cmd
}

// complete parses the flags; every error here is a usage error.
func (o *costOptions) complete() error {
	m, err := cost.ParseMonth(o.month, o.now())
	if err != nil {
		return err
	}
	o.parsedMonth = m
	if !slices.Contains(cost.Formats, o.format) {
		return fmt.Errorf("--format %q: want one of %s", o.format, strings.Join(cost.Formats, ", "))
	}
	if !slices.Contains(cost.CostMetrics, o.metric) {
		return fmt.Errorf("--metric %q: want one of %s", o.metric, strings.Join(cost.CostMetrics, ", "))
	}
	if o.weights != "" {
		for _, kv := range strings.Split(o.weights, ",") {
			k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
			f, err := strconv.ParseFloat(v, 64)
			if !ok || err != nil {
				return fmt.Errorf("--weights %q: want Metric=factor pairs, e.g. Requests=0.5,CapacityUnits=0.5", o.weights)
			}
			o.parsedWeights = append(o.parsedWeights, cost.Weight{Metric: k, Factor: f})
		}
		if err := cost.ValidateWeights(o.parsedWeights); err != nil {
			return fmt.Errorf("--weights: %w", err)
		}
	}
	return nil
}

func (o *costOptions) run(cmd *cobra.Command) error {
	fleet, err := spec.LoadDir(o.g.dir)
	if err != nil {
		return withCode(ExitInvalid, fmt.Errorf("loading the fleet from %s: %w", o.g.dir, err))
	}
	// Cost Explorer and Organizations are global; the metering metrics live
	// where the pooled service runs, the platform region.
	region := o.region
	if region == "" {
		region = fleet.Settings.PlatformRegion
	}
	ctx := cmd.Context()
	cfg, err := awscfg.Load(ctx, awscfg.Options{Region: region, EndpointURL: o.endpointURL})
	if err != nil {
		return withCode(ExitInvalid, err)
	}
	r, err := cost.Build(ctx, cost.NewClients(cfg, region), fleet, cost.Options{
		Month: o.parsedMonth, Metric: o.metric, Weights: o.parsedWeights,
	})
	if err != nil {
		return withCode(ExitInvalid, fmt.Errorf("cost of %s: %w", o.parsedMonth, err))
	}
	return cost.Write(o.g.stdout, r, o.format, o.explain)
}
