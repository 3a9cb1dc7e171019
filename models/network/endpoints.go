package network

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// GatewayEndpoints are the services every VPC reaches through gateway
// endpoints on its private route table: free, and S3 (image layers) and
// DynamoDB (tenants' tables) stay off the NAT gateway.
var GatewayEndpoints = []string{"s3", "dynamodb"}

// InterfaceEndpoints are the services every VPC reaches through interface
// endpoints in its private subnets, with private DNS: what a Fargate task
// needs to start and run without the internet (pulling from ECR, writing
// logs, assuming roles).
var InterfaceEndpoints = []string{"ecr.api", "ecr.dkr", "logs", "sts"}

// EndpointService is the service name of a VPC endpoint in a region.
func EndpointService(region, service string) string {
	return "com.amazonaws." + region + "." + service
}

// Endpoints are a VPC's endpoints and their security group.
type Endpoints struct {
	SecurityGroup *ec2.SecurityGroup
	// ByService are the endpoints by service (s3, ecr.api, ...).
	ByService map[string]*ec2.VpcEndpoint
}

// endpoints registers the VPC's gateway endpoints, on its private route
// table, and its interface endpoints in its private subnets (or public ones:
// Args.PublicEndpoints), behind a security group that admits HTTPS from the
// VPC only.
func endpoints(ctx *pulumi.Context, a Args, v *VPC, opts []pulumi.ResourceOption) (*Endpoints, error) {
	name := func(parts ...string) string { return logical(a, append([]string{"endpoint"}, parts...)...) }
	sg, err := ec2.NewSecurityGroup(ctx, name("sg"), &ec2.SecurityGroupArgs{
		VpcId:       v.VPC.ID(),
		Description: pulumi.String("VPC endpoints: HTTPS from the VPC"),
		Ingress: ec2.SecurityGroupIngressArray{ec2.SecurityGroupIngressArgs{
			Description: pulumi.String("HTTPS from the VPC"),
			Protocol:    pulumi.String("tcp"), FromPort: pulumi.Int(443), ToPort: pulumi.Int(443),
			CidrBlocks: pulumi.StringArray{pulumi.String(a.CIDR)},
		}},
		Tags: nameTag(a, "endpoints"),
	}, opts...)
	if err != nil {
		return nil, err
	}
	e := &Endpoints{SecurityGroup: sg, ByService: map[string]*ec2.VpcEndpoint{}}
	subnets := v.PrivateSubnets
	if a.PublicEndpoints {
		subnets = v.PublicSubnets
	}
	for _, svc := range GatewayEndpoints {
		if e.ByService[svc], err = ec2.NewVpcEndpoint(ctx, name(svc), &ec2.VpcEndpointArgs{
			VpcId:           v.VPC.ID(),
			ServiceName:     pulumi.String(EndpointService(a.Region, svc)),
			VpcEndpointType: pulumi.String("Gateway"),
			RouteTableIds:   pulumi.StringArray{v.PrivateRouteTable.ID()},
			Tags:            nameTag(a, "endpoint", svc),
		}, opts...); err != nil {
			return nil, err
		}
	}
	for _, svc := range InterfaceEndpoints {
		if e.ByService[svc], err = ec2.NewVpcEndpoint(ctx, name(svc), &ec2.VpcEndpointArgs{
			VpcId:             v.VPC.ID(),
			ServiceName:       pulumi.String(EndpointService(a.Region, svc)),
			VpcEndpointType:   pulumi.String("Interface"),
			SubnetIds:         IDs(subnets),
			SecurityGroupIds:  pulumi.StringArray{sg.ID()},
			PrivateDnsEnabled: pulumi.Bool(true),
			Tags:              nameTag(a, "endpoint", svc),
		}, opts...); err != nil {
			return nil, err
		}
	}
	return e, nil
}
