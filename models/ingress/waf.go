package ingress

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lb"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/wafv2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/tenantctl/tenantctl/models/tenant"
	"github.com/tenantctl/tenantctl/models/webacl"
)

// MaxWebACLName is AWS WAF's limit on a web ACL's name.
const MaxWebACLName = 128

// webACL is the web ACL of a load balancer of the tenant's own,
// <prefix>-<id>-waf, at its tier's rate limit, and its association.
func webACL(ctx *pulumi.Context, in tenant.Input, alb *lb.LoadBalancer, opts []pulumi.ResourceOption) (*wafv2.WebAcl, error) {
	acl, err := webacl.New(ctx, webacl.Args{
		Logical: in.Name("waf"), Name: in.Physical("waf", MaxWebACLName),
		RateLimit: in.Fleet.TierOf(in.Tenant).WAF.RateLimit,
	}, opts...)
	if err != nil {
		return nil, err
	}
	if _, err := webacl.Associate(ctx, in.Name("waf"), acl, alb.Arn, opts...); err != nil {
		return nil, err
	}
	return acl, nil
}
