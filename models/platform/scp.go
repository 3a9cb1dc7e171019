package platform

import "github.com/tenantctl/tenantctl/internal/iampolicy"

// Roles are the two roles of a tenant account that tenantctl's guard rails
// name: the deploy role tenant stacks are deployed and destroyed through, and
// the organization's access role the account lifecycle baselines accounts
// through (and the management account's principals reach member accounts by).
type Roles struct {
	// Partition is the ARN partition of the organization (iampolicy.Partition).
	Partition string
	Deploy    string
	Access    string
}

// arn is the role's ARN in any account of the organization: SCPs hold for
// every account under the OU, so the account is a wildcard.
func (r Roles) arn(name string) string { return iampolicy.RoleArn(r.Partition, "*", name) }

// protectedRoleActions change or remove a role; the guard rails deny them on
// the deploy and access roles to every principal but the access role.
var protectedRoleActions = []string{
	"iam:DeleteRole", "iam:UpdateAssumeRolePolicy", "iam:AttachRolePolicy", "iam:DetachRolePolicy",
	"iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:UpdateRole",
	"iam:PutRolePermissionsBoundary", "iam:DeleteRolePermissionsBoundary",
}

// guardRails hold in every tenant account, active or quarantined: no leaving
// the organization, no stopping the audit trail, and the deploy and access
// roles changed only through the access role. The access role guards itself:
// it is how the management account reaches a member account, so a tenant
// principal that deleted or re-trusted it would lock the organization out.
func (r Roles) guardRails() []iampolicy.Statement {
	exceptAccess := map[string]map[string]any{
		"ArnNotLike": {"aws:PrincipalARN": r.arn(r.Access)},
	}
	return []iampolicy.Statement{
		{Sid: "StayInOrganization", Effect: "Deny", Action: []string{"organizations:LeaveOrganization"}, Resource: []string{"*"}},
		{Sid: "KeepAuditTrail", Effect: "Deny", Action: []string{"cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "cloudtrail:UpdateTrail"}, Resource: []string{"*"}},
		{Sid: "ProtectDeployRole", Effect: "Deny", Action: protectedRoleActions, Resource: []string{r.arn(r.Deploy)}, Condition: exceptAccess},
		{Sid: "ProtectAccessRole", Effect: "Deny", Action: protectedRoleActions, Resource: []string{r.arn(r.Access)}, Condition: exceptAccess},
	}
}

// WorkloadSCP is the service control policy on the Workload OU: the guard
// rails.
func WorkloadSCP(r Roles) iampolicy.Document {
	return iampolicy.Document{Version: iampolicy.Version, Statement: r.guardRails()}
}

// QuarantineReadActions are what any principal of a suspended account may
// still do: read, so that the tenant's data and configuration can be
// inspected and exported, and so that `pulumi destroy` can look up what it
// deletes. Services left out are not readable either: a quarantine errs on
// the side of denying. SCP actions need a service prefix (no "*:Describe*").
var QuarantineReadActions = []string{
	"acm:Describe*", "acm:List*",
	"application-autoscaling:Describe*", "application-autoscaling:List*",
	"budgets:Describe*", "budgets:View*",
	"cloudtrail:Describe*", "cloudtrail:Get*", "cloudtrail:List*", "cloudtrail:LookupEvents",
	"cloudwatch:Describe*", "cloudwatch:Get*", "cloudwatch:List*",
	"config:Describe*", "config:Get*", "config:List*",
	"dynamodb:Describe*", "dynamodb:Get*", "dynamodb:List*",
	"ec2:Describe*", "ec2:Get*",
	"ecs:Describe*", "ecs:List*",
	"elasticloadbalancing:Describe*",
	"iam:Get*", "iam:List*",
	"kms:Describe*", "kms:Get*", "kms:List*",
	"logs:Describe*", "logs:FilterLogEvents", "logs:Get*", "logs:List*",
	"organizations:Describe*", "organizations:List*",
	"route53:Get*", "route53:List*",
	"s3:Get*", "s3:List*",
	"sns:Get*", "sns:List*",
	"sts:GetCallerIdentity",
	"tag:Get*",
	"wafv2:Get*", "wafv2:List*",
}

// QuarantineCleanupActions are what the deploy role may do beyond reading in
// a suspended account: what destroying an account-model tenant's stack (its
// VPC, load balancer and certificate, hosted zone, ECS cluster and service
// and its autoscaling, roles, log group, table and budget, alarms, dashboard
// and alarm topics, key and its alias, web ACL) calls. Nothing
// creates, starts or writes: no Create*, Put*, Run*, Start*, Update* but the
// two below, and records changed only to delete them.
var QuarantineCleanupActions = []string{
	"acm:DeleteCertificate",
	"application-autoscaling:Delete*", "application-autoscaling:Deregister*",
	"budgets:ModifyBudget", // what DeleteBudget is authorized as
	"cloudwatch:DeleteAlarms", "cloudwatch:DeleteDashboards",
	"dynamodb:Delete*", "dynamodb:Untag*",
	"ec2:Delete*", "ec2:Deregister*", "ec2:Detach*", "ec2:Disassociate*", "ec2:Release*", "ec2:Revoke*", "ec2:Terminate*",
	"ecs:Delete*", "ecs:Deregister*", "ecs:Untag*",
	"ecs:UpdateService", // destroying a service first drains it to 0 tasks
	"elasticloadbalancing:Delete*",
	"elasticloadbalancing:SetWebAcl", // what DisassociateWebACL is authorized as too
	"iam:Delete*", "iam:Detach*", "iam:Remove*", "iam:Untag*",
	"kms:DeleteAlias", "kms:ScheduleKeyDeletion",
	"logs:Delete*", "logs:Disassociate*", "logs:Untag*",
	// Deleting a record is a change of the zone's record sets; the zone's
	// own records are all the deploy role's, and the zone goes next.
	"route53:ChangeResourceRecordSets", "route53:DeleteHostedZone",
	"sns:DeleteTopic", "sns:Unsubscribe",
	"wafv2:DeleteWebACL", "wafv2:DisassociateWebACL",
}

// SuspendedSCP is the service control policy on the Suspended OU, where an
// account waits for its tenant's stack to be destroyed and then stays: the
// guard rails, and a quarantine. Every principal but the access and deploy
// roles may only read; the deploy role may read and clean up; the access role,
// which the lifecycle acts through, is not quarantined.
func SuspendedSCP(r Roles) iampolicy.Document {
	readOrCleanup := append(append([]string{}, QuarantineReadActions...), QuarantineCleanupActions...)
	return iampolicy.Document{Version: iampolicy.Version, Statement: append(r.guardRails(),
		iampolicy.Statement{
			Sid: "QuarantineReadOnly", Effect: "Deny", NotAction: QuarantineReadActions, Resource: []string{"*"},
			Condition: map[string]map[string]any{
				"ArnNotLike": {"aws:PrincipalARN": []string{r.arn(r.Access), r.arn(r.Deploy)}},
			},
		},
		iampolicy.Statement{
			Sid: "QuarantineDeployRoleCleansUp", Effect: "Deny", NotAction: readOrCleanup, Resource: []string{"*"},
			Condition: map[string]map[string]any{
				"ArnNotLike": {"aws:PrincipalARN": r.arn(r.Access)},
			},
		},
	)}
}
