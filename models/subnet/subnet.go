// Package subnet is the subnet isolation model: the tenant gets subnets of its
// own inside the platform's shared VPC, a network ACL that shuts out every
// other tenant with a constant number of rules, its autoscaled service and its
// data (a table of its own, or pooled); the service is reached through the
// platform's shared load balancer or, when its tier says so (ingress:
// dedicated), one of its own in the platform's public subnets.
package subnet

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/models/fargate"
	"github.com/tenantctl/tenantctl/models/ingress"
	"github.com/tenantctl/tenantctl/models/network"
	"github.com/tenantctl/tenantctl/models/registry"
	"github.com/tenantctl/tenantctl/models/tenant"
	"github.com/tenantctl/tenantctl/models/usergroup"
)

// ComponentType is the type token of the model's component.
const ComponentType = "tenantctl:models:SubnetTenant"

// Rule numbers of the tenant's NACL, the same in both directions. NACLs apply
// the lowest-numbered matching rule, so the allows come before the deny of the
// whole shared VPC, and the internet (through the NAT gateway) comes last.
const (
	RuleOwnFirst       = 100 // +i for the tenant's i-th subnet
	RuleSharedServices = 200
	// RuleLoadBalancersFirst (+i) admits the platform's i-th public subnet:
	// the load balancers in front of the tenant's service, shared or its own,
	// live there (with the NAT gateway, which originates nothing inward).
	RuleLoadBalancersFirst = 250
	RuleDenySharedVPC      = 300
	RuleInternet           = 400
)

// Rule is one NACL rule.
type Rule struct {
	Number int
	CIDR   string
	Allow  bool
}

// Rules are the tenant's NACL rules of one direction: its own subnets, the
// shared-services network and the platform's load balancer subnets allowed,
// the rest of the shared VPC (every other tenant, the platform's private
// subnets) denied, the internet allowed. The count is
// spec.SubnetNACLRules whatever the size of the fleet, which validation
// holds within awsLimits.naclRules; validation's bounds on subnets
// (spec.MaxSubnetsOf) and zones (spec.MaxAZCount) keep each group's numbers
// below the next group's.
func Rules(s *spec.Settings, t *spec.Tenant) []Rule {
	rules := make([]Rule, 0, spec.SubnetNACLRules(s, t))
	for i, cidr := range t.Subnets {
		rules = append(rules, Rule{Number: RuleOwnFirst + i, CIDR: cidr, Allow: true})
	}
	rules = append(rules, Rule{Number: RuleSharedServices, CIDR: s.SharedServices.CIDR, Allow: true})
	for i, cidr := range LoadBalancerSubnets(s) {
		rules = append(rules, Rule{Number: RuleLoadBalancersFirst + i, CIDR: cidr, Allow: true})
	}
	return append(rules,
		Rule{Number: RuleDenySharedVPC, CIDR: s.SharedVPC.CIDR, Allow: false},
		Rule{Number: RuleInternet, CIDR: network.AnyIPv4, Allow: true},
	)
}

// LoadBalancerSubnets are the platform's public subnets, where the shared
// load balancers and subnet tenants' own ones live: the first azCount of
// sharedVpc.platformSubnets.
func LoadBalancerSubnets(s *spec.Settings) []string {
	return s.SharedVPC.PlatformSubnets[:s.SharedVPC.AZCount]
}

// SubnetTenantArgs are what the subnet model builds from: the tenant, its
// fleet and the platform as the stack sees it.
type SubnetTenantArgs struct {
	tenant.Input
}

// SubnetTenant is the subnet model's component; its fields are the stack's
// outputs.
type SubnetTenant struct {
	pulumi.ResourceState

	SubnetIDs    pulumi.StringArrayOutput
	NetworkACLID pulumi.IDOutput
	ServiceName  pulumi.StringOutput
	URL          pulumi.StringOutput
	Data         *tenant.DataStore
	// LoadBalancerDNSName is the DNS name of the tenant's own load
	// balancer (dedicated ingress only).
	LoadBalancerDNSName *pulumi.StringOutput
}

// NewSubnetTenant registers the tenant's subnets, NACL, ingress, data store,
// service and registry item; name is the tenant id, and opts carry the
// stack's provider.
func NewSubnetTenant(ctx *pulumi.Context, name string, args *SubnetTenantArgs, opts ...pulumi.ResourceOption) (*SubnetTenant, error) {
	in := args.Input
	t, s := in.Tenant, in.Settings()
	rules := Rules(s, t)
	c := &SubnetTenant{}
	if err := ctx.RegisterComponentResource(ComponentType, name, c, opts...); err != nil {
		return nil, err
	}
	child := []pulumi.ResourceOption{pulumi.Parent(c)}
	key, err := in.Key(ctx, child)
	if err != nil {
		return nil, err
	}
	in.KeyArn = key.Arn()
	subnets, err := newSubnets(ctx, in, child)
	if err != nil {
		return nil, err
	}
	acl, err := newNetworkACL(ctx, in, rules, subnets, child)
	if err != nil {
		return nil, err
	}
	web, err := newIngress(ctx, in, child)
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
		Subnets:        network.IDs(subnets),
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
	c.SubnetIDs = network.IDs(subnets).ToStringArrayOutput()
	c.NetworkACLID, c.ServiceName, c.Data = acl.ID(), svc.Service.Name, data
	c.URL = pulumi.String(in.URL()).ToStringOutput()
	if web.LoadBalancer != nil {
		c.LoadBalancerDNSName = &web.LoadBalancer.DnsName
	}
	if err := ctx.RegisterResourceOutputs(c, c.Outputs()); err != nil {
		return nil, err
	}
	return c, nil
}

// Outputs are the stack outputs, by name.
func (c *SubnetTenant) Outputs() pulumi.Map {
	m := c.Data.AddOutputs(pulumi.Map{
		"subnetIds":    c.SubnetIDs,
		"networkAclId": c.NetworkACLID,
		"serviceName":  c.ServiceName,
		"url":          c.URL,
	})
	if c.LoadBalancerDNSName != nil {
		m["loadBalancerDnsName"] = *c.LoadBalancerDNSName
	}
	return m
}

// newIngress puts the tenant behind the platform's shared load balancer, or
// (dedicated ingress) behind one of its own in the platform's public
// subnets; either way its name is in the platform's zone.
func newIngress(ctx *pulumi.Context, in tenant.Input, opts []pulumi.ResourceOption) (*ingress.Endpoint, error) {
	s, p := in.Settings(), in.Platform
	if s.UsesSharedListener(in.Tenant) {
		return ingress.Shared(ctx, in, opts)
	}
	return ingress.Dedicated(ctx, in,
		ingress.Network{VPCID: p.SharedVPCID, CIDR: s.SharedVPC.CIDR, PublicSubnets: p.PublicSubnetIDs},
		ingress.Zone{ID: p.ZoneID}, opts)
}

// newSubnets carves the tenant's subnets out of the shared VPC, one per zone,
// on the shared route table.
func newSubnets(ctx *pulumi.Context, in tenant.Input, opts []pulumi.ResourceOption) ([]*ec2.Subnet, error) {
	zones := network.AvailabilityZones(ctx, in.Provider)
	var subnets []*ec2.Subnet
	for i, cidr := range in.Tenant.Subnets {
		sn, err := ec2.NewSubnet(ctx, in.Name("subnet", fmt.Sprint(i)), &ec2.SubnetArgs{
			VpcId:            in.Platform.SharedVPCID,
			CidrBlock:        pulumi.String(cidr),
			AvailabilityZone: network.Zone(zones, i),
			Tags:             in.NameTag(fmt.Sprintf("subnet-%d", i)),
		}, opts...)
		if err != nil {
			return nil, err
		}
		if _, err := ec2.NewRouteTableAssociation(ctx, in.Name("subnet", fmt.Sprint(i)), &ec2.RouteTableAssociationArgs{
			SubnetId:     sn.ID(),
			RouteTableId: in.Platform.SharedRouteTableID,
		}, opts...); err != nil {
			return nil, err
		}
		subnets = append(subnets, sn)
	}
	return subnets, nil
}

// newNetworkACL is the tenant's NACL with rules (the same both ways), on
// every one of its subnets.
func newNetworkACL(ctx *pulumi.Context, in tenant.Input, rules []Rule, subnets []*ec2.Subnet, opts []pulumi.ResourceOption) (*ec2.NetworkAcl, error) {
	acl, err := ec2.NewNetworkAcl(ctx, in.Name("nacl"), &ec2.NetworkAclArgs{
		VpcId: in.Platform.SharedVPCID,
		Tags:  in.NameTag("nacl"),
	}, opts...)
	if err != nil {
		return nil, err
	}
	for _, egress := range []bool{false, true} {
		dir := "in"
		if egress {
			dir = "out"
		}
		for _, r := range rules {
			action := "deny"
			if r.Allow {
				action = "allow"
			}
			if _, err := ec2.NewNetworkAclRule(ctx, in.Name("nacl", dir, fmt.Sprint(r.Number)), &ec2.NetworkAclRuleArgs{
				NetworkAclId: acl.ID(),
				RuleNumber:   pulumi.Int(r.Number),
				Egress:       pulumi.Bool(egress),
				Protocol:     pulumi.String("-1"),
				RuleAction:   pulumi.String(action),
				CidrBlock:    pulumi.String(r.CIDR),
			}, opts...); err != nil {
				return nil, err
			}
		}
	}
	for i, sn := range subnets {
		if _, err := ec2.NewNetworkAclAssociation(ctx, in.Name("nacl", fmt.Sprint(i)), &ec2.NetworkAclAssociationArgs{
			NetworkAclId: acl.ID(),
			SubnetId:     sn.ID(),
		}, opts...); err != nil {
			return nil, err
		}
	}
	return acl, nil
}
