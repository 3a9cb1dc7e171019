package platform

import "github.com/tenantctl/tenantctl/models/policy"

// WorkloadSCP is the service control policy on the Workload OU.
func WorkloadSCP(deployRole, accessRole string) policy.Document {
	exceptAccess := map[string]map[string]any{
		"ArnNotLike": {"aws:PrincipalARN": "arn:aws:iam::*:role/" + accessRole},
	}
	return policy.Document{
		Version: policy.Version,
		Statement: []policy.Statement{
			{Sid: "StayInOrganization", Effect: "Deny", Action: []string{"organizations:LeaveOrganization"}, Resource: []string{"*"}},
			{Sid: "KeepAuditTrail", Effect: "Deny", Action: []string{"cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "cloudtrail:UpdateTrail"}, Resource: []string{"*"}},
			{
				Sid: "ProtectDeployRole", Effect: "Deny",
				Action: []string{
					"iam:DeleteRole", "iam:UpdateAssumeRolePolicy", "iam:AttachRolePolicy", "iam:DetachRolePolicy",
					"iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:UpdateRole",
				},
				Resource:  []string{"arn:aws:iam::*:role/" + deployRole},
				Condition: exceptAccess,
			},
		},
	}
}
