package platform

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/tenantctl/tenantctl/internal/emulator/gaps"
	"github.com/tenantctl/tenantctl/internal/naming"
	"github.com/tenantctl/tenantctl/models/alerting"
)

// quotas: the Service Quotas utilisation alarms of the platform's account
// (alerting.Quotas), <prefix>-platform-quota-<quota>, notifying the on-call
// topic.
func (b *builder) quotas() error {
	if b.emu.Gap(gaps.MetricAlarm) {
		return nil
	}
	actions := pulumi.Array{b.p.OnCallTopicArn}
	for _, r := range alerting.QuotaRules() {
		if _, err := cloudwatch.NewMetricAlarm(b.ctx, b.name("alarm", r.Signal),
			alerting.AlarmArgs(naming.AlarmName(b.s.NamePrefix, Owner, r.Signal), r, actions), b.opts...); err != nil {
			return err
		}
	}
	return nil
}
