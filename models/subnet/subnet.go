// Package subnet is the subnet isolation model: the tenant gets subnets of its
// own inside the platform's shared VPC, a network ACL that shuts out every
// other tenant with a constant number of rules, its autoscaled service and its
// data (a table of its own, or pooled).
package subnet

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/models/fargate"
	"github.com/tenantctl/tenantctl/models/network"
	"github.com/tenantctl/tenantctl/models/tenant"
)

// ComponentType is the type token of the model's component.
const ComponentType = "tenantctl:models:SubnetTenant"

// Rule numbers of the tenant's NACL, the same in both directions. NACLs apply
// the lowest-numbered matching rule, so the allows come before the deny of the
// whole shared VPC, and the internet (through the NAT gateway) comes last.
const (
	RuleOwnFirst       = 100 // +i for the tenant's i-th subnet
	RuleSharedServices = 200
	RuleDenySharedVPC  = 300
	RuleInternet       = 400
)

// Rule is one NACL rule.
type Rule struct {
	Number int
	CIDR   string
	Allow  bool
}

// Rules are the tenant's NACL rules of one direction: its own subnets and the
// shared-services network allowed, the rest of the shared VPC (every other
// tenant, the platform's subnets) denied, the internet allowed. The count is
// len(subnets)+spec.SubnetNACLBaseRules whatever the size of the fleet, which
// validation holds within awsLimits.naclRules; validation's bound on subnets
// (spec.MaxSubnetsOf) keeps the own rules' numbers below RuleSharedServices.
func Rules(s *spec.Settings, t *spec.Tenant) []Rule {
	rules := make([]Rule, 0, len(t.Subnets)+spec.SubnetNACLBaseRules)
	for i, cidr := range t.Subnets {
		rules = append(rules, Rule{Number: RuleOwnFirst + i, CIDR: cidr, Allow: true})
	}
	return append(rules,
		Rule{Number: RuleSharedServices, CIDR: s.SharedServices.CIDR, Allow: true},
		Rule{Number: RuleDenySharedVPC, CIDR: s.SharedVPC.CIDR, Allow: false},
		Rule{Number: RuleInternet, CIDR: network.AnyIPv4, Allow: true},
	)
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
	Data         *tenant.DataStore
}

// NewSubnetTenant registers the tenant's subnets, NACL and service; name is
// the tenant id, and opts carry the stack's provider.
func NewSubnetTenant(ctx *pulumi.Context, name string, args *SubnetTenantArgs, opts ...pulumi.ResourceOption) (*SubnetTenant, error) {
	in := args.Input
	t, s := in.Tenant, in.Settings()
	rules := Rules(s, t)
	c := &SubnetTenant{}
	if err := ctx.RegisterComponentResource(ComponentType, name, c, opts...); err != nil {
		return nil, err
	}
	child := []pulumi.ResourceOption{pulumi.Parent(c)}
	subnets, err := newSubnets(ctx, in, child)
	if err != nil {
		return nil, err
	}
	acl, err := newNetworkACL(ctx, in, rules, subnets, child)
	if err != nil {
		return nil, err
	}
	ingress := make([]pulumi.StringInput, 0, len(t.Subnets)+1)
	for _, cidr := range t.Subnets {
		ingress = append(ingress, pulumi.String(cidr))
	}
	ingress = append(ingress, pulumi.String(s.SharedServices.CIDR))
	data, err := in.Data(ctx, child)
	if err != nil {
		return nil, err
	}
	svc, err := fargate.New(ctx, in, fargate.Args{
		Cluster:        in.Platform.ClusterArn,
		VPCID:          in.Platform.SharedVPCID,
		Subnets:        network.IDs(subnets),
		IngressCIDRs:   ingress,
		TaskStatements: data.StatementsOutput(),
	}, child...)
	if err != nil {
		return nil, err
	}
	c.SubnetIDs = network.IDs(subnets).ToStringArrayOutput()
	c.NetworkACLID, c.ServiceName, c.Data = acl.ID(), svc.Service.Name, data
	if err := ctx.RegisterResourceOutputs(c, c.Outputs()); err != nil {
		return nil, err
	}
	return c, nil
}

// Outputs are the stack outputs, by name.
func (c *SubnetTenant) Outputs() pulumi.Map {
	return c.Data.AddOutputs(pulumi.Map{
		"subnetIds":    c.SubnetIDs,
		"networkAclId": c.NetworkACLID,
		"serviceName":  c.ServiceName,
	})
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
