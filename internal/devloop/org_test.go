package devloop

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/tenantctl/tenantctl/internal/emulator/gaps"
	"github.com/tenantctl/tenantctl/internal/externalid"
	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/internal/testutil/moto"
	"github.com/tenantctl/tenantctl/internal/testutil/samplefleet"
)

var testSecret = []byte("dev-secret-0123456789abcdef-0123456789")

func emulatorConfig(t *testing.T, s *moto.Server) aws.Config {
	t.Helper()
	cfg, dummy, err := EmulatorConfig(context.Background(), s.URL, "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	if dummy {
		t.Fatal("moto.Main sets test credentials in the environment; EmulatorConfig fell back to dummy ones")
	}
	return cfg
}

// createOUs stands in for the platform stack, which creates the lifecycle's OUs.
func createOUs(t *testing.T, org *organizations.Client, root string, names ...string) map[string]string {
	t.Helper()
	ids := map[string]string{}
	for _, n := range names {
		out, err := org.CreateOrganizationalUnit(context.Background(), &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(root), Name: aws.String(n)})
		if err != nil {
			t.Fatal(err)
		}
		ids[n] = aws.ToString(out.OrganizationalUnit.Id)
	}
	return ids
}

func accountTags(t *testing.T, org *organizations.Client, id string) map[string]string {
	t.Helper()
	out, err := org.ListTagsForResource(context.Background(), &organizations.ListTagsForResourceInput{ResourceId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, tg := range out.Tags {
		m[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	return m
}

// dev up's preparation against moto: the organization is created once, the
// accounts wait for the platform's OUs, then the pool-drawn account tenant
// (globex) gets a vended, baselined account assigned and tagged; a second
// run changes nothing.
func TestOrganizationAndAccountPreparation(t *testing.T) {
	s := moto.Shared(t)
	s.Seed(t, 7)
	ctx := context.Background()
	cfg := emulatorConfig(t, s)
	f := samplefleet.Load(t)
	motoGaps, _ := gaps.For(gaps.MotoName)

	root, created, err := EnsureOrganization(ctx, cfg)
	if err != nil || !created || !strings.HasPrefix(root, "r-") {
		t.Fatalf("EnsureOrganization = %q, %v, %v; want a new organization's root", root, created, err)
	}
	again, created, err := EnsureOrganization(ctx, cfg)
	if err != nil || created || again != root {
		t.Fatalf("second EnsureOrganization = %q, %v, %v; want the same root %s, not created", again, created, err, root)
	}

	if _, err := PrepareAccounts(ctx, cfg, f, testSecret, motoGaps); err == nil || !strings.Contains(err.Error(), "the platform stack creates the Workload and Suspended OUs") {
		t.Fatalf("accounts before the platform's OUs: %v", err)
	}
	org := organizations.NewFromConfig(cfg)
	ous := createOUs(t, org, root, "Workload", "Suspended")

	res, err := PrepareAccounts(ctx, cfg, f, testSecret, motoGaps)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Vended) != 1 || res.Vended[0].Tier != "enterprise" || res.Vended[0].Name != "tenant-enterprise-1" || res.Vended[0].Error != "" {
		t.Fatalf("vended %+v, want one enterprise account", res.Vended)
	}
	if len(res.Assigned) != 1 || res.Assigned[0].TenantID != "globex" || res.Assigned[0].Existing || res.Assigned[0].AccountID != res.Vended[0].AccountID {
		t.Fatalf("assigned %+v, want globex on the vended account", res.Assigned)
	}
	if len(res.Gaps) != 1 || res.Gaps[0].ID != gaps.ServiceQuotaIncrease {
		t.Errorf("gaps applied %+v, want %s", res.Gaps, gaps.ServiceQuotaIncrease)
	}
	acct := res.Assigned[0].AccountID
	tags := accountTags(t, org, acct)
	if tags["STATUS"] != "ACTIVE" || tags["TENANT_ID"] != "globex" || tags["TIER"] != "enterprise" || tags["CLAIM_globex"] != "" {
		t.Errorf("account %s tags %v", acct, tags)
	}
	parents, err := org.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String(acct)})
	if err != nil || aws.ToString(parents.Parents[0].Id) != ous["Workload"] {
		t.Errorf("account %s parent %v (%v), want Workload %s", acct, parents, err, ous["Workload"])
	}
	// The deploy role the account model's provider assumes is there, trusting
	// the external id the rollout derives for this account.
	role := memberRole(t, cfg, acct, f.Settings.Organization.DeployRoleName)
	if !strings.Contains(role, externalid.Derive(testSecret, acct)) {
		t.Errorf("deploy role trust policy %s does not require the derived external id", role)
	}

	res2, err := PrepareAccounts(ctx, cfg, f, testSecret, motoGaps)
	if err != nil {
		t.Fatal(err)
	}
	if len(res2.Vended) != 0 || len(res2.Assigned) != 1 || !res2.Assigned[0].Existing || res2.Assigned[0].AccountID != acct {
		t.Errorf("second run: vended %+v assigned %+v; want nothing vended and globex's account kept", res2.Vended, res2.Assigned)
	}
	list, err := org.ListAccounts(ctx, &organizations.ListAccountsInput{})
	if err != nil || len(list.Accounts) != 2 {
		t.Errorf("organization holds %d accounts (%v), want the management account and globex's", len(list.Accounts), err)
	}
}

// Without the gap list, vending runs into what moto lacks: the gap is real.
func TestServiceQuotaGapIsReal(t *testing.T) {
	s := moto.Shared(t)
	ctx := context.Background()
	cfg := emulatorConfig(t, s)
	root, _, err := EnsureOrganization(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	createOUs(t, organizations.NewFromConfig(cfg), root, "Workload", "Suspended")
	// Only the quota gap is left out; without the managed-policy one vending
	// would stop earlier, at the preview role.
	_, err = PrepareAccounts(ctx, cfg, samplefleet.Load(t), testSecret, gaps.Set{gaps.AWSManagedPolicies: {}})
	if err == nil || !strings.Contains(err.Error(), "RequestServiceQuotaIncrease") {
		t.Fatalf("vending with the tiers' service quotas against moto: %v; want a quota failure", err)
	}
}

// A fleet without pool-drawn account tenants needs no organization call.
func TestNoAccountTenantsNoCalls(t *testing.T) {
	f := samplefleet.Load(t)
	for _, tn := range f.Tenants {
		if tn.Model == spec.ModelAccount && tn.Account != nil {
			tn.Account.ID = "210987654321"
		}
	}
	// No organization exists: any call would fail.
	moto.Shared(t)
	res, err := PrepareAccounts(context.Background(), aws.Config{}, f, testSecret, gaps.Set{})
	if err != nil || len(res.Vended)+len(res.Assigned) != 0 {
		t.Errorf("PrepareAccounts = %+v, %v; want nothing done", res, err)
	}
}

// memberRole reads a role's trust policy in a member account through the
// organization's access role.
func memberRole(t *testing.T, cfg aws.Config, account, name string) string {
	t.Helper()
	ctx := context.Background()
	out, err := sts.NewFromConfig(cfg).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + account + ":role/" + spec.DefaultAccessRoleName), RoleSessionName: aws.String("test"),
	})
	if err != nil {
		t.Fatal(err)
	}
	c := out.Credentials
	member := cfg.Copy()
	member.Credentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: *c.AccessKeyId, SecretAccessKey: *c.SecretAccessKey, SessionToken: *c.SessionToken}, nil
	})
	role, err := iam.NewFromConfig(member).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := url.QueryUnescape(aws.ToString(role.Role.AssumeRolePolicyDocument))
	return doc
}
