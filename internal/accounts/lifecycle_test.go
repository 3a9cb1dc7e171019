package accounts

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/tenantctl/tenantctl/internal/externalid"
	"github.com/tenantctl/tenantctl/internal/iampolicy"
)

func TestLifecycleVendAssignSuspend(t *testing.T) {
	o := newOrg(t)
	ctx := context.Background()
	m := o.manager(testSettings())

	res := o.vend(m, "enterprise", 3)
	if len(res.Accounts) != 3 {
		t.Fatalf("vended %d accounts, want 3", len(res.Accounts))
	}
	for i, v := range res.Accounts {
		wantName := []string{"tenant-enterprise-1", "tenant-enterprise-2", "tenant-enterprise-3"}[i]
		if v.Name != wantName || v.Email != "aws+"+wantName+"@example.com" || v.Status != StatusBaselined || v.Error != "" {
			t.Errorf("account %d = %+v, want %s BASELINED", i, v, wantName)
		}
		tags := o.tags(v.AccountID)
		if tags["STATUS"] != "BASELINED" || tags["TIER"] != "enterprise" || tags["TENANT_ID"] != "" {
			t.Errorf("%s tags = %v", v.Name, tags)
		}
		if tags[TagQuotaRequests] != "vpc/L-F678F1CE=10" {
			t.Errorf("%s QUOTA_REQUESTS = %q, want only the quota below target", v.Name, tags[TagQuotaRequests])
		}
		if p := o.parent(v.AccountID); p != o.workloadID {
			t.Errorf("%s is in %s, want Workload %s", v.Name, p, o.workloadID)
		}
		q := v.Baseline.Quotas
		if len(q) != 2 || q[0].Action != QuotaRequested || q[0].Current != 5 || q[0].Target != 10 || q[0].RequestID == "" ||
			q[1].Action != QuotaSufficient || q[1].Current != 60 {
			t.Errorf("%s quotas = %+v", v.Name, q)
		}
		if v.Baseline.DeployRoleARN != "arn:aws:iam::"+v.AccountID+":role/TenantctlDeploy" {
			t.Errorf("deploy role ARN = %s", v.Baseline.DeployRoleARN)
		}
		// CreateAccount + MoveAccount + TagResource; moto answers SUCCEEDED at once.
		if v.OrgCalls != 3 {
			t.Errorf("%s made %d Organizations calls, want 3", v.Name, v.OrgCalls)
		}
	}
	if o.quotas.count() != 3 {
		t.Errorf("quota increase requests = %d, want 3 (one per account)", o.quotas.count())
	}

	pools, _, err := m.Pools(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []PoolDepth{{Tier: "enterprise", Target: 2, Ready: 3}, {Tier: "premium", Target: 1, Missing: 1}}
	if !equalJSON(pools, want) {
		t.Errorf("pools = %+v, want %+v", pools, want)
	}

	globex := accountTenant("globex")
	got, err := m.Assign(ctx, globex)
	if err != nil {
		t.Fatal(err)
	}
	if got.Existing || got.Pool != "enterprise" {
		t.Errorf("assign = %+v", got)
	}
	tags := o.tags(got.AccountID)
	if tags["STATUS"] != "ACTIVE" || tags["TENANT_ID"] != "globex" || tags["CLAIM_globex"] != "" {
		t.Errorf("assigned account tags = %v", tags)
	}
	again, err := m.Assign(ctx, globex)
	if err != nil {
		t.Fatal(err)
	}
	if again.AccountID != got.AccountID || !again.Existing {
		t.Errorf("second assign = %+v, want the same account %s, existing", again, got.AccountID)
	}
	if id, err := ResolveTenantAccount(ctx, o.cfg, testSettings(), "globex"); err != nil || id != got.AccountID {
		t.Errorf("ResolveTenantAccount = %q, %v; want %s", id, err, got.AccountID)
	}

	susp, err := m.Suspend(ctx, "globex")
	if err != nil {
		t.Fatal(err)
	}
	if susp.ID != got.AccountID || o.tags(got.AccountID)["STATUS"] != "SUSPENDING" || o.parent(got.AccountID) != o.suspendedID {
		t.Errorf("after suspend: %s STATUS=%s parent=%s", susp.ID, o.tags(got.AccountID)["STATUS"], o.parent(got.AccountID))
	}
	// The destroy runs in the SUSPENDING account: the resolver still finds it.
	if id, err := m.TenantAccount(ctx, "globex"); err != nil || id != got.AccountID {
		t.Errorf("TenantAccount while SUSPENDING = %q, %v", id, err)
	}
	if again, err := m.Suspend(ctx, "globex"); err != nil || again.ID != got.AccountID {
		t.Errorf("second suspend = %v, %v; want the same account", again, err)
	}
	done, err := m.FinishSuspend(ctx, "globex")
	if err != nil {
		t.Fatal(err)
	}
	if len(done) != 1 || o.tags(got.AccountID)["STATUS"] != "SUSPENDED" || o.tags(got.AccountID)["TENANT_ID"] != "globex" {
		t.Errorf("after finish: %v tags %v", done, o.tags(got.AccountID))
	}
	if _, err := m.TenantAccount(ctx, "globex"); !errors.Is(err, ErrNoAccount) {
		t.Errorf("TenantAccount after SUSPENDED: %v, want ErrNoAccount", err)
	}

	// A suspended tenant gets no second account (issue 11: it used to get a
	// fresh one, leaving the tenant with two).
	if _, err := m.Assign(ctx, globex); err == nil || !strings.Contains(err.Error(), "gets no second account") {
		t.Errorf("re-assign after suspension: %v, want a refusal", err)
	}
	inv, err := m.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if p := inv.Problems(); len(p) != 0 {
		t.Errorf("problems after a clean lifecycle: %v", p)
	}
	if inv.OrgAccounts != 4 || len(inv.Accounts) != 3 {
		t.Errorf("org accounts %d (want 4 with the management account), lifecycle accounts %d (want 3)", inv.OrgAccounts, len(inv.Accounts))
	}

	// Vending again numbers on.
	res = o.vend(m, "enterprise", 1)
	if res.Accounts[0].Name != "tenant-enterprise-4" {
		t.Errorf("next account name = %s, want tenant-enterprise-4", res.Accounts[0].Name)
	}
}

// moto accepts any external id, so the trust policy itself is checked: it
// must name only the deployment account and require this account's id.
func TestDeployRoleTrustsOnlyTheDeploymentAccountWithExternalID(t *testing.T) {
	o := newOrg(t)
	ctx := context.Background()
	res, err := o.manager(testSettings()).Vend(ctx, "enterprise", 2)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, v := range res.Accounts {
		client := o.memberIAM(v.AccountID)
		role, err := client.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("TenantctlDeploy")})
		if err != nil {
			t.Fatal(err)
		}
		doc := decodePolicy(t, aws.ToString(role.Role.AssumeRolePolicyDocument))
		if len(doc.Statement) != 1 {
			t.Fatalf("trust policy has %d statements, want 1: %+v", len(doc.Statement), doc)
		}
		st := doc.Statement[0]
		if st.Effect != "Allow" || len(st.Principal) != 1 || st.Principal["AWS"] != "arn:aws:iam::"+deploymentAcct+":root" {
			t.Errorf("trust principal = %v %v, want only the deployment account", st.Effect, st.Principal)
		}
		if len(st.Action) != 1 || st.Action[0] != "sts:AssumeRole" {
			t.Errorf("trust actions = %v", st.Action)
		}
		ext, _ := st.Condition["StringEquals"]["sts:ExternalId"].(string)
		if ext != externalid.Derive([]byte(testSecret), v.AccountID) || len(st.Condition) != 1 {
			t.Errorf("condition = %v, want StringEquals sts:ExternalId = the derived id", st.Condition)
		}
		if seen[ext] {
			t.Errorf("two accounts share the external id %s", ext)
		}
		seen[ext] = true

		pol, err := client.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String("TenantctlDeploy"), PolicyName: aws.String(deployPolicyName)})
		if err != nil {
			t.Fatal(err)
		}
		perms := decodePolicy(t, aws.ToString(pol.PolicyDocument))
		if len(perms.Statement) != 3 || perms.Statement[1].Effect != "Deny" ||
			!strings.Contains(strings.Join(perms.Statement[1].Resource, " "), "role/TenantctlDeploy") ||
			!strings.Contains(strings.Join(perms.Statement[1].Action, " "), "iam:UpdateAssumeRolePolicy") {
			t.Errorf("deploy permissions = %+v", perms)
		}
	}
}

// A second baseline (a resumed vend) resets a loosened trust policy.
func TestBaselineRepairsALoosenedTrustPolicy(t *testing.T) {
	o := newOrg(t)
	ctx := context.Background()
	m := o.manager(testSettings())
	res := o.vend(m, "enterprise", 1)
	id := res.Accounts[0].AccountID
	client := o.memberIAM(id)
	loose := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}`
	if _, err := client.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("TenantctlDeploy"), PolicyDocument: aws.String(loose)}); err != nil {
		t.Fatal(err)
	}
	l, err := m.orgLayout(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.baseline(ctx, l, id, "enterprise"); err != nil {
		t.Fatal(err)
	}
	role, err := client.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("TenantctlDeploy")})
	if err != nil {
		t.Fatal(err)
	}
	doc := decodePolicy(t, aws.ToString(role.Role.AssumeRolePolicyDocument))
	if doc.Statement[0].Principal["AWS"] != "arn:aws:iam::"+deploymentAcct+":root" {
		t.Errorf("trust after re-baseline = %+v", doc)
	}
}

func TestVendRefusesWithoutTheSecret(t *testing.T) {
	o := newOrg(t)
	m := o.manager(testSettings(), func(opt *Options) { opt.ExternalIDSecret = nil })
	before := o.snapshot()
	_, err := m.Vend(context.Background(), "enterprise", 1)
	if err == nil || !strings.Contains(err.Error(), "TENANTCTL_EXTERNAL_ID_SECRET") {
		t.Fatalf("error = %v, want it to name TENANTCTL_EXTERNAL_ID_SECRET", err)
	}
	if _, err := m.TopUp(context.Background()); err == nil || !strings.Contains(err.Error(), "TENANTCTL_EXTERNAL_ID_SECRET") {
		t.Fatalf("top-up error = %v", err)
	}
	if after := o.snapshot(); after != before {
		t.Errorf("a refused vend changed the organization:\n%s\n%s", before, after)
	}
}

func TestVendRefusesBeyondTheAccountQuota(t *testing.T) {
	o := newOrg(t)
	s := testSettings()
	s.Organization.AccountQuota = 3
	_, err := o.manager(s).Vend(context.Background(), "enterprise", 3)
	if err == nil || !strings.Contains(err.Error(), "the organization has 1 of its 3 accounts; 3 more would exceed the quota") {
		t.Fatalf("error = %v", err)
	}
}

func TestQuotaWarningFromEightyPercent(t *testing.T) {
	o := newOrg(t)
	s := testSettings()
	s.Organization.AccountQuota = 5
	m := o.manager(s)
	if _, err := m.Vend(context.Background(), "premium", 3); err != nil {
		t.Fatal(err)
	}
	inv, err := m.Inventory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if inv.OrgAccounts != 4 || inv.QuotaUse() != 80 {
		t.Fatalf("use = %d of %d (%d%%), want 4 of 5 (80%%)", inv.OrgAccounts, inv.Quota, inv.QuotaUse())
	}
	if w := inv.QuotaWarning(); !strings.Contains(w, "4 of its 5 accounts (80%)") {
		t.Errorf("warning = %q", w)
	}
	inv.OrgAccounts = 3
	if w := inv.QuotaWarning(); w != "" {
		t.Errorf("warning at 60%% = %q, want none", w)
	}
}

func TestMissingOUsSayHowToCreateThem(t *testing.T) {
	o := newOrg(t)
	s := testSettings()
	s.Organization.WorkloadOU = "Tenants"
	s.Organization.SuspendedOU = "Closed"
	_, err := o.manager(s).Inventory(context.Background())
	if err == nil {
		t.Fatal("no error for missing OUs")
	}
	for _, want := range []string{`organizational unit "Tenants" (organization.workloadOu) and "Closed" (organization.suspendedOu) not found`, "platform stack creates", "aws organizations create-organizational-unit --parent-id " + o.rootID} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestOUsAreFoundBelowTheRoot(t *testing.T) {
	o := newOrg(t)
	ctx := context.Background()
	// A nested layout: root / Tenants / Live and root / Tenants / Gone.
	parent := o.createOU("Tenants")
	var live string
	for _, name := range []string{"Live", "Gone"} {
		created, err := o.client.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(parent), Name: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		if name == "Live" {
			live = aws.ToString(created.OrganizationalUnit.Id)
		}
	}
	s := testSettings()
	s.Organization.WorkloadOU, s.Organization.SuspendedOU = "Live", "Gone"
	m := o.manager(s)
	res := o.vend(m, "premium", 1)
	if p := o.parent(res.Accounts[0].AccountID); p != live {
		t.Errorf("vended into %s, want the nested OU Live %s", p, live)
	}
	inv, err := m.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if inv.Accounts[0].OU != "Live" {
		t.Errorf("OU shown = %q, want Live", inv.Accounts[0].OU)
	}
}

func decodePolicy(t *testing.T, doc string) iampolicy.Document {
	t.Helper()
	if unescaped, err := url.QueryUnescape(doc); err == nil {
		doc = unescaped // IAM returns documents URL-encoded
	}
	d, err := iampolicy.Parse(doc)
	if err != nil {
		t.Fatalf("policy %s: %v", doc, err)
	}
	return d
}

func equalJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}
