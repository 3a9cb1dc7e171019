package tenant

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/models/alerting"
)

// Monitor registers the tenant's alarm topic (its owner subscribed), the
// alarms of what targets name and their dashboard (models/alerting). Alarms
// notify the topics of their own account and region only: a tenant in the
// platform's account notifies the platform's on-call topic too, an
// account-model tenant an on-call topic of its own account with the fleet's
// on-call address subscribed, and the Service Quotas utilisation of that
// account is watched too.
func (in Input) Monitor(ctx *pulumi.Context, targets alerting.Targets, opts []pulumi.ResourceOption) (*alerting.Monitor, error) {
	t, s := in.Tenant, in.Settings()
	o := alerting.Owner{
		Prefix: s.NamePrefix, ID: t.ID, Region: t.Region, AccountID: in.AccountID,
		Email: t.Owner, OnCallEmail: s.Alerts.OnCallEmail, Emulation: in.Emulation,
	}
	if t.Model != spec.ModelAccount {
		o.OnCallTopicArn = in.Platform.OnCallTopicArn
	} else {
		// The tenant's own account: its quotas are the tenant's to watch
		// (the platform watches its own account's).
		targets.Quotas = true
	}
	return alerting.New(ctx, o, targets, opts...)
}

// OwnTableName is the name of the tenant's own table, for its throttle
// alarm; nil when its items are in the pooled table, whose throttles are no
// one tenant's.
func (d *DataStore) OwnTableName() pulumi.StringInput {
	if d.Table == nil {
		return nil
	}
	return d.Table.Name
}
