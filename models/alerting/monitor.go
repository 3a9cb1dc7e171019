package alerting

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/tenantctl/tenantctl/internal/emulator/gaps"
	"github.com/tenantctl/tenantctl/internal/naming"
	"github.com/tenantctl/tenantctl/models/emulation"
)

// Owner is whose alarms they are, and who answers them.
type Owner struct {
	// Prefix is the fleet's name prefix, ID the tenant's id.
	Prefix, ID string
	// Region and AccountID are where the alarms and topics live.
	Region    string
	AccountID pulumi.StringInput
	// Email is the tenant's owner, subscribed to the tenant's topic.
	Email string
	// OnCallTopicArn is the platform's on-call topic, for an owner whose
	// alarms live in the platform's account and region. When nil (an
	// account-model tenant: alarms notify topics of their own account and
	// region only), the owner gets an on-call topic of its own with
	// OnCallEmail subscribed.
	OnCallTopicArn pulumi.StringInput
	OnCallEmail    string
	// KeyArn, when set, encrypts the owner's topics.
	KeyArn pulumi.StringInput
	// Emulation is the stack's emulator mode (nil against AWS).
	Emulation *emulation.Mode
}

func (o Owner) logical(parts ...string) string { return naming.Logical(o.ID, parts...) }

func (o Owner) physical(what string) string { return naming.Join(o.Prefix, o.ID, what) }

// Monitor is what New registered for an owner.
type Monitor struct {
	// Topic is the owner's own topic; OnCallTopicArn the on-call topic its
	// alarms notify too.
	Topic          *sns.Topic
	OnCallTopicArn pulumi.StringOutput
	// Alarms are the alarms of the owner's signals, in naming.Signals
	// order; none where the emulator serves no alarms.
	Alarms []*cloudwatch.MetricAlarm
	// Dashboard shows them; nil where the emulator serves none.
	Dashboard *cloudwatch.Dashboard
}

// Actions are the topics every alarm of the monitor notifies.
func (m *Monitor) Actions() pulumi.Array {
	return pulumi.Array{m.Topic.Arn, m.OnCallTopicArn}
}

// New registers the owner's topic (its owner subscribed), its on-call topic
// when the platform's cannot serve, an alarm per rule of the targets named
// naming.AlarmName(prefix, id, signal) notifying both topics, and a
// dashboard of them. opts carry the owner's component as parent.
func New(ctx *pulumi.Context, o Owner, t Targets, opts ...pulumi.ResourceOption) (*Monitor, error) {
	alarmPrefix := naming.AlarmPrefix(o.Prefix, o.ID)
	topic, err := NewTopic(ctx, TopicArgs{
		Logical: o.logical("alarms"), Name: o.physical("alarms"), Region: o.Region, AccountID: o.AccountID,
		AlarmPrefix: alarmPrefix, Email: o.Email, KeyArn: o.KeyArn,
	}, opts...)
	if err != nil {
		return nil, err
	}
	m := &Monitor{Topic: topic}
	if o.OnCallTopicArn != nil {
		m.OnCallTopicArn = o.OnCallTopicArn.ToStringOutput()
	} else {
		onCall, err := NewTopic(ctx, TopicArgs{
			Logical: o.logical("oncall"), Name: o.physical("oncall"), Region: o.Region, AccountID: o.AccountID,
			AlarmPrefix: alarmPrefix, Email: o.OnCallEmail, KeyArn: o.KeyArn,
		}, opts...)
		if err != nil {
			return nil, err
		}
		m.OnCallTopicArn = onCall.Arn
	}
	rules := Rules(t)
	if len(rules) == 0 {
		return m, nil
	}
	var arns []pulumi.StringInput
	if !o.Emulation.Gap(gaps.MetricAlarm) {
		for _, r := range rules {
			alarm, err := cloudwatch.NewMetricAlarm(ctx, o.logical("alarm", r.Signal),
				AlarmArgs(naming.AlarmName(o.Prefix, o.ID, r.Signal), r, m.Actions()), opts...)
			if err != nil {
				return nil, err
			}
			m.Alarms = append(m.Alarms, alarm)
			arns = append(arns, alarm.Arn)
		}
	}
	if o.Emulation.Gap(gaps.Dashboard) {
		return m, nil
	}
	m.Dashboard, err = cloudwatch.NewDashboard(ctx, o.logical("dashboard"), &cloudwatch.DashboardArgs{
		DashboardName: pulumi.String(naming.Join(o.Prefix, o.ID)),
		DashboardBody: DashboardBody(naming.Join(o.Prefix, o.ID)+" alarms", o.Region, rules, arns),
	}, opts...)
	if err != nil {
		return nil, err
	}
	return m, nil
}
