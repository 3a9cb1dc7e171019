package platform

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lb"

	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/models/webacl"
)

// SharedRateLimit is the web ACL rate limit of the shared load balancers and
// the pooled API: the highest waf.rateLimit of the tiers whose tenants they
// serve (container, subnet and application models). A rule that counts per
// client IP cannot tell the tenants behind one load balancer apart, so the
// most generous tier's limit holds for all; a tenant with a load balancer of
// its own gets its tier's.
func SharedRateLimit(s *spec.Settings) int {
	limit := 0
	for _, t := range s.Tiers {
		if t == nil {
			continue
		}
		if (t.Allows(spec.ModelContainer) || t.Allows(spec.ModelSubnet) || t.Allows(spec.ModelApplication)) && t.WAF.RateLimit > limit {
			limit = t.WAF.RateLimit
		}
	}
	if limit == 0 {
		return spec.DefaultWAFRateLimit
	}
	return limit
}

// edge: the platform's web ACL, <prefix>-platform-waf at SharedRateLimit, in
// front of every shared load balancer and the pooled API's stage.
func (b *builder) edge() error {
	acl, err := webacl.New(b.ctx, webacl.Args{
		Logical: b.name("waf"), Name: b.physical("waf", 128), RateLimit: SharedRateLimit(b.s),
	}, b.opts...)
	if err != nil {
		return err
	}
	for i, alb := range b.base.loadBalancers {
		if _, err := webacl.Associate(b.ctx, b.name("waf", "lb", fmt.Sprint(i)), acl, alb.Arn, b.opts...); err != nil {
			return err
		}
	}
	_, err = webacl.Associate(b.ctx, b.name("waf", "api"), acl, b.stage.Arn, b.opts...)
	return err
}

// sharedLoadBalancer records a shared load balancer for the web ACL.
func (b *builder) sharedLoadBalancer(alb *lb.LoadBalancer) {
	b.base.loadBalancers = append(b.base.loadBalancers, alb)
}
