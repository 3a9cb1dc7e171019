package platform

import "github.com/tenantctl/tenantctl/internal/iampolicy"

// WorkloadSCP is the service control policy on the Workload OU.
func WorkloadSCP(deployRole, accessRole string) iampolicy.Document {
	exceptAccess := map[string]map[string]any{
		"ArnNotLike": {"aws:PrincipalARN": "arn:aws:iam::*:role/" + accessRole},
	}
	return iampolicy.Document{
		Version: iampolicy.Version,
		Statement: []iampolicy.Statement{
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
