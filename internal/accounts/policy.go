package accounts

import (
	"fmt"

	"github.com/tenantctl/tenantctl/internal/iampolicy"
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
