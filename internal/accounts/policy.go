package accounts

import (
	"fmt"

	"github.com/tenantctl/tenantctl/internal/iampolicy"
	"github.com/tenantctl/tenantctl/internal/spec"
)

// DeployTrustPolicy is the trust policy of a tenant account's deploy role: only
// the deployment account may assume it, and only with the account's external
// id. Trusting the account root (not a role in it) leaves the choice of who in
// the deployment account may deploy to that account's own IAM policies; the
// external id keeps a confused deputy there (a pipeline deploying tenant A) from
// reaching tenant B's account, since each account's id differs.
func DeployTrustPolicy(partition, deploymentAccountID, externalID string) iampolicy.Document {
	return iampolicy.Document{
		Version: iampolicy.Version,
		Statement: []iampolicy.Statement{{
			Sid:       "DeploymentAccountWithExternalId",
			Effect:    "Allow",
			Principal: map[string]any{"AWS": fmt.Sprintf("arn:%s:iam::%s:root", partition, deploymentAccountID)},
			Action:    []string{"sts:AssumeRole"},
			Condition: map[string]map[string]any{"StringEquals": {"sts:ExternalId": externalID}},
		}},
	}
}

// deployPolicyName is the inline policy of the deploy role.
const deployPolicyName = "tenantctl-deploy"

// DeployPermissions is the deploy role's inline policy. The account is the
// tenant's silo and its stack creates whatever the account model needs
// (network, cluster, IAM roles for its tasks), so the role may do everything,
// except loosen the lifecycle's own hold on the account: it may not change or
// delete itself or the organization's access role, nor take the account out of
// the organization.
func DeployPermissions(partition, accountID, deployRole, accessRole string) iampolicy.Document {
	return iampolicy.Document{
		Version: iampolicy.Version,
		Statement: []iampolicy.Statement{
			{Sid: "TenantWorkload", Effect: "Allow", Action: []string{"*"}, Resource: []string{"*"}},
			{
				Sid:    "ProtectLifecycleRoles",
				Effect: "Deny",
				Action: []string{
					"iam:AttachRolePolicy", "iam:DeleteRole", "iam:DeleteRolePermissionsBoundary",
					"iam:DeleteRolePolicy", "iam:DetachRolePolicy", "iam:PutRolePermissionsBoundary",
					"iam:PutRolePolicy", "iam:TagRole", "iam:UntagRole", "iam:UpdateAssumeRolePolicy", "iam:UpdateRole",
				},
				Resource: []string{
					fmt.Sprintf("arn:%s:iam::%s:role/%s", partition, accountID, deployRole),
					fmt.Sprintf("arn:%s:iam::%s:role/%s", partition, accountID, accessRole),
				},
			},
			{Sid: "StayInTheOrganization", Effect: "Deny", Action: []string{"organizations:LeaveOrganization"}, Resource: []string{"*"}},
		},
	}
}

// BoundaryARN is the ARN of the deploy role's permissions boundary
// (spec.Organization.BoundaryPolicyName) in an account.
func BoundaryARN(partition, accountID string, o *spec.Organization) string {
	return fmt.Sprintf("arn:%s:iam::%s:policy/%s", partition, accountID, o.BoundaryPolicyName())
}

// boundNewRoleActions are the IAM calls that give a role permissions or a new
// trust. Under the boundary they are allowed only on roles that carry the same
// boundary, so the deploy role cannot escape it by minting (or loosening) a
// role without it and assuming that.
var boundNewRoleActions = []string{
	"iam:AttachRolePolicy", "iam:CreateRole", "iam:PutRolePermissionsBoundary",
	"iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy",
}

// DeployBoundary is the permissions boundary of the deploy role, and of every
// role the account model creates with it. A boundary caps what identity
// policies grant, so it holds even if the deploy role's own policy is
// widened. It allows everything but:
//   - IAM users and long-lived credentials of any kind (access keys, console
//     passwords, SSH keys, service-specific credentials, signing certificates):
//     tenant workloads use roles; a user would outlive the stack and its audit;
//   - any Organizations write, above all leaving the organization (which would
//     shed the organization's SCPs);
//   - stopping, deleting or changing CloudTrail trails and AWS Config, the
//     account's audit record;
//   - changing the lifecycle's roles (deploy, preview, access: trust,
//     policies, boundary, deletion) and this policy itself (a new default
//     version would rewrite the boundary);
//   - creating or changing a role that does not carry this boundary, and
//     removing any role's boundary.
func DeployBoundary(partition, accountID string, o spec.Organization) iampolicy.Document {
	arn := BoundaryARN(partition, accountID, &o)
	role := func(name string) string { return fmt.Sprintf("arn:%s:iam::%s:role/%s", partition, accountID, name) }
	return iampolicy.Document{
		Version: iampolicy.Version,
		Statement: []iampolicy.Statement{
			{Sid: "Ceiling", Effect: "Allow", Action: []string{"*"}, Resource: []string{"*"}},
			{
				Sid: "NoUsersOrLongLivedCredentials", Effect: "Deny", Resource: []string{"*"},
				Action: []string{
					"iam:AddUserToGroup", "iam:AttachUserPolicy", "iam:CreateAccessKey", "iam:CreateLoginProfile",
					"iam:CreateServiceSpecificCredential", "iam:CreateUser", "iam:PutUserPolicy",
					"iam:ResetServiceSpecificCredential", "iam:UpdateAccessKey", "iam:UpdateLoginProfile",
					"iam:UpdateSSHPublicKey", "iam:UpdateServiceSpecificCredential", "iam:UploadSSHPublicKey",
					"iam:UploadSigningCertificate",
				},
			},
			{
				Sid: "NoOrganizationsWrites", Effect: "Deny", Resource: []string{"*"},
				Action: []string{
					"organizations:Accept*", "organizations:Attach*", "organizations:Cancel*", "organizations:Close*",
					"organizations:Create*", "organizations:Decline*", "organizations:Delete*", "organizations:Deregister*",
					"organizations:Detach*", "organizations:Disable*", "organizations:Enable*", "organizations:Invite*",
					"organizations:LeaveOrganization", "organizations:Move*", "organizations:Put*", "organizations:Register*",
					"organizations:Remove*", "organizations:Tag*", "organizations:Untag*", "organizations:Update*",
				},
			},
			{
				Sid: "KeepTheAuditRecord", Effect: "Deny", Resource: []string{"*"},
				Action: []string{
					"cloudtrail:Delete*", "cloudtrail:Put*", "cloudtrail:Stop*", "cloudtrail:Update*",
					"config:Delete*", "config:Put*", "config:Stop*", "config:Update*",
				},
			},
			{
				Sid: "ProtectLifecycleRoles", Effect: "Deny",
				Action: []string{
					"iam:AttachRolePolicy", "iam:DeleteRole", "iam:DeleteRolePermissionsBoundary", "iam:DeleteRolePolicy",
					"iam:DetachRolePolicy", "iam:PutRolePermissionsBoundary", "iam:PutRolePolicy", "iam:TagRole",
					"iam:UntagRole", "iam:UpdateAssumeRolePolicy", "iam:UpdateRole", "iam:UpdateRoleDescription",
				},
				Resource: []string{role(o.DeployRoleName), role(o.PreviewRoleName), role(o.AccessRoleName)},
			},
			{
				Sid: "ProtectThisBoundary", Effect: "Deny", Resource: []string{arn},
				Action: []string{
					"iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion",
					"iam:SetDefaultPolicyVersion", "iam:TagPolicy", "iam:UntagPolicy",
				},
			},
			{Sid: "NoBoundaryRemoval", Effect: "Deny", Action: []string{"iam:DeleteRolePermissionsBoundary"}, Resource: []string{"*"}},
			{
				Sid: "OnlyBoundedRoles", Effect: "Deny", Action: boundNewRoleActions, Resource: []string{"*"},
				Condition: map[string]map[string]any{"StringNotEquals": {"iam:PermissionsBoundary": arn}},
			},
		},
	}
}

// readOnlyPolicy is the AWS managed policy the preview role holds.
const readOnlyPolicy = "ReadOnlyAccess"

// previewPolicyName is the preview role's inline policy.
const previewPolicyName = "tenantctl-preview-no-data"

// PreviewPermissions is the preview role's inline policy. ReadOnlyAccess lets
// a preview read every resource's configuration (what `pulumi preview` needs
// to diff), but also the tenant's data: objects, items, secrets, parameters,
// log events, queue messages, function code and images. A preview runs the pull
// request's own code, so those data-plane reads are denied.
func PreviewPermissions() iampolicy.Document {
	return iampolicy.Document{
		Version: iampolicy.Version,
		Statement: []iampolicy.Statement{{
			Sid: "NoTenantData", Effect: "Deny", Resource: []string{"*"},
			Action: []string{
				"athena:GetQueryResults", "cloudwatch:GetMetricData", "codecommit:GetBlob", "codecommit:GetFile",
				"dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:GetRecords", "dynamodb:PartiQLSelect",
				"dynamodb:Query", "dynamodb:Scan", "ec2:GetConsoleOutput", "ec2:GetConsoleScreenshot",
				"ec2:GetPasswordData", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "glacier:GetJobOutput",
				"kinesis:GetRecords", "kms:Decrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*",
				"lambda:GetFunction", "logs:FilterLogEvents", "logs:GetLogEvents", "logs:GetLogRecord",
				"logs:GetQueryResults", "logs:StartLiveTail", "logs:StartQuery", "rds:DownloadCompleteDBLogFile",
				"rds:DownloadDBLogFilePortion", "s3:GetObject*", "secretsmanager:BatchGetSecretValue",
				"secretsmanager:GetSecretValue", "sqs:ReceiveMessage", "ssm:GetParameter*",
			},
		}},
	}
}
