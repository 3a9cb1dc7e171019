package platform

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/apigateway"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lb"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/organizations"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/tenantctl/tenantctl/models/kmskey"
)

// The platform's security and observability baseline: the steps build()
// runs before the shared infrastructure (what it is built with) and after it
// (what watches and guards it), the state they share, and the outputs they
// add to the stack's.

// Names of the baseline's outputs.
const (
	// OutOnCallTopicArn is the platform's on-call topic, which the alarms
	// of tenants in the platform's account and region notify.
	OutOnCallTopicArn = "onCallTopicArn"
	// OutPooledKeyArns are the keys of the pooled tiers, by tier, which
	// their tenants' log groups are encrypted with.
	OutPooledKeyArns = "pooledKeyArns"
	// OutLogArchiveStreamArn is the stream that archives log groups of the
	// platform's account, and OutLogSubscriptionRoleArn the role CloudWatch
	// Logs puts their events into it with.
	OutLogArchiveStreamArn    = "logArchiveStreamArn"
	OutLogSubscriptionRoleArn = "logSubscriptionRoleArn"
)

// baselineOutputs are the baseline's fields of the platform component.
type baselineOutputs struct {
	OnCallTopicArn         pulumi.StringOutput
	PooledKeyArns          pulumi.StringMapOutput
	LogArchiveStreamArn    pulumi.StringOutput
	LogSubscriptionRoleArn pulumi.StringOutput
}

// withBaseline adds the baseline's outputs to the platform's others.
func (o baselineOutputs) withBaseline(m pulumi.Map) pulumi.Map {
	m[OutOnCallTopicArn] = o.OnCallTopicArn
	m[OutPooledKeyArns] = o.PooledKeyArns
	m[OutLogArchiveStreamArn] = o.LogArchiveStreamArn
	m[OutLogSubscriptionRoleArn] = o.LogSubscriptionRoleArn
	return m
}

// baselineRef is the baseline as a tenant stack sees it.
type baselineRef struct {
	// OnCallTopicArn is the platform's on-call topic.
	OnCallTopicArn pulumi.StringOutput
	// PooledKeyArns are the pooled tiers' keys, by tier.
	PooledKeyArns pulumi.StringMapOutput
	// LogArchiveStreamArn and LogSubscriptionRoleArn archive the log groups
	// of tenants in the platform's account.
	LogArchiveStreamArn    pulumi.StringOutput
	LogSubscriptionRoleArn pulumi.StringOutput
}

func newBaselineRef(str func(string) pulumi.StringOutput, dict func(string) pulumi.StringMapOutput) baselineRef {
	return baselineRef{
		OnCallTopicArn: str(OutOnCallTopicArn), PooledKeyArns: dict(OutPooledKeyArns),
		LogArchiveStreamArn: str(OutLogArchiveStreamArn), LogSubscriptionRoleArn: str(OutLogSubscriptionRoleArn),
	}
}

// PooledKey is the key of a pooled tier.
func (r baselineRef) PooledKey(tier string) pulumi.StringOutput {
	return r.PooledKeyArns.ApplyT(func(keys map[string]string) (string, error) {
		k, ok := keys[tier]
		if !ok {
			return "", fmt.Errorf("the platform has no key for pooled tier %q; deploy the platform stack first", tier)
		}
		return k, nil
	}).(pulumi.StringOutput)
}

// baselineState is what the baseline's steps share.
type baselineState struct {
	// key is the platform's key: the pooled table, the platform's logs.
	key *kmskey.Key
	// loadBalancers are the shared load balancers, behind the web ACL.
	loadBalancers []*lb.LoadBalancer
	// archive is the log archive.
	archive *archive
	// ous are the organization's OUs by key (workload, suspended).
	ous map[string]*organizations.OrganizationalUnit
	// apiAccessLogs is the pooled API stage's access log group, and
	// apiLogging the account setting that lets API Gateway write to it.
	apiAccessLogs *cloudwatch.LogGroup
	apiLogging    *apigateway.Account
}

// baselineFirst runs before the shared infrastructure: what it is built
// with (its keys, the on-call topic, the pooled API's access logs), and the
// log archive with the organization trail.
func (b *builder) baselineFirst() error {
	for _, step := range []func() error{b.keys, b.onCall, b.apiLogs, b.audit} {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// baselineLast runs after the shared infrastructure: what guards and
// watches it (the web ACL, the API's metrics and sampling, AWS Config, the
// quota alarms, the root lockdown of tenant accounts).
func (b *builder) baselineLast() error {
	for _, step := range []func() error{b.edge, b.apiKeyMetrics, b.apiSampling, b.config, b.quotas, b.rootLockdown} {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}
