// Package container is the container isolation model: the tenant's service
// runs on the platform's shared ECS cluster, autoscaled, reached only through
// the shared load balancer by a host-header rule for <id>.<domain>; its data
// is a table of its own, or pooled.
package container

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lb"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/tenantctl/tenantctl/internal/naming"
	"github.com/tenantctl/tenantctl/models/fargate"
	"github.com/tenantctl/tenantctl/models/platform"
	"github.com/tenantctl/tenantctl/models/tenant"
)

// ComponentType is the type token of the model's component.
const ComponentType = "tenantctl:models:ContainerTenant"

// ContainerTenantArgs are what the container model builds from: the tenant,
// its fleet and the platform as the stack sees it.
type ContainerTenantArgs struct {
	tenant.Input
}

// ContainerTenant is the container model's component; its fields are the
// stack's outputs.
type ContainerTenant struct {
	pulumi.ResourceState

	Host           pulumi.StringOutput
	ListenerIndex  pulumi.IntOutput
	TargetGroupArn pulumi.StringOutput
	ServiceName    pulumi.StringOutput
	Data           *tenant.DataStore
}

// Host is the tenant's host name on the shared load balancer.
func Host(id, domain string) string { return id + "." + domain }

// NewContainerTenant registers the tenant's target group, listener rule and
// service; name is the tenant id, and opts carry the stack's provider.
func NewContainerTenant(ctx *pulumi.Context, name string, args *ContainerTenantArgs, opts ...pulumi.ResourceOption) (*ContainerTenant, error) {
	in := args.Input
	t, s := in.Tenant, in.Settings()
	sv := t.Service
	c := &ContainerTenant{}
	if err := ctx.RegisterComponentResource(ComponentType, name, c, opts...); err != nil {
		return nil, err
	}
	child := []pulumi.ResourceOption{pulumi.Parent(c)}
	tg, err := lb.NewTargetGroup(ctx, in.Name("tg"), &lb.TargetGroupArgs{
		Name:                pulumi.String(in.Physical(naming.TargetGroupSuffix, naming.MaxTargetGroup)),
		Port:                pulumi.Int(sv.Port),
		Protocol:            pulumi.String("HTTP"),
		TargetType:          pulumi.String("ip"),
		VpcId:               in.Platform.SharedVPCID,
		DeregistrationDelay: pulumi.Int(30),
		HealthCheck: lb.TargetGroupHealthCheckArgs{
			Enabled:  pulumi.Bool(true),
			Path:     pulumi.String(sv.HealthCheckPath),
			Protocol: pulumi.String("HTTP"),
			Matcher:  pulumi.String("200-399"),
		},
	}, child...)
	if err != nil {
		return nil, err
	}
	listener := platform.ListenerIndex(sv.ListenerPriority, s.LoadBalancer.RulesPerListener)
	host := Host(t.ID, s.Domain)
	rule, err := lb.NewListenerRule(ctx, in.Name("rule"), &lb.ListenerRuleArgs{
		ListenerArn: in.Platform.Listener(listener),
		Priority:    pulumi.Int(sv.ListenerPriority),
		Actions: lb.ListenerRuleActionArray{lb.ListenerRuleActionArgs{
			Type: pulumi.String("forward"), TargetGroupArn: tg.Arn,
		}},
		Conditions: lb.ListenerRuleConditionArray{lb.ListenerRuleConditionArgs{
			HostHeader: lb.ListenerRuleConditionHostHeaderArgs{Values: pulumi.StringArray{pulumi.String(host)}},
		}},
	}, child...)
	if err != nil {
		return nil, err
	}
	data, err := in.Data(ctx, child)
	if err != nil {
		return nil, err
	}
	svc, err := fargate.New(ctx, in, fargate.Args{
		Cluster:              in.Platform.ClusterArn,
		VPCID:                in.Platform.SharedVPCID,
		Subnets:              in.Platform.PrivateSubnetIDs,
		IngressSecurityGroup: in.Platform.LBSecurityGroupID,
		TargetGroupArn:       tg.Arn,
		// ECS refuses a target group no listener forwards to.
		DependsOn:      []pulumi.Resource{rule},
		TaskStatements: data.StatementsOutput(),
	}, child...)
	if err != nil {
		return nil, err
	}
	c.Host = pulumi.String(host).ToStringOutput()
	c.ListenerIndex = pulumi.Int(listener).ToIntOutput()
	c.TargetGroupArn, c.ServiceName, c.Data = tg.Arn, svc.Service.Name, data
	if err := ctx.RegisterResourceOutputs(c, c.Outputs()); err != nil {
		return nil, err
	}
	return c, nil
}

// Outputs are the stack outputs, by name.
func (c *ContainerTenant) Outputs() pulumi.Map {
	return c.Data.AddOutputs(pulumi.Map{
		"host":           c.Host,
		"listenerIndex":  c.ListenerIndex,
		"targetGroupArn": c.TargetGroupArn,
		"serviceName":    c.ServiceName,
	})
}
