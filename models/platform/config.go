package platform

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cfg"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/tenantctl/tenantctl/internal/iampolicy"
)

// Role names (after <prefix>-platform-) of AWS Config's roles.
const (
	// ConfigRole is the role AWS Config records the platform's account with.
	ConfigRole = "config"
	// AggregatorRole is the role the organization's aggregator reads the
	// member accounts' configuration with.
	AggregatorRole = "config-aggregator"
)

// The AWS managed policies of AWS Config's roles.
const (
	ConfigRolePolicy     = "policy/service-role/AWS_ConfigRole"
	AggregatorRolePolicy = "policy/service-role/AWSConfigRoleForOrganizations"
)

// ConfigDeliveryFrequency is how often AWS Config delivers a snapshot of the
// account's configuration to the archive.
const ConfigDeliveryFrequency = "TwentyFour_Hours"

// managedRole is a role of the platform's account that service assumes, with
// an AWS managed policy attached and, when given, an inline policy.
func (b *builder) managedRole(what, description, service, managed string, policy pulumi.StringInput) (*iam.Role, error) {
	trust := jsonOf(func(v []any) iampolicy.Document { return serviceTrust(service, v[0].(string), "") }, b.accountID)
	role, err := b.serviceRole(what, description, trust, policy)
	if err != nil {
		return nil, err
	}
	if _, err := iam.NewRolePolicyAttachment(b.ctx, b.name(what), &iam.RolePolicyAttachmentArgs{
		Role: role.Name, PolicyArn: pulumi.String(managedPolicyArn(b.s.PlatformRegion, managed)),
	}, b.opts...); err != nil {
		return nil, err
	}
	return role, nil
}

// config: AWS Config in the platform's account — a recorder of every
// supported resource type (global ones too), its delivery channel into the
// log archive (ConfigPrefix, the archive's key), the recorder started — and
// an aggregator of the whole organization (fleet.yaml's organization block,
// which every fleet declares), in every region.
func (b *builder) config() error {
	a, region := b.base.archive, b.s.PlatformRegion
	role, err := b.managedRole(ConfigRole, "AWS Config records the platform's account and delivers to the log archive",
		"config.amazonaws.com", ConfigRolePolicy,
		jsonOf(func(v []any) iampolicy.Document {
			return ArchiveWritePolicy(v[0].(string), v[1].(string), region, ConfigPrefix)
		}, a.bucket.Arn, a.key.Arn()))
	if err != nil {
		return err
	}
	name := b.physical("config", 256)
	recorder, err := cfg.NewRecorder(b.ctx, b.name("config"), &cfg.RecorderArgs{
		Name: pulumi.String(name), RoleArn: role.Arn,
		RecordingGroup: cfg.RecorderRecordingGroupArgs{AllSupported: pulumi.Bool(true), IncludeGlobalResourceTypes: pulumi.Bool(true)},
	}, b.opts...)
	if err != nil {
		return err
	}
	channel, err := cfg.NewDeliveryChannel(b.ctx, b.name("config"), &cfg.DeliveryChannelArgs{
		Name: pulumi.String(name), S3BucketName: a.bucket.Bucket, S3KeyPrefix: pulumi.String(ConfigPrefix), S3KmsKeyArn: a.key.Arn(),
		SnapshotDeliveryProperties: cfg.DeliveryChannelSnapshotDeliveryPropertiesArgs{DeliveryFrequency: pulumi.String(ConfigDeliveryFrequency)},
	}, b.with(pulumi.DependsOn([]pulumi.Resource{recorder, a.policy}))...)
	if err != nil {
		return err
	}
	if _, err := cfg.NewRecorderStatus(b.ctx, b.name("config"), &cfg.RecorderStatusArgs{
		Name: recorder.Name, IsEnabled: pulumi.Bool(true),
	}, b.with(pulumi.DependsOn([]pulumi.Resource{channel}))...); err != nil {
		return err
	}
	aggregator, err := b.managedRole(AggregatorRole, "AWS Config reads the organization's accounts for the aggregator",
		"config.amazonaws.com", AggregatorRolePolicy, nil)
	if err != nil {
		return err
	}
	_, err = cfg.NewConfigurationAggregator(b.ctx, b.name("config", "organization"), &cfg.ConfigurationAggregatorArgs{
		Name: pulumi.String(b.physical("organization", 256)),
		OrganizationAggregationSource: cfg.ConfigurationAggregatorOrganizationAggregationSourceArgs{
			AllRegions: pulumi.Bool(true), RoleArn: aggregator.Arn,
		},
	}, b.opts...)
	return err
}
