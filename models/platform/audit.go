package platform

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudtrail"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kinesis"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/organizations"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/tenantctl/tenantctl/internal/iampolicy"
	"github.com/tenantctl/tenantctl/internal/naming"
	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/models/kmskey"
	"github.com/tenantctl/tenantctl/models/provider"
)

// Where the log archive keeps each kind of record, under its bucket.
const (
	// TrailPrefix is CloudTrail's own: AWSLogs/<organization id>/<account>/…
	// for an organization trail's events, AWSLogs/<management account>/…
	// for its digest and the bucket check.
	TrailPrefix = "AWSLogs"
	// ConfigPrefix is AWS Config's: config/AWSLogs/<account>/Config/….
	ConfigPrefix = "config"
	// LogsPrefix is the archived log events of tenants and the platform.
	LogsPrefix = "logs"
)

// ArchiveTransitionDays is when the archive's objects move to Glacier
// Flexible Retrieval, if they are kept longer than that.
const ArchiveTransitionDays = 90

// ObjectLockMode is the archive's default retention mode: GOVERNANCE, so a
// principal explicitly allowed s3:BypassGovernanceRetention can still
// remove a record put there by mistake; nobody else can, within
// audit.retentionDays.
const ObjectLockMode = "GOVERNANCE"

// LogArchiveProvider is the name of the platform stack's provider of the log
// archive account, when the fleet names one.
const LogArchiveProvider = Owner + "-log-archive"

// Role names (after <prefix>-platform-) of the audit's roles in the
// platform's account.
const (
	StreamRole       = "log-archive"
	SubscriptionRole = "log-subscription"
)

// archive is the log archive, as the baseline's steps share it.
type archive struct {
	// accountID is the log archive's account.
	accountID pulumi.StringOutput
	bucket    *s3.BucketV2
	key       *kmskey.Key
	// policy is the bucket's policy: what writes into the bucket waits for it.
	policy *s3.BucketPolicy
}

// TrailName is the organization trail's name.
func TrailName(s *spec.Settings) string { return naming.Join(s.NamePrefix, Owner, "org-trail") }

// TrailArn is the ARN of a trail.
func TrailArn(partition, region, accountID, name string) string {
	return "arn:" + partition + ":cloudtrail:" + region + ":" + accountID + ":trail/" + name
}

// ArchiveBucketPolicy is the log archive bucket's policy: no request without
// TLS; CloudTrail checks the bucket and writes the organization trail's
// files, for the trail only (aws:SourceArn) and under its own prefixes; AWS
// Config checks the bucket and writes the management account's history; the
// log archive stream's role writes archived logs under LogsPrefix.
func ArchiveBucketPolicy(bucketArn, trail, managementAccount, orgID, streamRole string) iampolicy.Document {
	ownerFull := "bucket-owner-full-control"
	return iampolicy.Document{Version: iampolicy.Version, Statement: []iampolicy.Statement{
		{Sid: "DenyInsecureTransport", Effect: "Deny", Principal: map[string]any{"AWS": "*"}, Action: []string{"s3:*"},
			Resource: []string{bucketArn, bucketArn + "/*"}, Condition: map[string]map[string]any{"Bool": {"aws:SecureTransport": "false"}}},
		{Sid: "CloudTrailChecksTheBucket", Effect: "Allow", Principal: map[string]any{"Service": "cloudtrail.amazonaws.com"},
			Action: []string{"s3:GetBucketAcl"}, Resource: []string{bucketArn},
			Condition: map[string]map[string]any{"StringEquals": {"aws:SourceArn": trail}}},
		{Sid: "CloudTrailWritesTheTrail", Effect: "Allow", Principal: map[string]any{"Service": "cloudtrail.amazonaws.com"},
			Action: []string{"s3:PutObject"},
			Resource: []string{
				bucketArn + "/" + TrailPrefix + "/" + managementAccount + "/*",
				bucketArn + "/" + TrailPrefix + "/" + orgID + "/*",
			},
			Condition: map[string]map[string]any{"StringEquals": {"aws:SourceArn": trail, "s3:x-amz-acl": ownerFull}}},
		{Sid: "ConfigChecksTheBucket", Effect: "Allow", Principal: map[string]any{"Service": "config.amazonaws.com"},
			Action: []string{"s3:GetBucketAcl", "s3:ListBucket"}, Resource: []string{bucketArn},
			Condition: map[string]map[string]any{"StringEquals": {"aws:SourceAccount": managementAccount}}},
		{Sid: "ConfigWritesItsHistory", Effect: "Allow", Principal: map[string]any{"Service": "config.amazonaws.com"},
			Action:    []string{"s3:PutObject"},
			Resource:  []string{bucketArn + "/" + ConfigPrefix + "/" + TrailPrefix + "/" + managementAccount + "/Config/*"},
			Condition: map[string]map[string]any{"StringEquals": {"aws:SourceAccount": managementAccount, "s3:x-amz-acl": ownerFull}}},
		{Sid: "LogArchiveStreamWritesLogs", Effect: "Allow", Principal: map[string]any{"AWS": streamRole},
			Action:   []string{"s3:AbortMultipartUpload", "s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads", "s3:PutObject"},
			Resource: []string{bucketArn, bucketArn + "/" + LogsPrefix + "/*"}},
	}}
}

// ArchiveKeyStatements are the archive key's grants beyond its
// administration: CloudTrail encrypts the organization trail's files (that
// trail by aws:SourceArn, the management account's trails by encryption
// context), and the writers' roles (the log archive stream's, AWS
// Config's) encrypt through S3 only.
func ArchiveKeyStatements(partition, region, managementAccount, trail string, writerRoles []string) []iampolicy.Statement {
	return []iampolicy.Statement{
		{Sid: "CloudTrailEncryptsTheTrail", Effect: "Allow", Principal: map[string]any{"Service": "cloudtrail.amazonaws.com"},
			Action: []string{"kms:GenerateDataKey*"}, Resource: []string{"*"},
			Condition: map[string]map[string]any{
				"StringEquals": {"aws:SourceArn": trail},
				"StringLike":   {"kms:EncryptionContext:aws:cloudtrail:arn": "arn:" + partition + ":cloudtrail:*:" + managementAccount + ":trail/*"},
			}},
		{Sid: "CloudTrailDescribesTheKey", Effect: "Allow", Principal: map[string]any{"Service": "cloudtrail.amazonaws.com"},
			Action: []string{"kms:DescribeKey"}, Resource: []string{"*"},
			Condition: map[string]map[string]any{"StringEquals": {"aws:SourceArn": trail}}},
		{Sid: "ArchiveWritersThroughS3", Effect: "Allow", Principal: map[string]any{"AWS": "*"},
			Action: []string{"kms:Decrypt", "kms:GenerateDataKey"}, Resource: []string{"*"},
			Condition: map[string]map[string]any{
				"StringEquals": {"kms:ViaService": "s3." + region + ".amazonaws.com"},
				"ArnEquals":    {"aws:PrincipalArn": writerRoles},
			}},
	}
}

// ArchiveWritePolicy lets a role write under prefix of the archive bucket,
// encrypting with the archive's key through S3.
func ArchiveWritePolicy(bucketArn, keyArn, region, prefix string) iampolicy.Document {
	return iampolicy.Document{Version: iampolicy.Version, Statement: []iampolicy.Statement{
		{Sid: "WriteToTheArchive", Effect: "Allow",
			Action:   []string{"s3:AbortMultipartUpload", "s3:GetBucketAcl", "s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads", "s3:PutObject"},
			Resource: []string{bucketArn, bucketArn + "/" + prefix + "/*"}},
		{Sid: "EncryptWithTheArchiveKey", Effect: "Allow", Action: []string{"kms:Decrypt", "kms:GenerateDataKey"}, Resource: []string{keyArn},
			Condition: map[string]map[string]any{"StringEquals": {"kms:ViaService": "s3." + region + ".amazonaws.com"}}},
	}}
}

// SubscriptionPolicy lets CloudWatch Logs put a log group's events into the
// log archive stream, and nowhere else.
func SubscriptionPolicy(streamArn string) iampolicy.Document {
	return iampolicy.Document{Version: iampolicy.Version, Statement: []iampolicy.Statement{{
		Sid: "PutIntoTheLogArchiveStream", Effect: "Allow",
		Action: []string{"firehose:PutRecord", "firehose:PutRecordBatch"}, Resource: []string{streamArn},
	}}}
}

// serviceTrust is the trust of a service's role for requests on behalf of
// the platform's account only (aws:SourceAccount), or of sourceArn's
// resources when given.
func serviceTrust(service, accountID, sourceArn string) iampolicy.Document {
	d := iampolicy.AssumedBy(service)
	cond := map[string]map[string]any{"StringEquals": {"aws:SourceAccount": accountID}}
	if sourceArn != "" {
		cond["ArnLike"] = map[string]any{"aws:SourceArn": sourceArn}
	}
	d.Statement[0].Condition = cond
	return d
}

// serviceRole is a role of the platform's account that service assumes, with
// its inline policy: trust and policy resolve once the platform's account
// (and what the policy names) is known.
func (b *builder) serviceRole(what, description string, trust, policy pulumi.StringInput) (*iam.Role, error) {
	role, err := iam.NewRole(b.ctx, b.name(what), &iam.RoleArgs{
		Name: pulumi.String(b.physical(what, naming.MaxIAMRole)), Description: pulumi.String(description), AssumeRolePolicy: trust,
	}, b.opts...)
	if err != nil {
		return nil, err
	}
	if policy != nil {
		if _, err := iam.NewRolePolicy(b.ctx, b.name(what), &iam.RolePolicyArgs{Role: role.Name, Policy: policy}, b.opts...); err != nil {
			return nil, err
		}
	}
	return role, nil
}

// jsonOf is a document's JSON once the inputs it names are known (v holds
// them in order).
func jsonOf(doc func(v []any) iampolicy.Document, inputs ...any) pulumi.StringOutput {
	return pulumi.All(inputs...).ApplyT(func(v []any) (string, error) {
		return doc(v).JSON()
	}).(pulumi.StringOutput)
}

// archiveAccount is where the log archive lives: the account the fleet names
// (audit.logArchiveAccountId), through a provider that assumes the
// organization's access role there, or the platform's own.
func (b *builder) archiveAccount() ([]pulumi.ResourceOption, pulumi.StringOutput, error) {
	id := b.s.Audit.LogArchiveAccountID
	if id == "" {
		return b.opts, b.accountID, nil
	}
	args, err := provider.Args(b.s.PlatformRegion, spec.PlatformTags(b.s), &provider.AssumeRole{
		AccountID: id, RoleName: b.s.Organization.AccessRoleName, TenantID: Owner, OrganizationAccess: true,
	}, b.emu.Provider())
	if err != nil {
		return nil, pulumi.StringOutput{}, fmt.Errorf("log archive: %w", err)
	}
	prov, err := aws.NewProvider(b.ctx, LogArchiveProvider, args, b.opts...)
	if err != nil {
		return nil, pulumi.StringOutput{}, err
	}
	return b.with(pulumi.Provider(prov)), pulumi.String(id).ToStringOutput(), nil
}

// audit: the log archive (audit.logArchiveAccountId's account, or the
// platform's) — a bucket encrypted with a key of its own, versioned,
// object-locked for audit.retentionDays, with a lifecycle, its public access
// blocked and a least-privilege policy — the organization trail into it,
// the stream that archives log groups there and the role CloudWatch Logs
// puts into it with; and the platform's own access log archived.
func (b *builder) audit() error {
	opts, archiveAccount, err := b.archiveAccount()
	if err != nil {
		return err
	}
	s, region := b.s, b.s.PlatformRegion
	partition := iampolicy.Partition(region)
	a := &archive{accountID: archiveAccount}
	b.base.archive = a
	if s.Audit.LogArchiveAccountID != "" {
		if err := b.infrastructureOU(); err != nil {
			return err
		}
	}
	trailName := TrailName(s)
	trail := b.accountID.ApplyT(func(acct string) string { return TrailArn(partition, region, acct, trailName) }).(pulumi.StringOutput)
	writers := b.accountID.ApplyT(func(acct string) []string {
		return []string{
			iampolicy.RoleArn(partition, acct, b.physical(StreamRole, naming.MaxIAMRole)),
			iampolicy.RoleArn(partition, acct, b.physical(ConfigRole, naming.MaxIAMRole)),
		}
	}).(pulumi.StringArrayOutput)
	keyPolicy := jsonOf(func(v []any) iampolicy.Document {
		return kmskey.Policy(region, v[0].(string), kmskey.Grant{More: func(p, _ string) []iampolicy.Statement {
			return ArchiveKeyStatements(p, region, v[1].(string), v[2].(string), v[3].([]string))
		}})
	}, archiveAccount, b.accountID, trail, writers)
	if a.key, err = kmskey.NewWithPolicy(b.ctx, kmskey.Args{
		Logical: b.name("log-archive-key"), Alias: naming.Join(s.NamePrefix, Owner, "log-archive"),
		Description: "tenantctl: the log archive (organization trail, AWS Config, archived logs)",
	}, keyPolicy, opts...); err != nil {
		return err
	}

	// The stream's role first: the bucket policy names it.
	streamRole, err := b.serviceRole(StreamRole, "Kinesis Data Firehose writes archived log events into the log archive",
		jsonOf(func(v []any) iampolicy.Document { return serviceTrust("firehose.amazonaws.com", v[0].(string), "") }, b.accountID), nil)
	if err != nil {
		return err
	}
	if err := b.archiveBucket(a, opts, trail, streamRole.Arn); err != nil {
		return err
	}
	if _, err := iam.NewRolePolicy(b.ctx, b.name(StreamRole), &iam.RolePolicyArgs{
		Role: streamRole.Name,
		Policy: jsonOf(func(v []any) iampolicy.Document {
			return ArchiveWritePolicy(v[0].(string), v[1].(string), region, LogsPrefix)
		}, a.bucket.Arn, a.key.Arn()),
	}, b.opts...); err != nil {
		return err
	}
	if _, err := cloudtrail.NewTrail(b.ctx, b.name("org-trail"), &cloudtrail.TrailArgs{
		Name:                       pulumi.String(trailName),
		S3BucketName:               a.bucket.Bucket,
		KmsKeyId:                   a.key.Arn(),
		IsOrganizationTrail:        pulumi.Bool(true),
		IsMultiRegionTrail:         pulumi.Bool(true),
		IncludeGlobalServiceEvents: pulumi.Bool(true),
		EnableLogFileValidation:    pulumi.Bool(true),
		EnableLogging:              pulumi.Bool(true),
	}, b.with(pulumi.DependsOn([]pulumi.Resource{a.policy}))...); err != nil {
		return err
	}
	return b.logArchiveStream(a, streamRole)
}

// infrastructureOU: the OU of the organization's own accounts, where the log
// archive account belongs, outside the tenants' guard rails.
func (b *builder) infrastructureOU() error {
	org := organizations.LookupOrganizationOutput(b.ctx, pulumi.Provider(b.prov))
	_, err := organizations.NewOrganizationalUnit(b.ctx, b.name("ou", "infrastructure"), &organizations.OrganizationalUnitArgs{
		Name: pulumi.String(b.s.Organization.InfrastructureOU), ParentId: org.Roots().Index(pulumi.Int(0)).Id(),
	}, b.opts...)
	return err
}

// archiveBucket is the archive's bucket and its settings, in its account.
// It outlives the stack: destroying the platform leaves it, as its locked
// objects would anyway.
func (b *builder) archiveBucket(a *archive, opts []pulumi.ResourceOption, trail, streamRole pulumi.StringOutput) error {
	s := b.s
	name := a.accountID.ApplyT(func(acct string) string { return naming.Join(s.NamePrefix, Owner, "log-archive", acct) }).(pulumi.StringOutput)
	var err error
	if a.bucket, err = s3.NewBucketV2(b.ctx, b.name("log-archive"), &s3.BucketV2Args{
		Bucket: name, ObjectLockEnabled: pulumi.Bool(true),
	}, append(append([]pulumi.ResourceOption{}, opts...), pulumi.RetainOnDelete(true))...); err != nil {
		return err
	}
	bucket := a.bucket.ID()
	if _, err := s3.NewBucketPublicAccessBlock(b.ctx, b.name("log-archive"), &s3.BucketPublicAccessBlockArgs{
		Bucket: bucket, BlockPublicAcls: pulumi.Bool(true), BlockPublicPolicy: pulumi.Bool(true),
		IgnorePublicAcls: pulumi.Bool(true), RestrictPublicBuckets: pulumi.Bool(true),
	}, opts...); err != nil {
		return err
	}
	if _, err := s3.NewBucketOwnershipControls(b.ctx, b.name("log-archive"), &s3.BucketOwnershipControlsArgs{
		Bucket: bucket, Rule: s3.BucketOwnershipControlsRuleArgs{ObjectOwnership: pulumi.String("BucketOwnerEnforced")},
	}, opts...); err != nil {
		return err
	}
	versioning, err := s3.NewBucketVersioningV2(b.ctx, b.name("log-archive"), &s3.BucketVersioningV2Args{
		Bucket: bucket, VersioningConfiguration: s3.BucketVersioningV2VersioningConfigurationArgs{Status: pulumi.String("Enabled")},
	}, opts...)
	if err != nil {
		return err
	}
	days := s.Audit.RetentionDays
	if _, err := s3.NewBucketObjectLockConfigurationV2(b.ctx, b.name("log-archive"), &s3.BucketObjectLockConfigurationV2Args{
		Bucket: bucket,
		Rule: s3.BucketObjectLockConfigurationV2RuleArgs{DefaultRetention: s3.BucketObjectLockConfigurationV2RuleDefaultRetentionArgs{
			Mode: pulumi.String(ObjectLockMode), Days: pulumi.Int(days),
		}},
	}, append(append([]pulumi.ResourceOption{}, opts...), pulumi.DependsOn([]pulumi.Resource{versioning}))...); err != nil {
		return err
	}
	if _, err := s3.NewBucketServerSideEncryptionConfigurationV2(b.ctx, b.name("log-archive"), &s3.BucketServerSideEncryptionConfigurationV2Args{
		Bucket: bucket,
		Rules: s3.BucketServerSideEncryptionConfigurationV2RuleArray{s3.BucketServerSideEncryptionConfigurationV2RuleArgs{
			ApplyServerSideEncryptionByDefault: s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{
				SseAlgorithm: pulumi.String("aws:kms"), KmsMasterKeyId: a.key.Arn(),
			},
			BucketKeyEnabled: pulumi.Bool(true),
		}},
	}, opts...); err != nil {
		return err
	}
	rule := s3.BucketLifecycleConfigurationV2RuleArgs{
		Id: pulumi.String("retention"), Status: pulumi.String("Enabled"),
		Filter:                      s3.BucketLifecycleConfigurationV2RuleFilterArgs{Prefix: pulumi.String("")},
		Expiration:                  s3.BucketLifecycleConfigurationV2RuleExpirationArgs{Days: pulumi.Int(days)},
		NoncurrentVersionExpiration: s3.BucketLifecycleConfigurationV2RuleNoncurrentVersionExpirationArgs{NoncurrentDays: pulumi.Int(days)},
	}
	if days > ArchiveTransitionDays {
		rule.Transitions = s3.BucketLifecycleConfigurationV2RuleTransitionArray{s3.BucketLifecycleConfigurationV2RuleTransitionArgs{
			Days: pulumi.Int(ArchiveTransitionDays), StorageClass: pulumi.String("GLACIER"),
		}}
	}
	if _, err := s3.NewBucketLifecycleConfigurationV2(b.ctx, b.name("log-archive"), &s3.BucketLifecycleConfigurationV2Args{
		Bucket: bucket, Rules: s3.BucketLifecycleConfigurationV2RuleArray{rule},
	}, append(append([]pulumi.ResourceOption{}, opts...), pulumi.DependsOn([]pulumi.Resource{versioning}))...); err != nil {
		return err
	}
	org := organizations.LookupOrganizationOutput(b.ctx, pulumi.Provider(b.prov))
	a.policy, err = s3.NewBucketPolicy(b.ctx, b.name("log-archive"), &s3.BucketPolicyArgs{
		Bucket: bucket,
		Policy: jsonOf(func(v []any) iampolicy.Document {
			return ArchiveBucketPolicy(v[0].(string), v[1].(string), v[2].(string), v[3].(string), v[4].(string))
		}, a.bucket.Arn, trail, b.accountID, org.Id(), streamRole),
	}, opts...)
	return err
}

// LogArchiveBuffer is how the log archive stream batches before it writes:
// 5 MiB or 5 minutes, whichever first.
const (
	LogArchiveBufferMiB     = 5
	LogArchiveBufferSeconds = 300
)

// logArchiveStream: the Kinesis Data Firehose stream that writes archived
// log events under LogsPrefix (CloudWatch Logs sends them gzipped already),
// encrypted with the archive's key; the role CloudWatch Logs puts into it
// with (for the account's log groups); the platform's access log archived.
func (b *builder) logArchiveStream(a *archive, streamRole *iam.Role) error {
	region := b.s.PlatformRegion
	partition := iampolicy.Partition(region)
	stream, err := kinesis.NewFirehoseDeliveryStream(b.ctx, b.name("log-archive"), &kinesis.FirehoseDeliveryStreamArgs{
		Name:        pulumi.String(b.physical("log-archive", 64)),
		Destination: pulumi.String("extended_s3"),
		ExtendedS3Configuration: kinesis.FirehoseDeliveryStreamExtendedS3ConfigurationArgs{
			BucketArn: a.bucket.Arn, RoleArn: streamRole.Arn, KmsKeyArn: a.key.Arn(),
			Prefix: pulumi.String(LogsPrefix + "/"), ErrorOutputPrefix: pulumi.String(LogsPrefix + "/errors/"),
			CompressionFormat: pulumi.String("UNCOMPRESSED"),
			BufferingSize:     pulumi.Int(LogArchiveBufferMiB), BufferingInterval: pulumi.Int(LogArchiveBufferSeconds),
		},
		ServerSideEncryption: kinesis.FirehoseDeliveryStreamServerSideEncryptionArgs{
			Enabled: pulumi.Bool(true), KeyType: pulumi.String("AWS_OWNED_CMK"),
		},
	}, b.with(pulumi.DependsOn([]pulumi.Resource{a.policy}))...)
	if err != nil {
		return err
	}
	trust := jsonOf(func(v []any) iampolicy.Document {
		return serviceTrust("logs."+region+".amazonaws.com", v[0].(string), "arn:"+partition+":logs:"+region+":"+v[0].(string)+":*")
	}, b.accountID)
	role, err := b.serviceRole(SubscriptionRole, "CloudWatch Logs puts log events into the log archive stream", trust,
		jsonOf(func(v []any) iampolicy.Document { return SubscriptionPolicy(v[0].(string)) }, stream.Arn))
	if err != nil {
		return err
	}
	b.p.LogArchiveStreamArn, b.p.LogSubscriptionRoleArn = stream.Arn, role.Arn
	_, err = cloudwatch.NewLogSubscriptionFilter(b.ctx, b.name("api", "access", "archive"), &cloudwatch.LogSubscriptionFilterArgs{
		Name: pulumi.String(b.physical("archive", 512)), LogGroup: b.base.apiAccessLogs.Name, FilterPattern: pulumi.String(""),
		DestinationArn: stream.Arn, RoleArn: role.Arn,
	}, b.opts...)
	return err
}
