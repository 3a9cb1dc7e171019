// Package account is the account isolation model: the tenant gets an AWS
// account of its own, and in it a full silo — VPC, ECS cluster and
// autoscaled service behind a load balancer of its own, the hosted zone of
// its name (delegated from the platform's zone) with the load balancer's
// certificate, a DynamoDB table of its own and a monthly budget. The stack's
// provider assumes the deploy role in that account (the read-only preview
// role for previews); every IAM role it creates carries the deploy role's
// permissions boundary, the only kind of role that role may create. A
// second provider writes into the platform's account what the tenant needs
// there: the delegation of its name, and its registry item.
package account

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/budgets"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecs"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/tenantctl/tenantctl/internal/emulator/gaps"
	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/models/fargate"
	"github.com/tenantctl/tenantctl/models/ingress"
	"github.com/tenantctl/tenantctl/models/network"
	"github.com/tenantctl/tenantctl/models/registry"
	"github.com/tenantctl/tenantctl/models/tenant"
	"github.com/tenantctl/tenantctl/models/usergroup"
)

// ComponentType is the type token of the model's component.
const ComponentType = "tenantctl:models:AccountTenant"

// DelegationTTL is the time to live of the NS record delegating the
// tenant's name from the platform's zone, in seconds.
const DelegationTTL = 3600

// Budget alert thresholds: actual spend at 80%, forecast spend at 100%.
const (
	ActualAlertPercent   = 80
	ForecastAlertPercent = 100
)

// AccountTenantArgs are what the account model builds from: the tenant, its
// fleet, its account and the deploy role's permissions boundary.
type AccountTenantArgs struct {
	tenant.Input
}

// AccountTenant is the account model's component; its fields are the stack's
// outputs.
type AccountTenant struct {
	pulumi.ResourceState

	AccountID           pulumi.StringOutput
	VpcID               pulumi.IDOutput
	ClusterArn          pulumi.StringOutput
	ServiceName         pulumi.StringOutput
	BudgetName          pulumi.StringOutput
	URL                 pulumi.StringOutput
	LoadBalancerDNSName pulumi.StringOutput
	ZoneID              pulumi.StringOutput
	ZoneNameServers     pulumi.StringArrayOutput
	// Data is the tenant's table, in its account (the model honours no other mode).
	Data *tenant.DataStore
}

// NewAccountTenant registers the tenant's silo; name is the tenant id, and
// opts carry the stack's provider (which assumes the deploy role in the
// tenant's account).
func NewAccountTenant(ctx *pulumi.Context, name string, args *AccountTenantArgs, opts ...pulumi.ResourceOption) (*AccountTenant, error) {
	in := args.Input
	t := in.Tenant
	tier := in.Fleet.TierOf(t)
	c := &AccountTenant{}
	if err := ctx.RegisterComponentResource(ComponentType, name, c, opts...); err != nil {
		return nil, err
	}
	child := []pulumi.ResourceOption{pulumi.Parent(c)}
	key, err := in.Key(ctx, child)
	if err != nil {
		return nil, err
	}
	in.KeyArn = key.Arn()
	vpc, err := in.VPC(ctx, child)
	if err != nil {
		return nil, err
	}
	cluster, err := ecs.NewCluster(ctx, in.Name("cluster"), &ecs.ClusterArgs{
		Name: pulumi.String(in.Physical("cluster", 255)),
		Settings: ecs.ClusterSettingArray{ecs.ClusterSettingArgs{
			Name: pulumi.String("containerInsights"), Value: pulumi.String("enabled"),
		}},
	}, child...)
	if err != nil {
		return nil, err
	}
	if in.PermissionsBoundary == "" {
		return nil, fmt.Errorf("tenant %s: the account model's roles need the deploy role's permissions boundary, and none is configured", t.ID)
	}
	zone, delegation, err := newZone(ctx, in, child)
	if err != nil {
		return nil, err
	}
	web, err := ingress.Dedicated(ctx, in,
		ingress.Network{VPCID: vpc.VPC.ID(), CIDR: t.Network.CIDR, PublicSubnets: network.IDs(vpc.PublicSubnets)},
		ingress.Zone{ID: zone.ZoneId, Delegation: delegation}, child)
	if err != nil {
		return nil, err
	}
	data, err := in.Data(ctx, child)
	if err != nil {
		return nil, err
	}
	svc, err := fargate.New(ctx, in, fargate.Args{
		Cluster:             cluster.Arn,
		ClusterName:         cluster.Name,
		VPCID:               vpc.VPC.ID(),
		Subnets:             network.IDs(vpc.PrivateSubnets),
		LoadBalancer:        web.Service(),
		PermissionsBoundary: pulumi.String(in.PermissionsBoundary),
		TaskStatements:      data.StatementsOutput(),
	}, child...)
	if err != nil {
		return nil, err
	}
	// The budget's name, or "" where the emulator serves no budget tags.
	budgetName := pulumi.String("").ToStringOutput()
	if !in.Emulation.Gap(gaps.BudgetTags) {
		budget, err := newBudget(ctx, in, tier, child)
		if err != nil {
			return nil, err
		}
		budgetName = budget.Name
	}
	if _, err := usergroup.New(ctx, in, child); err != nil {
		return nil, err
	}
	if _, err := registry.New(ctx, in, nil, child); err != nil {
		return nil, err
	}
	if _, err := in.Monitor(ctx, web.AlarmTargets(svc, data), child); err != nil {
		return nil, err
	}
	c.AccountID = in.AccountID.ToStringOutput()
	c.VpcID, c.ClusterArn, c.ServiceName = vpc.VPC.ID(), cluster.Arn, svc.Service.Name
	c.Data, c.BudgetName = data, budgetName
	c.URL, c.LoadBalancerDNSName = pulumi.String(in.URL()).ToStringOutput(), web.LoadBalancer.DnsName
	c.ZoneID, c.ZoneNameServers = zone.ZoneId, zone.NameServers
	if err := ctx.RegisterResourceOutputs(c, c.Outputs()); err != nil {
		return nil, err
	}
	return c, nil
}

// Outputs are the stack outputs, by name.
func (c *AccountTenant) Outputs() pulumi.Map {
	return c.Data.AddOutputs(pulumi.Map{
		"accountId":   c.AccountID,
		"vpcId":       c.VpcID,
		"clusterArn":  c.ClusterArn,
		"serviceName": c.ServiceName,
		"budgetName":  c.BudgetName,
		"url":         c.URL,
		// The load balancer, and the zone of the tenant's name in its account.
		"loadBalancerDnsName": c.LoadBalancerDNSName,
		"zoneId":              c.ZoneID,
		"zoneNameServers":     c.ZoneNameServers,
	})
}

// newZone is the public hosted zone of the tenant's name in its account, and
// the NS record delegating the name to it from the platform's zone, written
// in the platform's account: the tenant's account holds its records and
// certificate, and needs no access to the platform's zone.
func newZone(ctx *pulumi.Context, in tenant.Input, opts []pulumi.ResourceOption) (*route53.Zone, *route53.Record, error) {
	host := in.Host()
	zone, err := route53.NewZone(ctx, in.Name("zone"), &route53.ZoneArgs{
		Name:    pulumi.String(host),
		Comment: pulumi.String("tenantctl: tenant " + in.Tenant.ID + ", delegated from the platform's zone"),
	}, opts...)
	if err != nil {
		return nil, nil, err
	}
	delegation, err := route53.NewRecord(ctx, in.Name("zone", "delegation"), &route53.RecordArgs{
		ZoneId:  in.Platform.ZoneID,
		Name:    pulumi.String(host),
		Type:    pulumi.String("NS"),
		Ttl:     pulumi.Int(DelegationTTL),
		Records: zone.NameServers,
	}, in.OnPlatform(opts)...)
	if err != nil {
		return nil, nil, err
	}
	return zone, delegation, nil
}

// newBudget is the account's monthly cost budget at the tier's amount, alerting
// the tenant's owner on actual and forecast spend.
func newBudget(ctx *pulumi.Context, in tenant.Input, tier *spec.Tier, opts []pulumi.ResourceOption) (*budgets.Budget, error) {
	t := in.Tenant
	budgetArgs := &budgets.BudgetArgs{
		// The tenant's own account, stated rather than left to the provider
		// (which does not look its account up against an emulator).
		AccountId:   in.AccountID,
		Name:        pulumi.String(in.Physical("monthly", 100)),
		BudgetType:  pulumi.String("COST"),
		LimitAmount: pulumi.String(fmt.Sprintf("%.2f", tier.MonthlyBudgetUSD)),
		LimitUnit:   pulumi.String("USD"),
		TimeUnit:    pulumi.String("MONTHLY"),
		Notifications: budgets.BudgetNotificationArray{
			budgets.BudgetNotificationArgs{
				ComparisonOperator: pulumi.String("GREATER_THAN"), NotificationType: pulumi.String("ACTUAL"),
				Threshold: pulumi.Float64(ActualAlertPercent), ThresholdType: pulumi.String("PERCENTAGE"),
				SubscriberEmailAddresses: pulumi.StringArray{pulumi.String(t.Owner)},
			},
			budgets.BudgetNotificationArgs{
				ComparisonOperator: pulumi.String("GREATER_THAN"), NotificationType: pulumi.String("FORECASTED"),
				Threshold: pulumi.Float64(ForecastAlertPercent), ThresholdType: pulumi.String("PERCENTAGE"),
				SubscriberEmailAddresses: pulumi.StringArray{pulumi.String(t.Owner)},
			},
		},
	}
	budget, err := budgets.NewBudget(ctx, in.Name("budget"), budgetArgs, opts...)
	if err != nil {
		return nil, err
	}
	return budget, nil
}
