// Package account is the account isolation model: the tenant gets an AWS
// account of its own, and in it a full silo — VPC, ECS cluster and service,
// a dedicated DynamoDB table and a monthly budget. The stack's provider assumes
// the deploy role in that account (the read-only preview role for previews);
// every IAM role it creates carries the deploy role's permissions boundary,
// the only kind of role that role may create.
package account

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/budgets"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/dynamodb"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecs"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/tenantctl/tenantctl/internal/emulator/gaps"
	"github.com/tenantctl/tenantctl/models/datatable"
	"github.com/tenantctl/tenantctl/models/fargate"
	"github.com/tenantctl/tenantctl/models/network"
	"github.com/tenantctl/tenantctl/models/tenant"
)

// ComponentType is the type token of the model's component.
const ComponentType = "tenantctl:models:AccountTenant"

// Budget alert thresholds: actual spend at 80%, forecast spend at 100%.
const (
	ActualAlertPercent   = 80
	ForecastAlertPercent = 100
)

// Tenant is the account model's component.
type Tenant struct {
	pulumi.ResourceState
	tenant.Result
}

// Deploy registers the tenant's silo.
func Deploy(ctx *pulumi.Context, in tenant.Input) (*Tenant, error) {
	t := in.Tenant
	tier := in.Fleet.TierOf(t)
	if tier == nil || tier.MonthlyBudgetUSD <= 0 {
		return nil, fmt.Errorf("tenant %s: tier %q has no monthlyBudgetUsd; the account model sets a monthly budget from it", t.ID, t.Tier)
	}
	c := &Tenant{}
	opts, err := in.Component(ctx, ComponentType, c)
	if err != nil {
		return nil, err
	}
	vpc, err := in.VPC(ctx, opts)
	if err != nil {
		return nil, err
	}
	cluster, err := ecs.NewCluster(ctx, in.Name("cluster"), &ecs.ClusterArgs{
		Name: pulumi.String(in.Physical("cluster", 255)),
		Settings: ecs.ClusterSettingArray{ecs.ClusterSettingArgs{
			Name: pulumi.String("containerInsights"), Value: pulumi.String("enabled"),
		}},
	}, opts...)
	if err != nil {
		return nil, err
	}
	if in.PermissionsBoundary == "" {
		return nil, fmt.Errorf("tenant %s: the account model's roles need the deploy role's permissions boundary, and none is configured", t.ID)
	}
	svc, err := fargate.New(ctx, in, fargate.Args{
		Cluster:             cluster.Arn,
		VPCID:               vpc.VPC.ID(),
		Subnets:             network.IDs(vpc.PrivateSubnets),
		IngressCIDRs:        []pulumi.StringInput{pulumi.String(t.Network.CIDR)},
		PermissionsBoundary: pulumi.String(in.PermissionsBoundary),
	}, opts...)
	if err != nil {
		return nil, err
	}
	table, err := dynamodb.NewTable(ctx, in.Name("data"), datatable.Args(in.Physical("data", 255), nil), opts...)
	if err != nil {
		return nil, err
	}
	budgetArgs := &budgets.BudgetArgs{
		// The tenant's own account, stated rather than left to the provider
		// (which does not look its account up against an emulator).
		AccountId:   in.AccountID,
		Name:        pulumi.String(in.Physical("monthly", 100)),
		BudgetType:  pulumi.String("COST"),
		LimitAmount: pulumi.String(fmt.Sprintf("%.2f", tier.MonthlyBudgetUSD)),
		LimitUnit:   pulumi.String("USD"),
		TimeUnit:    pulumi.String("MONTHLY"),
	}
	if !in.Emulation.Gap(gaps.BudgetNotifications) {
		budgetArgs.Notifications = budgets.BudgetNotificationArray{
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
		}
	}
	budget, err := budgets.NewBudget(ctx, in.Name("budget"), budgetArgs, opts...)
	if err != nil {
		return nil, err
	}
	outputs := pulumi.Map{
		"accountId":   in.AccountID,
		"vpcId":       vpc.VPC.ID(),
		"clusterArn":  cluster.Arn,
		"serviceName": svc.Service.Name,
		"tableName":   table.Name,
		"budgetName":  budget.Name,
	}
	if err := c.Finish(ctx, c, outputs); err != nil {
		return nil, err
	}
	return c, nil
}
