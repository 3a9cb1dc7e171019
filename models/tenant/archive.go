package tenant

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/tenantctl/tenantctl/internal/spec"
)

// MaxSubscriptionFilterName is CloudWatch Logs' limit on a subscription
// filter's name.
const MaxSubscriptionFilterName = 512

// ArchiveLogs subscribes one of the tenant's log groups to the platform's log
// archive stream, which writes every event into the log archive bucket. A
// subscription reaches a stream of its own account and region only: an
// account-model tenant's log groups stay in its account, encrypted with its
// key, and nothing is registered for them.
func (in Input) ArchiveLogs(ctx *pulumi.Context, logical string, logGroup pulumi.StringInput, opts []pulumi.ResourceOption) error {
	if in.Tenant.Model == spec.ModelAccount {
		return nil
	}
	_, err := cloudwatch.NewLogSubscriptionFilter(ctx, logical, &cloudwatch.LogSubscriptionFilterArgs{
		Name:           pulumi.String(in.Physical("archive", MaxSubscriptionFilterName)),
		LogGroup:       logGroup,
		FilterPattern:  pulumi.String(""),
		DestinationArn: in.Platform.LogArchiveStreamArn,
		RoleArn:        in.Platform.LogSubscriptionRoleArn,
	}, opts...)
	return err
}
