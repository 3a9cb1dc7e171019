package platform

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lb"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/tenantctl/tenantctl/internal/naming"
	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/models/network"
)

// TLSPolicy is the security policy of every HTTPS listener tenantctl
// creates: TLS 1.3, and TLS 1.2 with forward-secret ciphers only.
const TLSPolicy = "ELBSecurityPolicy-TLS13-1-2-2021-06"

// HTTPSRedirect is the default action of every port-80 listener: the same
// URL over HTTPS, permanently.
func HTTPSRedirect() lb.ListenerDefaultActionArray {
	return lb.ListenerDefaultActionArray{lb.ListenerDefaultActionArgs{
		Type: pulumi.String("redirect"),
		Redirect: lb.ListenerDefaultActionRedirectArgs{
			Port:       pulumi.String("443"),
			Protocol:   pulumi.String("HTTPS"),
			StatusCode: pulumi.String("HTTP_301"),
		},
	}}
}

// WebIngress admits HTTPS, and HTTP (only redirected), from anywhere: the
// ingress of every internet-facing load balancer's security group.
func WebIngress() ec2.SecurityGroupIngressArray {
	rule := func(desc string, port int) ec2.SecurityGroupIngressArgs {
		return ec2.SecurityGroupIngressArgs{
			Description: pulumi.String(desc),
			Protocol:    pulumi.String("tcp"), FromPort: pulumi.Int(port), ToPort: pulumi.Int(port),
			CidrBlocks: pulumi.StringArray{pulumi.String(network.AnyIPv4)},
		}
	}
	return ec2.SecurityGroupIngressArray{rule("HTTPS", 443), rule("HTTP, redirected to HTTPS", 80)}
}

// ListenerIndex is the listener a listener-rule priority lives on: priorities
// 1..perListener on the first, the next perListener on the second, and so on.
// It depends on the priority alone, so a tenant's listener never changes when
// other tenants come or go.
func ListenerIndex(priority, perListener int) int {
	if perListener < 1 {
		perListener = spec.DefaultRulesPerListener
	}
	return (priority - 1) / perListener
}

// ListenerCount is the number of shared load balancers (one HTTPS listener
// each) the platform runs: enough for the highest priority of the tenants
// behind them (spec.Settings.UsesSharedListener), at least one.
func ListenerCount(f *spec.Fleet) int {
	n := 1
	for _, t := range f.Tenants {
		if !f.Settings.UsesSharedListener(t) || t.Service == nil || t.Service.ListenerPriority < 1 {
			continue
		}
		if i := ListenerIndex(t.Service.ListenerPriority, f.Settings.LoadBalancer.RulesPerListener) + 1; i > n {
			n = i
		}
	}
	return n
}

// loadBalancers: one application load balancer per rulesPerListener
// priorities (ListenerCount), each with an HTTPS listener on the platform's
// certificate, where tenants add host-header rules, and port 80 redirected
// to it. Listener i serves priorities i*perListener+1 .. (i+1)*perListener.
func (b *builder) loadBalancers() error {
	sg, err := ec2.NewSecurityGroup(b.ctx, b.name("lb"), &ec2.SecurityGroupArgs{
		VpcId:       b.shared.VPC.ID(),
		Description: pulumi.String("Shared load balancer: HTTPS and HTTP from anywhere, out to the shared VPC only"),
		Ingress:     WebIngress(),
		Egress: ec2.SecurityGroupEgressArray{ec2.SecurityGroupEgressArgs{
			Description: pulumi.String("To tenant tasks in the shared VPC"),
			Protocol:    pulumi.String("tcp"), FromPort: pulumi.Int(0), ToPort: pulumi.Int(65535),
			CidrBlocks: pulumi.StringArray{pulumi.String(b.s.SharedVPC.CIDR)},
		}},
		Tags: pulumi.StringMap{"Name": pulumi.String(b.physical("lb", 255))},
	}, b.opts...)
	if err != nil {
		return err
	}
	b.p.LBSecurityGroupID = sg.ID()
	var listeners, dnsNames, zoneIDs pulumi.StringArray
	for i := range ListenerCount(b.f) {
		alb, err := lb.NewLoadBalancer(b.ctx, b.name("lb", fmt.Sprint(i)), &lb.LoadBalancerArgs{
			Name:                    pulumi.String(b.physical(fmt.Sprintf("lb-%d", i), naming.MaxLoadBalancer)),
			LoadBalancerType:        pulumi.String("application"),
			Internal:                pulumi.Bool(false),
			SecurityGroups:          pulumi.StringArray{sg.ID()},
			Subnets:                 network.IDs(b.shared.PublicSubnets),
			DropInvalidHeaderFields: pulumi.Bool(true),
		}, b.opts...)
		if err != nil {
			return err
		}
		b.sharedLoadBalancer(alb)
		https, err := lb.NewListener(b.ctx, b.name("lb", fmt.Sprint(i), "https"), &lb.ListenerArgs{
			LoadBalancerArn: alb.Arn,
			Port:            pulumi.Int(443),
			Protocol:        pulumi.String("HTTPS"),
			SslPolicy:       pulumi.String(TLSPolicy),
			CertificateArn:  b.cert.Arn(),
			DefaultActions: lb.ListenerDefaultActionArray{lb.ListenerDefaultActionArgs{
				Type: pulumi.String("fixed-response"),
				FixedResponse: lb.ListenerDefaultActionFixedResponseArgs{
					ContentType: pulumi.String("text/plain"),
					MessageBody: pulumi.String("unknown tenant"),
					StatusCode:  pulumi.String("404"),
				},
			}},
		}, b.opts...)
		if err != nil {
			return err
		}
		if _, err := lb.NewListener(b.ctx, b.name("lb", fmt.Sprint(i), "http"), &lb.ListenerArgs{
			LoadBalancerArn: alb.Arn,
			Port:            pulumi.Int(80),
			Protocol:        pulumi.String("HTTP"),
			DefaultActions:  HTTPSRedirect(),
		}, b.opts...); err != nil {
			return err
		}
		listeners = append(listeners, https.Arn)
		dnsNames = append(dnsNames, alb.DnsName)
		zoneIDs = append(zoneIDs, alb.ZoneId)
	}
	b.p.ListenerArns = listeners.ToStringArrayOutput()
	b.p.LoadBalancerDNSNames = dnsNames.ToStringArrayOutput()
	b.p.LoadBalancerZoneIDs = zoneIDs.ToStringArrayOutput()
	return nil
}
