// Package container is the container isolation model: the tenant's service
// runs on the platform's shared ECS cluster, autoscaled, reached only through
// the shared load balancer by a host-header rule for the tenant's name on its
// HTTPS listener; its data is a table of its own, or pooled.
package container

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/tenantctl/tenantctl/models/fargate"
	"github.com/tenantctl/tenantctl/models/ingress"
	"github.com/tenantctl/tenantctl/models/registry"
	"github.com/tenantctl/tenantctl/models/tenant"
	"github.com/tenantctl/tenantctl/models/usergroup"
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
	URL            pulumi.StringOutput
	ListenerIndex  pulumi.IntOutput
	TargetGroupArn pulumi.StringOutput
	ServiceName    pulumi.StringOutput
	Data           *tenant.DataStore
}

// NewContainerTenant registers the tenant's ingress on the shared load
// balancer, its data store, service and registry item; name is the tenant
// id, and opts carry the stack's provider.
func NewContainerTenant(ctx *pulumi.Context, name string, args *ContainerTenantArgs, opts ...pulumi.ResourceOption) (*ContainerTenant, error) {
	in := args.Input
	c := &ContainerTenant{}
	if err := ctx.RegisterComponentResource(ComponentType, name, c, opts...); err != nil {
		return nil, err
	}
	child := []pulumi.ResourceOption{pulumi.Parent(c)}
	key, err := in.Key(ctx, child)
	if err != nil {
		return nil, err
	}
	in.KeyArn = key.Arn()
	web, err := ingress.Shared(ctx, in, child)
	if err != nil {
		return nil, err
	}
	data, err := in.Data(ctx, child)
	if err != nil {
		return nil, err
	}
	svc, err := fargate.New(ctx, in, fargate.Args{
		Cluster:        in.Platform.ClusterArn,
		VPCID:          in.Platform.SharedVPCID,
		Subnets:        in.Platform.PrivateSubnetIDs,
		LoadBalancer:   web.Service(),
		TaskStatements: data.StatementsOutput(),
	}, child...)
	if err != nil {
		return nil, err
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
	c.Host = pulumi.String(web.Host).ToStringOutput()
	c.URL = pulumi.String(in.URL()).ToStringOutput()
	c.ListenerIndex = pulumi.Int(web.ListenerIndex).ToIntOutput()
	c.TargetGroupArn, c.ServiceName, c.Data = web.TargetGroup.Arn, svc.Service.Name, data
	if err := ctx.RegisterResourceOutputs(c, c.Outputs()); err != nil {
		return nil, err
	}
	return c, nil
}

// Outputs are the stack outputs, by name.
func (c *ContainerTenant) Outputs() pulumi.Map {
	return c.Data.AddOutputs(pulumi.Map{
		"host":           c.Host,
		"url":            c.URL,
		"listenerIndex":  c.ListenerIndex,
		"targetGroupArn": c.TargetGroupArn,
		"serviceName":    c.ServiceName,
	})
}
