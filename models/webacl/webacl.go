// Package webacl builds the AWS WAF web ACL in front of tenantctl's load
// balancers and the pooled API: requests blocked past a per-client-IP rate
// (the tier's waf.rateLimit), then AWS's managed rule groups against common
// exploits and known bad inputs; everything else allowed.
package webacl

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/wafv2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Scope of every web ACL: regional, for load balancers and API stages.
const Scope = "REGIONAL"

// The managed rule groups every web ACL runs, by AWS.
const (
	CommonRuleSet       = "AWSManagedRulesCommonRuleSet"
	KnownBadInputsRules = "AWSManagedRulesKnownBadInputsRuleSet"
)

// Rule names, in priority order.
const (
	RateRule      = "rate-per-ip"
	CommonRule    = "aws-common"
	BadInputsRule = "aws-known-bad-inputs"
)

// Args describe a web ACL.
type Args struct {
	// Logical is the ACL's logical name; Name its AWS name, which also
	// starts its CloudWatch metric names.
	Logical, Name string
	// RateLimit is the most requests a client IP may send in 5 minutes.
	RateLimit int
}

func visibility(metric string) wafv2.WebAclRuleVisibilityConfigArgs {
	return wafv2.WebAclRuleVisibilityConfigArgs{
		CloudwatchMetricsEnabled: pulumi.Bool(true), MetricName: pulumi.String(metric), SampledRequestsEnabled: pulumi.Bool(true),
	}
}

func managed(name, group string, priority int, metricPrefix string) wafv2.WebAclRuleArgs {
	return wafv2.WebAclRuleArgs{
		Name:           pulumi.String(name),
		Priority:       pulumi.Int(priority),
		OverrideAction: wafv2.WebAclRuleOverrideActionArgs{None: wafv2.WebAclRuleOverrideActionNoneArgs{}},
		Statement: wafv2.WebAclRuleStatementArgs{ManagedRuleGroupStatement: wafv2.WebAclRuleStatementManagedRuleGroupStatementArgs{
			VendorName: pulumi.String("AWS"), Name: pulumi.String(group),
		}},
		VisibilityConfig: visibility(metricPrefix + "-" + name),
	}
}

// New registers the web ACL. opts carry the parent and the provider of the
// region of what it protects.
func New(ctx *pulumi.Context, a Args, opts ...pulumi.ResourceOption) (*wafv2.WebAcl, error) {
	return wafv2.NewWebAcl(ctx, a.Logical, &wafv2.WebAclArgs{
		Name:          pulumi.String(a.Name),
		Description:   pulumi.String("tenantctl: per-IP rate limit, AWS common and known-bad-inputs rules"),
		Scope:         pulumi.String(Scope),
		DefaultAction: wafv2.WebAclDefaultActionArgs{Allow: wafv2.WebAclDefaultActionAllowArgs{}},
		Rules: wafv2.WebAclRuleArray{
			wafv2.WebAclRuleArgs{
				Name:     pulumi.String(RateRule),
				Priority: pulumi.Int(0),
				Action:   wafv2.WebAclRuleActionArgs{Block: wafv2.WebAclRuleActionBlockArgs{}},
				Statement: wafv2.WebAclRuleStatementArgs{RateBasedStatement: wafv2.WebAclRuleStatementRateBasedStatementArgs{
					Limit: pulumi.Int(a.RateLimit), AggregateKeyType: pulumi.String("IP"),
				}},
				VisibilityConfig: visibility(a.Name + "-" + RateRule),
			},
			managed(CommonRule, CommonRuleSet, 1, a.Name),
			managed(BadInputsRule, KnownBadInputsRules, 2, a.Name),
		},
		VisibilityConfig: wafv2.WebAclVisibilityConfigArgs{
			CloudwatchMetricsEnabled: pulumi.Bool(true), MetricName: pulumi.String(a.Name), SampledRequestsEnabled: pulumi.Bool(true),
		},
	}, opts...)
}

// Associate puts the web ACL in front of a load balancer or API stage, by ARN.
func Associate(ctx *pulumi.Context, logical string, acl *wafv2.WebAcl, resourceArn pulumi.StringInput, opts ...pulumi.ResourceOption) (*wafv2.WebAclAssociation, error) {
	return wafv2.NewWebAclAssociation(ctx, logical, &wafv2.WebAclAssociationArgs{
		WebAclArn: acl.Arn, ResourceArn: resourceArn,
	}, opts...)
}
