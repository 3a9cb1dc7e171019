// Package network builds the VPCs of tenantctl: a VPC with public and private
// subnets over N availability zones, an internet gateway, one NAT gateway, the
// two route tables, and the VPC endpoints of the AWS services its tasks use.
// The account and vpc models build one per tenant; the platform builds the
// shared VPC from the fleet's platform subnets.
package network

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/tenantctl/tenantctl/internal/naming"
)

// AnyIPv4 is the default route's destination.
const AnyIPv4 = "0.0.0.0/0"

// Args describe a VPC.
type Args struct {
	// Owner is the tenant id or "platform"; it starts every logical name.
	Owner string
	// What tells VPCs of one owner apart in logical names ("vpc", "shared").
	What string
	// CIDR is the VPC's block.
	CIDR string
	// PublicCIDRs and PrivateCIDRs are the subnets, one per availability zone, in
	// zone order; both lists have the same length (the number of zones).
	PublicCIDRs  []string
	PrivateCIDRs []string
	// Zones are the region's availability zone names (from AvailabilityZones).
	Zones pulumi.StringArrayOutput
	// NamePrefix starts the Name tags.
	NamePrefix string
	// Region is the VPC's region, which its endpoints' service names name.
	Region string
	// PublicEndpoints puts the interface endpoints in the public subnets
	// rather than the private ones: the shared VPC's, whose subnet tenants'
	// network ACLs admit the platform's public subnets (their load
	// balancers') and deny its private ones.
	PublicEndpoints bool
}

// VPC is what New registered.
type VPC struct {
	VPC               *ec2.Vpc
	PublicSubnets     []*ec2.Subnet
	PrivateSubnets    []*ec2.Subnet
	InternetGateway   *ec2.InternetGateway
	NATGateway        *ec2.NatGateway
	PublicRouteTable  *ec2.RouteTable
	PrivateRouteTable *ec2.RouteTable
	Endpoints         *Endpoints
}

// SplitArgs fills PublicCIDRs and PrivateCIDRs by splitting the VPC's CIDR over
// azCount zones: the first azCount blocks public, the next azCount private.
func SplitArgs(a Args, azCount int) (Args, error) {
	blocks, err := Split(a.CIDR, 2*azCount)
	if err != nil {
		return a, err
	}
	a.PublicCIDRs, a.PrivateCIDRs = blocks[:azCount], blocks[azCount:]
	return a, nil
}

// AvailabilityZones looks up the region's zones through the stack's provider.
func AvailabilityZones(ctx *pulumi.Context, prov pulumi.ProviderResource) pulumi.StringArrayOutput {
	return aws.GetAvailabilityZonesOutput(ctx, aws.GetAvailabilityZonesOutputArgs{
		State: pulumi.StringPtr("available"),
	}, pulumi.Provider(prov)).Names()
}

// Zone is the i-th zone name, an error when the region has fewer zones.
func Zone(zones pulumi.StringArrayOutput, i int) pulumi.StringOutput {
	return zones.ApplyT(func(names []string) (string, error) {
		if i >= len(names) {
			return "", fmt.Errorf("the region has %d availability zones; %d are needed", len(names), i+1)
		}
		return names[i], nil
	}).(pulumi.StringOutput)
}

// Name is the Name tag of a network resource.
func nameTag(a Args, parts ...string) pulumi.StringMap {
	return pulumi.StringMap{"Name": pulumi.String(naming.Join(append([]string{a.NamePrefix, a.Owner, a.What}, parts...)...))}
}

// logical is the logical name of a part of the VPC.
func logical(a Args, parts ...string) string {
	return naming.Logical(a.Owner, append([]string{a.What}, parts...)...)
}

// New registers the VPC. opts carry the parent (and through it the provider).
func New(ctx *pulumi.Context, a Args, opts ...pulumi.ResourceOption) (*VPC, error) {
	if len(a.PublicCIDRs) == 0 || len(a.PublicCIDRs) != len(a.PrivateCIDRs) {
		return nil, fmt.Errorf("vpc %s: %d public and %d private subnets; want the same number, at least one",
			a.CIDR, len(a.PublicCIDRs), len(a.PrivateCIDRs))
	}
	name := func(parts ...string) string { return logical(a, parts...) }
	out := &VPC{}
	var err error
	out.VPC, err = ec2.NewVpc(ctx, name(), &ec2.VpcArgs{
		CidrBlock:          pulumi.String(a.CIDR),
		EnableDnsHostnames: pulumi.Bool(true),
		EnableDnsSupport:   pulumi.Bool(true),
		Tags:               nameTag(a),
	}, opts...)
	if err != nil {
		return nil, err
	}
	out.InternetGateway, err = ec2.NewInternetGateway(ctx, name("igw"), &ec2.InternetGatewayArgs{
		VpcId: out.VPC.ID(),
		Tags:  nameTag(a, "igw"),
	}, opts...)
	if err != nil {
		return nil, err
	}
	for i := range a.PublicCIDRs {
		zone := Zone(a.Zones, i)
		pub, err := ec2.NewSubnet(ctx, name("public", fmt.Sprint(i)), &ec2.SubnetArgs{
			VpcId:            out.VPC.ID(),
			CidrBlock:        pulumi.String(a.PublicCIDRs[i]),
			AvailabilityZone: zone,
			Tags:             nameTag(a, "public", fmt.Sprint(i)),
		}, opts...)
		if err != nil {
			return nil, err
		}
		priv, err := ec2.NewSubnet(ctx, name("private", fmt.Sprint(i)), &ec2.SubnetArgs{
			VpcId:            out.VPC.ID(),
			CidrBlock:        pulumi.String(a.PrivateCIDRs[i]),
			AvailabilityZone: zone,
			Tags:             nameTag(a, "private", fmt.Sprint(i)),
		}, opts...)
		if err != nil {
			return nil, err
		}
		out.PublicSubnets = append(out.PublicSubnets, pub)
		out.PrivateSubnets = append(out.PrivateSubnets, priv)
	}

	// Public: a default route to the internet gateway.
	out.PublicRouteTable, err = ec2.NewRouteTable(ctx, name("public"), &ec2.RouteTableArgs{
		VpcId: out.VPC.ID(),
		Tags:  nameTag(a, "public"),
	}, opts...)
	if err != nil {
		return nil, err
	}
	if _, err = ec2.NewRoute(ctx, name("public", "default"), &ec2.RouteArgs{
		RouteTableId:         out.PublicRouteTable.ID(),
		DestinationCidrBlock: pulumi.String(AnyIPv4),
		GatewayId:            out.InternetGateway.ID(),
	}, opts...); err != nil {
		return nil, err
	}

	// One NAT gateway, in the first public subnet: the private subnets reach the
	// internet (image pulls, AWS APIs) without being reachable from it. One per
	// VPC rather than per zone keeps a tenant's fixed cost down.
	eip, err := ec2.NewEip(ctx, name("nat"), &ec2.EipArgs{
		Domain: pulumi.String("vpc"),
		Tags:   nameTag(a, "nat"),
	}, append(opts, pulumi.DependsOn([]pulumi.Resource{out.InternetGateway}))...)
	if err != nil {
		return nil, err
	}
	out.NATGateway, err = ec2.NewNatGateway(ctx, name("nat"), &ec2.NatGatewayArgs{
		AllocationId: eip.ID(),
		SubnetId:     out.PublicSubnets[0].ID(),
		Tags:         nameTag(a, "nat"),
	}, opts...)
	if err != nil {
		return nil, err
	}
	out.PrivateRouteTable, err = ec2.NewRouteTable(ctx, name("private"), &ec2.RouteTableArgs{
		VpcId: out.VPC.ID(),
		Tags:  nameTag(a, "private"),
	}, opts...)
	if err != nil {
		return nil, err
	}
	if _, err = ec2.NewRoute(ctx, name("private", "default"), &ec2.RouteArgs{
		RouteTableId:         out.PrivateRouteTable.ID(),
		DestinationCidrBlock: pulumi.String(AnyIPv4),
		NatGatewayId:         out.NATGateway.ID(),
	}, opts...); err != nil {
		return nil, err
	}
	for i := range out.PublicSubnets {
		if _, err = ec2.NewRouteTableAssociation(ctx, name("public", fmt.Sprint(i)), &ec2.RouteTableAssociationArgs{
			SubnetId:     out.PublicSubnets[i].ID(),
			RouteTableId: out.PublicRouteTable.ID(),
		}, opts...); err != nil {
			return nil, err
		}
		if _, err = ec2.NewRouteTableAssociation(ctx, name("private", fmt.Sprint(i)), &ec2.RouteTableAssociationArgs{
			SubnetId:     out.PrivateSubnets[i].ID(),
			RouteTableId: out.PrivateRouteTable.ID(),
		}, opts...); err != nil {
			return nil, err
		}
	}
	if out.Endpoints, err = endpoints(ctx, a, out, opts); err != nil {
		return nil, err
	}
	return out, nil
}

// IDs are the ids of subnets.
func IDs(subnets []*ec2.Subnet) pulumi.StringArray {
	ids := make(pulumi.StringArray, len(subnets))
	for i, s := range subnets {
		ids[i] = s.ID()
	}
	return ids
}
