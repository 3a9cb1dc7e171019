package platform

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/tenantctl/tenantctl/internal/naming"
	"github.com/tenantctl/tenantctl/internal/spec"
)

// Names of the outputs of the tenant lifecycle's resources.
const (
	// OutLifecycleTopicArn is the SNS topic lifecycle workflows (onboard,
	// offboard, migrate) publish their starts, retries, successes and
	// failures to.
	OutLifecycleTopicArn = "lifecycleTopicArn"
	// OutArchiveBucket is the S3 bucket offboarding and migration export a
	// tenant's items to before they are deleted.
	OutArchiveBucket = "archiveBucket"
)

// Lifecycle is the platform's share of the tenant lifecycle workflows: the
// topic they notify and the bucket they archive tenant data in.
type Lifecycle struct {
	TopicArn      pulumi.StringOutput
	ArchiveBucket pulumi.StringOutput
}

// NewLifecycle registers the lifecycle's resources as children of the
// platform p: the topic <prefix>-platform-lifecycle and the private bucket
// <prefix>-platform-archive-<account id> (bucket names are global, so the
// account keeps two fleets' apart), its public access blocked.
func NewLifecycle(ctx *pulumi.Context, s *spec.Settings, p *Platform) (*Lifecycle, error) {
	opts := []pulumi.ResourceOption{pulumi.Parent(p)}
	name := func(parts ...string) string { return naming.Logical(Owner, parts...) }
	topic, err := sns.NewTopic(ctx, name("lifecycle"), &sns.TopicArgs{
		Name: pulumi.String(LifecycleTopicName(s.NamePrefix)),
	}, opts...)
	if err != nil {
		return nil, err
	}
	bucketName := p.AccountID.ApplyT(func(acct string) string {
		return ArchiveBucketName(s.NamePrefix, acct)
	}).(pulumi.StringOutput)
	bucket, err := s3.NewBucketV2(ctx, name("archive"), &s3.BucketV2Args{Bucket: bucketName}, opts...)
	if err != nil {
		return nil, err
	}
	if _, err := s3.NewBucketPublicAccessBlock(ctx, name("archive"), &s3.BucketPublicAccessBlockArgs{
		Bucket: bucket.ID(), BlockPublicAcls: pulumi.Bool(true), BlockPublicPolicy: pulumi.Bool(true),
		IgnorePublicAcls: pulumi.Bool(true), RestrictPublicBuckets: pulumi.Bool(true),
	}, opts...); err != nil {
		return nil, err
	}
	return &Lifecycle{TopicArn: topic.Arn, ArchiveBucket: bucket.Bucket}, nil
}

// AddOutputs adds the lifecycle's outputs to the platform's and returns them.
func (l *Lifecycle) AddOutputs(outs pulumi.Map) pulumi.Map {
	outs[OutLifecycleTopicArn], outs[OutArchiveBucket] = l.TopicArn, l.ArchiveBucket
	return outs
}

// Physical names of the platform's resources that the lifecycle workflows
// reach through the AWS SDK, without the platform stack's state: the names
// the platform stack gives them (a models test holds the two together).

// PoolTableName is the pooled data table's name.
func PoolTableName(prefix string) string { return naming.Name(prefix, Owner, "pool", 255) }

// RegistryTableName is the tenant registry table's name.
func RegistryTableName(prefix string) string { return naming.Name(prefix, Owner, "registry", 255) }

// UserPoolName is the shared user pool's name.
func UserPoolName(prefix string) string { return naming.Name(prefix, Owner, "users", 128) }

// LifecycleTopicName is the lifecycle topic's name.
func LifecycleTopicName(prefix string) string { return naming.Name(prefix, Owner, "lifecycle", 256) }

// ArchiveBucketName is the archive bucket's name in the account.
func ArchiveBucketName(prefix, accountID string) string {
	return naming.Name(prefix, Owner, "archive-"+accountID, 63)
}
