package platform_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/tenantctl/tenantctl/internal/iampolicy"
	"github.com/tenantctl/tenantctl/internal/testutil/scpeval"
	"github.com/tenantctl/tenantctl/models/platform"
)

// deployed is the document as Organizations receives it: its JSON, read back.
func deployed(t *testing.T, d iampolicy.Document) iampolicy.Document {
	t.Helper()
	text, err := d.JSON()
	if err != nil {
		t.Fatal(err)
	}
	if len(text) > platform.MaxSCPSize {
		t.Errorf("SCP is %d characters, more than Organizations' %d", len(text), platform.MaxSCPSize)
	}
	out, err := iampolicy.Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

const acct = "222233334444"

var (
	roles       = platform.Roles{Partition: "aws", Deploy: "TenantctlDeploy", Access: "OrganizationAccountAccessRole"}
	tenantRole  = "arn:aws:iam::" + acct + ":role/saas-acme-corp-task"
	tenantUser  = "arn:aws:iam::" + acct + ":user/alice"
	deployRole  = "arn:aws:iam::" + acct + ":role/TenantctlDeploy"
	accessRole  = "arn:aws:iam::" + acct + ":role/OrganizationAccountAccessRole"
	anyResource = "*"
)

type evalCase struct {
	principal, action, resource string
	deniedBy                    string // "" when allowed
}

func evaluate(t *testing.T, d iampolicy.Document, cases []evalCase) {
	t.Helper()
	for _, c := range cases {
		got := scpeval.DeniedBy(t, d, scpeval.Request{Principal: c.principal, Action: c.action, Resource: c.resource})
		if got != c.deniedBy {
			who := c.principal[strings.LastIndex(c.principal, "/")+1:]
			if c.deniedBy == "" {
				t.Errorf("%s %s on %s: denied by %s, want allowed", who, c.action, c.resource, got)
			} else {
				t.Errorf("%s %s on %s: denied by %q, want denied by %s", who, c.action, c.resource, got, c.deniedBy)
			}
		}
	}
}

// TestSuspendedSCPQuarantines: in a suspended account a tenant principal can
// only read, the deploy role can read and clean up (destroy the tenant's
// stack) but not create or run anything, and the access role the lifecycle
// acts through is not quarantined. The guard rails still hold for everyone.
func TestSuspendedSCPQuarantines(t *testing.T) {
	d := deployed(t, platform.SuspendedSCP(roles))
	const readOnly, cleanupOnly = "QuarantineReadOnly", "QuarantineDeployRoleCleansUp"
	tenantRoleArn := "arn:aws:iam::" + acct + ":role/saas-acme-corp-exec"
	evaluate(t, d, []evalCase{
		// A tenant principal: reads only.
		{tenantRole, "s3:PutObject", "arn:aws:s3:::acme-data/report.csv", readOnly},
		{tenantRole, "ec2:RunInstances", anyResource, readOnly},
		{tenantUser, "ec2:RunInstances", anyResource, readOnly},
		{tenantRole, "ec2:DescribeInstances", anyResource, ""},
		{tenantRole, "s3:GetObject", "arn:aws:s3:::acme-data/report.csv", ""},
		{tenantRole, "dynamodb:PutItem", anyResource, readOnly},
		{tenantRole, "ec2:TerminateInstances", anyResource, readOnly},
		{tenantRole, "iam:DeleteRole", tenantRoleArn, readOnly},
		{tenantRole, "iam:CreateAccessKey", anyResource, readOnly},
		{tenantRole, "sts:AssumeRole", deployRole, readOnly},
		// The deploy role: reads and the cleanup a destroy needs.
		{deployRole, "ec2:TerminateInstances", anyResource, ""},
		{deployRole, "iam:DeleteRole", tenantRoleArn, ""},
		{deployRole, "ec2:DeleteVpc", anyResource, ""},
		{deployRole, "ec2:ReleaseAddress", anyResource, ""},
		{deployRole, "ecs:UpdateService", anyResource, ""},
		{deployRole, "ecs:DeleteService", anyResource, ""},
		{deployRole, "budgets:ModifyBudget", anyResource, ""},
		{deployRole, "sts:GetCallerIdentity", anyResource, ""},
		{deployRole, "ec2:DescribeNatGateways", anyResource, ""},
		{deployRole, "ec2:RunInstances", anyResource, cleanupOnly},
		{deployRole, "ecs:CreateService", anyResource, cleanupOnly},
		{deployRole, "ecs:RunTask", anyResource, cleanupOnly},
		{deployRole, "s3:PutObject", "arn:aws:s3:::acme-data/x", cleanupOnly},
		{deployRole, "iam:CreateUser", anyResource, cleanupOnly},
		{deployRole, "iam:PutRolePolicy", tenantRoleArn, cleanupOnly},
		{deployRole, "dynamodb:UpdateTable", anyResource, cleanupOnly},
		// ... but never its own role, the access role, the trail or the organization.
		{deployRole, "iam:DeleteRole", deployRole, "ProtectDeployRole"},
		{deployRole, "iam:DeleteRolePermissionsBoundary", deployRole, "ProtectDeployRole"},
		{deployRole, "iam:DeleteRole", accessRole, "ProtectAccessRole"},
		{deployRole, "iam:DetachRolePolicy", accessRole, "ProtectAccessRole"},
		{deployRole, "cloudtrail:DeleteTrail", anyResource, "KeepAuditTrail"},
		{deployRole, "organizations:LeaveOrganization", anyResource, "StayInOrganization"},
		// The access role is exempt from the quarantine statements.
		{accessRole, "ec2:RunInstances", anyResource, ""},
		{accessRole, "s3:PutObject", "arn:aws:s3:::acme-data/x", ""},
		{accessRole, "iam:CreateRole", anyResource, ""},
		{accessRole, "iam:UpdateAssumeRolePolicy", deployRole, ""},
		{accessRole, "iam:PutRolePolicy", accessRole, ""},
		{accessRole, "organizations:LeaveOrganization", anyResource, "StayInOrganization"},
	})
}

// TestWorkloadSCPProtectsDeployAndAccessRoles: active accounts are not
// quarantined, but no principal other than the access role changes or removes
// the deploy role or the access role itself.
func TestWorkloadSCPProtectsDeployAndAccessRoles(t *testing.T) {
	d := deployed(t, platform.WorkloadSCP(roles))
	evaluate(t, d, []evalCase{
		{tenantRole, "ec2:RunInstances", anyResource, ""},
		{tenantRole, "s3:PutObject", "arn:aws:s3:::acme-data/x", ""},
		{tenantRole, "iam:DeleteRole", tenantRole, ""},
		{tenantRole, "iam:DeleteRole", deployRole, "ProtectDeployRole"},
		{deployRole, "iam:UpdateAssumeRolePolicy", deployRole, "ProtectDeployRole"},
		{deployRole, "iam:PutRolePermissionsBoundary", deployRole, "ProtectDeployRole"},
		{tenantRole, "iam:DeleteRole", accessRole, "ProtectAccessRole"},
		{deployRole, "iam:UpdateAssumeRolePolicy", accessRole, "ProtectAccessRole"},
		{tenantUser, "iam:AttachRolePolicy", accessRole, "ProtectAccessRole"},
		{accessRole, "iam:UpdateAssumeRolePolicy", deployRole, ""},
		{accessRole, "iam:PutRolePolicy", accessRole, ""},
		{deployRole, "cloudtrail:StopLogging", anyResource, "KeepAuditTrail"},
		{accessRole, "organizations:LeaveOrganization", anyResource, "StayInOrganization"},
	})
}

// TestSCPsUseTheOrganizationsPartition: every ARN the SCPs hold is in the
// partition they are given, none in the commercial one by accident.
func TestSCPsUseTheOrganizationsPartition(t *testing.T) {
	for _, partition := range []string{"aws", "aws-cn", "aws-us-gov"} {
		r := roles
		r.Partition = partition
		for name, d := range map[string]iampolicy.Document{"workload": platform.WorkloadSCP(r), "suspended": platform.SuspendedSCP(r)} {
			text, _ := d.JSON()
			arns := regexp.MustCompile(`arn:[^:"]*:`).FindAllString(text, -1)
			if len(arns) == 0 {
				t.Fatalf("%s: no ARN in %s", name, text)
			}
			for _, a := range arns {
				if a != "arn:"+partition+":" {
					t.Errorf("%s SCP for partition %s holds %s", name, partition, a)
				}
			}
			// The roles of that partition are protected, for real.
			deploy := fmt.Sprintf("arn:%s:iam::%s:role/TenantctlDeploy", partition, acct)
			access := fmt.Sprintf("arn:%s:iam::%s:role/OrganizationAccountAccessRole", partition, acct)
			other := fmt.Sprintf("arn:%s:iam::%s:role/other", partition, acct)
			evaluate(t, deployed(t, d), []evalCase{
				{other, "iam:DeleteRole", deploy, "ProtectDeployRole"},
				{other, "iam:DeleteRole", access, "ProtectAccessRole"},
				{access, "iam:DeleteRole", deploy, ""},
			})
		}
	}
}
