// Package ingress builds how a tenant's service is reached over HTTPS at the
// tenant's DNS name (spec.Settings.Hostname): through the platform's shared
// load balancers (Shared: a host rule on a shared HTTPS listener), or through
// a load balancer of the tenant's own (Dedicated: an internet-facing ALB, its
// security group, an HTTPS listener on a certificate for the name, port 80
// redirected). Either way the tenant gets an ip target group its service
// registers with, and an alias record of its name.
package ingress

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lb"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/wafv2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/tenantctl/tenantctl/internal/naming"
	"github.com/tenantctl/tenantctl/models/certificate"
	"github.com/tenantctl/tenantctl/models/fargate"
	"github.com/tenantctl/tenantctl/models/platform"
	"github.com/tenantctl/tenantctl/models/tenant"
)

// Endpoint is a tenant's ingress.
type Endpoint struct {
	// Host is the tenant's DNS name.
	Host        string
	TargetGroup *lb.TargetGroup
	// SecurityGroupID is the load balancer's security group.
	SecurityGroupID pulumi.StringInput
	// Forwarder forwards to the target group: the host rule on the shared
	// listener, or the tenant's own HTTPS listener.
	Forwarder pulumi.Resource
	// Record is the alias record of Host.
	Record *route53.Record
	// LoadBalancerSuffix is the ARN suffix of the load balancer in front of
	// the tenant (shared or its own), which its alarms watch.
	LoadBalancerSuffix pulumi.StringOutput

	// ListenerIndex is the shared listener the host rule is on (Shared).
	ListenerIndex int
	// LoadBalancer and Certificate are the tenant's own (Dedicated), and
	// the web ACL in front of it.
	LoadBalancer *lb.LoadBalancer
	Certificate  *certificate.Certificate
	WebACL       *wafv2.WebAcl
}

// Service is the load balancer in front of the tenant's service, as
// models/fargate takes it.
func (e *Endpoint) Service() fargate.LoadBalancer {
	return fargate.LoadBalancer{SecurityGroup: e.SecurityGroupID, TargetGroupArn: e.TargetGroup.Arn, Forwarder: e.Forwarder}
}

// Shared puts the tenant behind the platform's shared load balancers: a
// target group in the shared VPC, a host rule at the tenant's listener
// priority on the shared HTTPS listener of that priority, and the alias
// record of its name in the platform's zone. opts carry the model's
// component as parent.
func Shared(ctx *pulumi.Context, in tenant.Input, opts []pulumi.ResourceOption) (*Endpoint, error) {
	sv, s, p := in.Tenant.Service, in.Settings(), in.Platform
	e := &Endpoint{Host: in.Host(), SecurityGroupID: p.LBSecurityGroupID,
		ListenerIndex: platform.ListenerIndex(sv.ListenerPriority, s.LoadBalancer.RulesPerListener)}
	e.LoadBalancerSuffix = p.LoadBalancerSuffix(e.ListenerIndex)
	var err error
	if e.TargetGroup, err = targetGroup(ctx, in, p.SharedVPCID, opts); err != nil {
		return nil, err
	}
	rule, err := lb.NewListenerRule(ctx, in.Name("rule"), &lb.ListenerRuleArgs{
		ListenerArn: p.Listener(e.ListenerIndex),
		Priority:    pulumi.Int(sv.ListenerPriority),
		Actions: lb.ListenerRuleActionArray{lb.ListenerRuleActionArgs{
			Type: pulumi.String("forward"), TargetGroupArn: e.TargetGroup.Arn,
		}},
		Conditions: lb.ListenerRuleConditionArray{lb.ListenerRuleConditionArgs{
			HostHeader: lb.ListenerRuleConditionHostHeaderArgs{Values: pulumi.StringArray{pulumi.String(e.Host)}},
		}},
	}, opts...)
	if err != nil {
		return nil, err
	}
	e.Forwarder = rule
	dnsName, zoneID := p.LoadBalancer(e.ListenerIndex)
	if e.Record, err = alias(ctx, in, p.ZoneID, dnsName, zoneID, in.OnPlatform(opts)); err != nil {
		return nil, err
	}
	return e, nil
}

// Network is where a dedicated load balancer lives.
type Network struct {
	VPCID pulumi.StringInput
	// CIDR is the VPC's block: the load balancer reaches the service's
	// port there, and nothing else.
	CIDR          string
	PublicSubnets pulumi.StringArrayInput
}

// Zone is the public hosted zone of a dedicated load balancer's records.
type Zone struct {
	ID pulumi.StringInput
	// Delegation makes the zone resolvable (the account model's NS record
	// in the platform's zone); the certificate's validation waits for it.
	// nil for the platform's own zone.
	Delegation pulumi.Resource
}

// Dedicated gives the tenant a load balancer of its own in the network's
// public subnets: its security group (HTTPS and HTTP from anywhere, out to
// the service port only), its web ACL (the tier's rate limit), the target group, a certificate for the tenant's
// name validated in the zone, the HTTPS listener forwarding to the group,
// port 80 redirected to it, and the alias record of the name in the zone.
// opts carry the model's component as parent.
func Dedicated(ctx *pulumi.Context, in tenant.Input, n Network, z Zone, opts []pulumi.ResourceOption) (*Endpoint, error) {
	t := in.Tenant
	e := &Endpoint{Host: in.Host()}
	sg, err := ec2.NewSecurityGroup(ctx, in.Name("lb"), &ec2.SecurityGroupArgs{
		VpcId:       n.VPCID,
		Description: pulumi.String("Load balancer of tenant " + t.ID + ": HTTPS and HTTP from anywhere, out to the service only"),
		Ingress:     platform.WebIngress(),
		Egress: ec2.SecurityGroupEgressArray{ec2.SecurityGroupEgressArgs{
			Description: pulumi.String("To the tenant's tasks"),
			Protocol:    pulumi.String("tcp"), FromPort: pulumi.Int(t.Service.Port), ToPort: pulumi.Int(t.Service.Port),
			CidrBlocks: pulumi.StringArray{pulumi.String(n.CIDR)},
		}},
		Tags: in.NameTag("lb"),
	}, opts...)
	if err != nil {
		return nil, err
	}
	e.SecurityGroupID = sg.ID()
	e.LoadBalancer, err = lb.NewLoadBalancer(ctx, in.Name("lb"), &lb.LoadBalancerArgs{
		Name:                    pulumi.String(in.Physical(naming.LoadBalancerSuffix, naming.MaxLoadBalancer)),
		LoadBalancerType:        pulumi.String("application"),
		Internal:                pulumi.Bool(false),
		SecurityGroups:          pulumi.StringArray{sg.ID()},
		Subnets:                 n.PublicSubnets,
		DropInvalidHeaderFields: pulumi.Bool(true),
	}, opts...)
	if err != nil {
		return nil, err
	}
	e.LoadBalancerSuffix = e.LoadBalancer.ArnSuffix
	if e.WebACL, err = webACL(ctx, in, e.LoadBalancer, opts); err != nil {
		return nil, err
	}
	if e.TargetGroup, err = targetGroup(ctx, in, n.VPCID, opts); err != nil {
		return nil, err
	}
	cert := certificate.Args{Owner: t.ID, Domains: []string{e.Host}, ZoneID: z.ID}
	if z.Delegation != nil {
		cert.After = []pulumi.Resource{z.Delegation}
	}
	if e.Certificate, err = certificate.New(ctx, cert, opts...); err != nil {
		return nil, err
	}
	https, err := lb.NewListener(ctx, in.Name("lb", "https"), &lb.ListenerArgs{
		LoadBalancerArn: e.LoadBalancer.Arn,
		Port:            pulumi.Int(443),
		Protocol:        pulumi.String("HTTPS"),
		SslPolicy:       pulumi.String(platform.TLSPolicy),
		CertificateArn:  e.Certificate.Arn(),
		DefaultActions: lb.ListenerDefaultActionArray{lb.ListenerDefaultActionArgs{
			Type: pulumi.String("forward"), TargetGroupArn: e.TargetGroup.Arn,
		}},
	}, opts...)
	if err != nil {
		return nil, err
	}
	e.Forwarder = https
	if _, err := lb.NewListener(ctx, in.Name("lb", "http"), &lb.ListenerArgs{
		LoadBalancerArn: e.LoadBalancer.Arn,
		Port:            pulumi.Int(80),
		Protocol:        pulumi.String("HTTP"),
		DefaultActions:  platform.HTTPSRedirect(),
	}, opts...); err != nil {
		return nil, err
	}
	if e.Record, err = alias(ctx, in, z.ID, e.LoadBalancer.DnsName, e.LoadBalancer.ZoneId, opts); err != nil {
		return nil, err
	}
	return e, nil
}

// targetGroup is the tenant's ip target group in the VPC, health-checked on
// the service's path.
func targetGroup(ctx *pulumi.Context, in tenant.Input, vpcID pulumi.StringInput, opts []pulumi.ResourceOption) (*lb.TargetGroup, error) {
	sv := in.Tenant.Service
	return lb.NewTargetGroup(ctx, in.Name("tg"), &lb.TargetGroupArgs{
		Name:                pulumi.String(in.Physical(naming.TargetGroupSuffix, naming.MaxTargetGroup)),
		Port:                pulumi.Int(sv.Port),
		Protocol:            pulumi.String("HTTP"),
		TargetType:          pulumi.String("ip"),
		VpcId:               vpcID,
		DeregistrationDelay: pulumi.Int(30),
		HealthCheck: lb.TargetGroupHealthCheckArgs{
			Enabled:  pulumi.Bool(true),
			Path:     pulumi.String(sv.HealthCheckPath),
			Protocol: pulumi.String("HTTP"),
			Matcher:  pulumi.String("200-399"),
		},
	}, opts...)
}

// alias is the A record of the tenant's name in the zone, an alias of the
// load balancer's DNS name.
func alias(ctx *pulumi.Context, in tenant.Input, zoneID, dnsName, lbZoneID pulumi.StringInput, opts []pulumi.ResourceOption) (*route53.Record, error) {
	return route53.NewRecord(ctx, in.Name("dns"), &route53.RecordArgs{
		ZoneId: zoneID,
		Name:   pulumi.String(in.Host()),
		Type:   pulumi.String("A"),
		Aliases: route53.RecordAliasArray{route53.RecordAliasArgs{
			Name: dnsName, ZoneId: lbZoneID, EvaluateTargetHealth: pulumi.Bool(true),
		}},
	}, opts...)
}
