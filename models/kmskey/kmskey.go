// Package kmskey builds tenantctl's customer-managed KMS keys: one per siloed
// tenant, one per tier for pooled tenants, the platform's and the log
// archive's. Every key rotates yearly, has an alias and a policy that names
// who may do what with it: the account root administers it (and so IAM may
// let the deployment manage it) but cannot encrypt or decrypt with it; the
// owner's roles use it only through the AWS services that hold its data; and
// the services that encrypt on the owner's behalf (CloudWatch Logs, S3,
// CloudTrail, ...) only for the owner's resources, by encryption context or
// source.
package kmskey

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/tenantctl/tenantctl/internal/iampolicy"
)

// DeletionWindowDays is how long a deleted key can still be recovered.
const DeletionWindowDays = 30

// AdminActions are what the account root may do with a key: manage it,
// never use it. kms:CreateGrant is there for the AWS services that create
// grants on a deployment's behalf (a DynamoDB table's), and only for them.
var AdminActions = []string{
	"kms:CancelKeyDeletion", "kms:CreateAlias", "kms:DeleteAlias", "kms:Describe*", "kms:Disable*",
	"kms:Enable*", "kms:Get*", "kms:List*", "kms:PutKeyPolicy", "kms:RevokeGrant", "kms:ScheduleKeyDeletion",
	"kms:TagResource", "kms:UntagResource", "kms:Update*",
}

// UseActions are what a user of a key may do through an AWS service.
var UseActions = []string{"kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"}

// LogsActions are what CloudWatch Logs needs of a log group's key.
var LogsActions = []string{"kms:Decrypt*", "kms:Describe*", "kms:Encrypt*", "kms:GenerateDataKey*", "kms:ReEncrypt*"}

// Grant is what a key's policy allows beyond its administration.
type Grant struct {
	// UserRoles are the names (or name patterns) of the roles of the key's
	// account that may use it, through Services only.
	UserRoles []string
	// Services are the services (dynamodb, s3, ...) the users reach the
	// key's data through, as kms:ViaService names them.
	Services []string
	// LogGroups are the names (or name patterns) of the log groups of the
	// key's account and region CloudWatch Logs may encrypt with it.
	LogGroups []string
	// More are statements of their own (another service's, or another
	// account's), given the key's partition and account.
	More func(partition, accountID string) []iampolicy.Statement
}

// Policy is the key policy of a key of accountID in region.
func Policy(region, accountID string, g Grant) iampolicy.Document {
	p := iampolicy.Partition(region)
	sts := []iampolicy.Statement{{
		Sid:       "AccountAdministersTheKey",
		Effect:    "Allow",
		Principal: map[string]any{"AWS": "arn:" + p + ":iam::" + accountID + ":root"},
		Action:    AdminActions,
		Resource:  []string{"*"},
	}, {
		Sid:       "AWSServicesCreateGrants",
		Effect:    "Allow",
		Principal: map[string]any{"AWS": "arn:" + p + ":iam::" + accountID + ":root"},
		Action:    []string{"kms:CreateGrant"},
		Resource:  []string{"*"},
		Condition: map[string]map[string]any{"Bool": {"kms:GrantIsForAWSResource": "true"}},
	}}
	if len(g.UserRoles) > 0 && len(g.Services) > 0 {
		roles := make([]string, len(g.UserRoles))
		for i, r := range g.UserRoles {
			roles[i] = iampolicy.RoleArn(p, accountID, r)
		}
		via := make([]string, len(g.Services))
		for i, s := range g.Services {
			via[i] = s + "." + region + ".amazonaws.com"
		}
		// Any principal, narrowed by the conditions to the owner's roles
		// of this account: a key policy cannot name a role before it
		// exists, and the owner's roles are created after its key.
		sts = append(sts, iampolicy.Statement{
			Sid:       "OwnerRolesThroughServices",
			Effect:    "Allow",
			Principal: map[string]any{"AWS": "*"},
			Action:    UseActions,
			Resource:  []string{"*"},
			Condition: map[string]map[string]any{
				"StringEquals": {"kms:CallerAccount": accountID, "kms:ViaService": via},
				"ArnLike":      {"aws:PrincipalArn": roles},
			},
		})
	}
	if len(g.LogGroups) > 0 {
		arns := make([]string, len(g.LogGroups))
		for i, lg := range g.LogGroups {
			arns[i] = "arn:" + p + ":logs:" + region + ":" + accountID + ":log-group:" + lg
		}
		sts = append(sts, iampolicy.Statement{
			Sid:       "CloudWatchLogsForOwnerLogGroups",
			Effect:    "Allow",
			Principal: map[string]any{"Service": "logs." + region + ".amazonaws.com"},
			Action:    LogsActions,
			Resource:  []string{"*"},
			Condition: map[string]map[string]any{"ArnLike": {"kms:EncryptionContext:aws:logs:arn": arns}},
		})
	}
	if g.More != nil {
		sts = append(sts, g.More(p, accountID)...)
	}
	return iampolicy.Document{Version: iampolicy.Version, Statement: sts}
}

// Args describe a key.
type Args struct {
	// Logical is the key's logical name; its alias's is Logical-alias.
	Logical string
	// Alias is the alias's name, without alias/.
	Alias       string
	Description string
	// Region and AccountID are where the key lives.
	Region    string
	AccountID pulumi.StringInput
	Grant     Grant
}

// Key is a key and its alias.
type Key struct {
	Key   *kms.Key
	Alias *kms.Alias
}

// Arn is the key's ARN.
func (k *Key) Arn() pulumi.StringOutput { return k.Key.Arn }

// New registers the key, rotated yearly, with Policy of its grant, and its
// alias. opts carry the parent and the provider of the key's account.
func New(ctx *pulumi.Context, a Args, opts ...pulumi.ResourceOption) (*Key, error) {
	policy := a.AccountID.ToStringOutput().ApplyT(func(acct string) (string, error) {
		return Policy(a.Region, acct, a.Grant).JSON()
	}).(pulumi.StringOutput)
	return NewWithPolicy(ctx, a, policy, opts...)
}

// NewWithPolicy is New with a policy the caller built (Policy, once what its
// grant names is known); a.Grant is not read.
func NewWithPolicy(ctx *pulumi.Context, a Args, policy pulumi.StringInput, opts ...pulumi.ResourceOption) (*Key, error) {
	key, err := kms.NewKey(ctx, a.Logical, &kms.KeyArgs{
		Description:          pulumi.String(a.Description),
		EnableKeyRotation:    pulumi.Bool(true),
		DeletionWindowInDays: pulumi.Int(DeletionWindowDays),
		Policy:               policy,
	}, opts...)
	if err != nil {
		return nil, err
	}
	alias, err := kms.NewAlias(ctx, a.Logical+"-alias", &kms.AliasArgs{
		Name: pulumi.String("alias/" + a.Alias), TargetKeyId: key.KeyId,
	}, opts...)
	if err != nil {
		return nil, err
	}
	return &Key{Key: key, Alias: alias}, nil
}
