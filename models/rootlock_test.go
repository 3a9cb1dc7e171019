package models_test

import (
	"testing"

	"github.com/tenantctl/tenantctl/internal/iampolicy"
	"github.com/tenantctl/tenantctl/internal/testutil/samplefleet"
	"github.com/tenantctl/tenantctl/internal/testutil/scpeval"
	"github.com/tenantctl/tenantctl/models"
	"github.com/tenantctl/tenantctl/models/platform"
)

// TestRootUsersAreLockedOut: the Workload OU gets, beside its guard rails, a
// policy that denies its accounts' root users everything, whatever the
// action; roles, the lifecycle's and the tenants', are not affected by it.
func TestRootUsersAreLockedOut(t *testing.T) {
	f := samplefleet.Load(t)
	res := mustRun(t, f, models.PlatformStack)
	scp := named(t, res, tSCP, "platform-scp-root-lockdown")
	attach := named(t, res, tSCPAttach, "platform-scp-root-lockdown")
	if str(scp, "type") != "SERVICE_CONTROL_POLICY" || str(attach, "policyId") != mockID(scp.Name) || str(attach, "targetId") != mockID("platform-ou-workload") {
		t.Errorf("root lockdown %v attached %v", scp.Inputs, attach.Inputs)
	}
	d, err := iampolicy.Parse(str(scp, "content"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := statementsJSON(t, d.Statement), statementsJSON(t, platform.RootLockdownSCP("aws").Statement); got != want {
		t.Errorf("root lockdown\n got %s\nwant %s", got, want)
	}
	for _, action := range []string{"s3:GetObject", "iam:CreateAccessKey", "ec2:RunInstances", "organizations:LeaveOrganization", "kms:Decrypt"} {
		if sid := scpeval.DeniedBy(t, d, scpeval.Request{Principal: "arn:aws:iam::345678901234:root", Action: action, Resource: "*"}); sid != "DenyRootUser" {
			t.Errorf("the root user may %s (denied by %q)", action, sid)
		}
		for _, role := range []string{"arn:aws:iam::345678901234:role/TenantctlDeploy", "arn:aws:iam::345678901234:role/saas-acme-corp-task"} {
			if sid := scpeval.DeniedBy(t, d, scpeval.Request{Principal: role, Action: action, Resource: "*"}); sid != "" {
				t.Errorf("%s may not %s: %s", role, action, sid)
			}
		}
	}
	for _, a := range ofType(res, tSCPAttach) {
		if a != attach && str(a, "policyId") == mockID(scp.Name) {
			t.Errorf("the root lockdown is attached to %s too", str(a, "targetId"))
		}
	}
}
