// Package alerting builds who is told when something goes wrong, and of what:
// SNS topics that CloudWatch alarms notify (an e-mail address subscribed),
// the alarms of a tenant's signals named naming.AlarmName(prefix, tenant,
// signal), a dashboard of them, and alarms on Service Quotas utilisation. It
// takes plain values rather than a tenant, so that the platform stack builds
// its on-call topic and quota alarms with it too.
package alerting

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/tenantctl/tenantctl/internal/iampolicy"
)

// TopicArgs describe an alarm topic.
type TopicArgs struct {
	// Logical is the topic's logical name; its e-mail subscription's is
	// Logical-email.
	Logical string
	// Name is the topic's AWS name.
	Name string
	// Region and AccountID place the topic: its policy names its own ARN
	// and the alarms of the account that may publish.
	Region    string
	AccountID pulumi.StringInput
	// AlarmPrefix starts the names of the alarms allowed to publish
	// (naming.AlarmPrefix of an owner, or the fleet prefix and "-").
	AlarmPrefix string
	// Email is subscribed to the topic; none when empty.
	Email string
	// KeyArn, when set, encrypts the topic's messages; the key's policy
	// must let CloudWatch use it.
	KeyArn pulumi.StringInput
}

// TopicPolicy lets CloudWatch publish to the topic for the alarms of the
// account whose names start with alarmPrefix, and nothing else: the alarms'
// ARN, not just the service, is what the policy admits.
func TopicPolicy(partition, region, accountID, topicName, alarmPrefix string) iampolicy.Document {
	return iampolicy.Document{Version: iampolicy.Version, Statement: []iampolicy.Statement{{
		Sid:       "CloudWatchAlarmsOfTheAccount",
		Effect:    "Allow",
		Principal: map[string]any{"Service": "cloudwatch.amazonaws.com"},
		Action:    []string{"sns:Publish"},
		Resource:  []string{"arn:" + partition + ":sns:" + region + ":" + accountID + ":" + topicName},
		Condition: map[string]map[string]any{
			"ArnLike":      {"aws:SourceArn": "arn:" + partition + ":cloudwatch:" + region + ":" + accountID + ":alarm:" + alarmPrefix + "*"},
			"StringEquals": {"aws:SourceAccount": accountID},
		},
	}}}
}

// NewTopic registers the topic and, when an address is given, its e-mail
// subscription (AWS mails the address a confirmation link first).
func NewTopic(ctx *pulumi.Context, a TopicArgs, opts ...pulumi.ResourceOption) (*sns.Topic, error) {
	partition := iampolicy.Partition(a.Region)
	policy := a.AccountID.ToStringOutput().ApplyT(func(acct string) (string, error) {
		return TopicPolicy(partition, a.Region, acct, a.Name, a.AlarmPrefix).JSON()
	}).(pulumi.StringOutput)
	args := &sns.TopicArgs{Name: pulumi.String(a.Name), Policy: policy}
	if a.KeyArn != nil {
		args.KmsMasterKeyId = a.KeyArn
	}
	topic, err := sns.NewTopic(ctx, a.Logical, args, opts...)
	if err != nil {
		return nil, err
	}
	if a.Email != "" {
		if _, err := sns.NewTopicSubscription(ctx, a.Logical+"-email", &sns.TopicSubscriptionArgs{
			Topic: topic.Arn, Protocol: pulumi.String("email"), Endpoint: pulumi.String(a.Email),
		}, opts...); err != nil {
			return nil, err
		}
	}
	return topic, nil
}
