// Package vpc is the vpc isolation model: in the SaaS account, the tenant gets
// a VPC of its own on its CIDR with its own autoscaled service on the
// platform's cluster and its data (a table of its own, or pooled), behind a
// load balancer of its own in the VPC's public subnets (its name and
// certificate in the platform's zone), optionally attached to the
// shared-services network through the Transit Gateway.
package vpc

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2transitgateway"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/tenantctl/tenantctl/internal/emulator/gaps"
	"github.com/tenantctl/tenantctl/models/fargate"
	"github.com/tenantctl/tenantctl/models/ingress"
	"github.com/tenantctl/tenantctl/models/network"
	"github.com/tenantctl/tenantctl/models/registry"
	"github.com/tenantctl/tenantctl/models/tenant"
	"github.com/tenantctl/tenantctl/models/usergroup"
)

// ComponentType is the type token of the model's component.
const ComponentType = "tenantctl:models:VpcTenant"

// VpcTenantArgs are what the vpc model builds from: the tenant, its fleet and
// the platform as the stack sees it.
type VpcTenantArgs struct {
	tenant.Input
}

// VpcTenant is the vpc model's component; its fields are the stack's outputs.
type VpcTenant struct {
	pulumi.ResourceState

	VpcID               pulumi.IDOutput
	ServiceName         pulumi.StringOutput
	URL                 pulumi.StringOutput
	LoadBalancerDNSName pulumi.StringOutput
	Data                *tenant.DataStore
	// TransitGatewayAttachmentID is set when the tenant is attached to the
	// shared-services network (and the emulator can serve the attachment).
	TransitGatewayAttachmentID *pulumi.IDOutput
}

// NewVpcTenant registers the tenant's VPC, load balancer, data store,
// service and registry item; name is the tenant id, and opts carry the
// stack's provider.
func NewVpcTenant(ctx *pulumi.Context, name string, args *VpcTenantArgs, opts ...pulumi.ResourceOption) (*VpcTenant, error) {
	in := args.Input
	t := in.Tenant
	c := &VpcTenant{}
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
	web, err := ingress.Dedicated(ctx, in,
		ingress.Network{VPCID: vpc.VPC.ID(), CIDR: t.Network.CIDR, PublicSubnets: network.IDs(vpc.PublicSubnets)},
		ingress.Zone{ID: in.Platform.ZoneID}, child)
	if err != nil {
		return nil, err
	}
	data, err := in.Data(ctx, child)
	if err != nil {
		return nil, err
	}
	svc, err := fargate.New(ctx, in, fargate.Args{
		Cluster:        in.Platform.ClusterArn,
		VPCID:          vpc.VPC.ID(),
		Subnets:        network.IDs(vpc.PrivateSubnets),
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
	c.VpcID, c.ServiceName, c.Data = vpc.VPC.ID(), svc.Service.Name, data
	c.URL, c.LoadBalancerDNSName = pulumi.String(in.URL()).ToStringOutput(), web.LoadBalancer.DnsName
	if t.Network.SharedServices && !in.Emulation.Gap(gaps.TransitGatewayAttach) {
		attach, err := attachSharedServices(ctx, in, vpc, child)
		if err != nil {
			return nil, err
		}
		id := attach.ID()
		c.TransitGatewayAttachmentID = &id
	}
	if err := ctx.RegisterResourceOutputs(c, c.Outputs()); err != nil {
		return nil, err
	}
	return c, nil
}

// Outputs are the stack outputs, by name.
func (c *VpcTenant) Outputs() pulumi.Map {
	m := c.Data.AddOutputs(pulumi.Map{"vpcId": c.VpcID, "serviceName": c.ServiceName, "url": c.URL, "loadBalancerDnsName": c.LoadBalancerDNSName})
	if c.TransitGatewayAttachmentID != nil {
		m["transitGatewayAttachmentId"] = *c.TransitGatewayAttachmentID
	}
	return m
}

// attachSharedServices attaches the tenant's private subnets to the platform's
// Transit Gateway and routes both ways: the tenant's private route table to the
// shared-services CIDR, and the shared-services route table back to the tenant.
func attachSharedServices(ctx *pulumi.Context, in tenant.Input, vpc *network.VPC, opts []pulumi.ResourceOption) (*ec2transitgateway.VpcAttachment, error) {
	t, s := in.Tenant, in.Settings()
	attach, err := ec2transitgateway.NewVpcAttachment(ctx, in.Name("tgw"), &ec2transitgateway.VpcAttachmentArgs{
		TransitGatewayId: in.Platform.TransitGatewayID,
		VpcId:            vpc.VPC.ID(),
		SubnetIds:        network.IDs(vpc.PrivateSubnets),
		Tags:             in.NameTag("tgw"),
	}, opts...)
	if err != nil {
		return nil, err
	}
	after := tenant.With(opts, pulumi.DependsOn([]pulumi.Resource{attach}))
	if _, err := ec2.NewRoute(ctx, in.Name("to-services"), &ec2.RouteArgs{
		RouteTableId:         vpc.PrivateRouteTable.ID(),
		DestinationCidrBlock: pulumi.String(s.SharedServices.CIDR),
		TransitGatewayId:     in.Platform.TransitGatewayID,
	}, after...); err != nil {
		return nil, err
	}
	if _, err := ec2.NewRoute(ctx, in.Name("from-services"), &ec2.RouteArgs{
		RouteTableId:         in.Platform.SharedServicesRouteTableID,
		DestinationCidrBlock: pulumi.String(t.Network.CIDR),
		TransitGatewayId:     in.Platform.TransitGatewayID,
	}, after...); err != nil {
		return nil, err
	}
	return attach, nil
}
