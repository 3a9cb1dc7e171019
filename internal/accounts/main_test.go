package accounts

import (
	"context"
	"fmt"
	"os"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/servicequotas"
	sqtypes "github.com/aws/aws-sdk-go-v2/service/servicequotas/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"
	"github.com/tenantctl/tenantctl/internal/awscfg"
	"github.com/tenantctl/tenantctl/internal/emulator/gaps"
	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/internal/testutil/moto"
)

func TestMain(m *testing.M) { os.Exit(moto.Main(m)) }

// What moto 5.2.1 does and does not do, found by trying it (the tests below
// rely on the first list and test our side of the second without it):
//   - CreateAccount needs CreateOrganization first; it answers SUCCEEDED at
//     once (AWS answers IN_PROGRESS for minutes): the poll loop is tested
//     through a middleware that plays IN_PROGRESS → SUCCEEDED/FAILED.
//   - CreateAccount's Tags, TagResource, UntagResource, ListTagsForResource,
//     ListParents, MoveAccount and ListAccountsForParent work; MoveAccount does
//     not check SourceParentId.
//   - AssumeRole into a member account works and IAM calls with those
//     credentials land in that account; the access role exists there.
//   - Trust policies are stored but never enforced: AssumeRole succeeds with
//     any external id or none, so the tests read back the trust policy we
//     wrote and check it requires sts:ExternalId and names only the
//     deployment account.
//   - Service Quotas knows GetServiceQuota for the vpc service only;
//     RequestServiceQuotaIncrease is not implemented (HTTP 500): fakeQuotas
//     answers it and records the requests.

const (
	testSecret     = "fleet-secret-0123456789abcdef-0123456789"
	deploymentAcct = "111122223333"
	ouWorkload     = "Workload"
	ouSuspended    = "Suspended"
)

// testSettings is a fleet.yaml for the tests: enterprise keeps 2 accounts with
// one quota below its target (VPCs per Region, 5 in moto) and one above
// (rules per security group, 60).
func testSettings() *spec.Settings {
	return &spec.Settings{
		PlatformRegion: "us-east-1",
		Organization: spec.Organization{
			WorkloadOU: ouWorkload, SuspendedOU: ouSuspended, AccountQuota: 500,
			AccountEmail: "aws+{name}@example.com", AccountName: "tenant-{tier}-{seq}",
			AccessRoleName: spec.DefaultAccessRoleName, DeployRoleName: "TenantctlDeploy",
			PreviewRoleName:     spec.DefaultPreviewRoleName,
			DeploymentAccountID: deploymentAcct,
		},
		Tiers: map[string]*spec.Tier{
			"enterprise": {Rank: 3, AccountPool: spec.AccountPool{Target: 2, ServiceQuotas: []spec.QuotaTarget{
				{ServiceCode: "vpc", QuotaCode: "L-F678F1CE", Value: 10},
				{ServiceCode: "vpc", QuotaCode: "L-0EA8095F", Value: 50},
			}}},
			"premium": {Rank: 2, AccountPool: spec.AccountPool{Target: 1}},
			"free":    {Rank: 0},
		},
	}
}

// accountTenant is an account-model tenant drawing from the enterprise pool.
func accountTenant(id string) *spec.Tenant {
	return &spec.Tenant{ID: id, Tier: "enterprise", Model: spec.ModelAccount, Account: &spec.AccountSpec{Pool: "enterprise"}, Source: spec.Source{File: "tenants/" + id + ".yaml"}}
}

// org is an emulated organization with the lifecycle's OUs.
type org struct {
	t           testing.TB
	cfg         aws.Config
	client      *organizations.Client
	rootID      string
	workloadID  string
	suspendedID string
	quotas      *fakeQuotas
}

// newOrg resets moto and creates the organization and its two OUs.
func newOrg(t testing.TB) *org {
	t.Helper()
	moto.Shared(t).Seed(t, 42)
	ctx := context.Background()
	cfg, err := awscfg.Load(ctx, awscfg.Options{})
	if err != nil {
		t.Fatal(err)
	}
	o := &org{t: t, cfg: cfg, client: organizations.NewFromConfig(cfg), quotas: &fakeQuotas{}}
	if _, err := o.client.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}); err != nil {
		t.Fatal(err)
	}
	roots, err := o.client.ListRoots(ctx, &organizations.ListRootsInput{})
	if err != nil {
		t.Fatal(err)
	}
	o.rootID = aws.ToString(roots.Roots[0].Id)
	o.workloadID = o.createOU(ouWorkload)
	o.suspendedID = o.createOU(ouSuspended)
	return o
}

func (o *org) createOU(name string) string {
	o.t.Helper()
	out, err := o.client.CreateOrganizationalUnit(context.Background(), &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(o.rootID), Name: aws.String(name)})
	if err != nil {
		o.t.Fatal(err)
	}
	return aws.ToString(out.OrganizationalUnit.Id)
}

// manager returns a Manager on the organization with test timings; each call
// is a separate Manager, like a separate process.
func (o *org) manager(s *spec.Settings, change ...func(*Options)) *Manager {
	o.t.Helper()
	opts := Options{
		ExternalIDSecret: []byte(testSecret),
		Poll:             Backoff{Initial: time.Millisecond, Max: 5 * time.Millisecond, Timeout: 10 * time.Second},
		ClaimSettle:      5 * time.Millisecond,
		QuotaOptions:     []func(*servicequotas.Options){o.quotas.option},
		Gaps:             gaps.Set{gaps.AWSManagedPolicies: {}},
	}
	for _, c := range change {
		c(&opts)
	}
	m, err := New(o.cfg, s, opts)
	if err != nil {
		o.t.Fatal(err)
	}
	return m
}

// tags reads an account's tags straight from the emulator.
func (o *org) tags(accountID string) map[string]string {
	o.t.Helper()
	out, err := o.client.ListTagsForResource(context.Background(), &organizations.ListTagsForResourceInput{ResourceId: aws.String(accountID)})
	if err != nil {
		o.t.Fatal(err)
	}
	m := map[string]string{}
	for _, tg := range out.Tags {
		m[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	return m
}

func (o *org) setTags(accountID string, kv ...string) {
	o.t.Helper()
	in := &organizations.TagResourceInput{ResourceId: aws.String(accountID)}
	for i := 0; i < len(kv); i += 2 {
		in.Tags = append(in.Tags, orgtypes.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	if _, err := o.client.TagResource(context.Background(), in); err != nil {
		o.t.Fatal(err)
	}
}

func (o *org) parent(accountID string) string {
	o.t.Helper()
	out, err := o.client.ListParents(context.Background(), &organizations.ListParentsInput{ChildId: aws.String(accountID)})
	if err != nil {
		o.t.Fatal(err)
	}
	return aws.ToString(out.Parents[0].Id)
}

func (o *org) move(accountID, from, to string) {
	o.t.Helper()
	if _, err := o.client.MoveAccount(context.Background(), &organizations.MoveAccountInput{AccountId: aws.String(accountID), SourceParentId: aws.String(from), DestinationParentId: aws.String(to)}); err != nil {
		o.t.Fatal(err)
	}
}

// rawAccount creates an account the way someone outside tenantctl would, in
// the root, with the tags given.
func (o *org) rawAccount(name string, kv ...string) string {
	o.t.Helper()
	in := &organizations.CreateAccountInput{AccountName: aws.String(name), Email: aws.String(name + "@example.com")}
	for i := 0; i < len(kv); i += 2 {
		in.Tags = append(in.Tags, orgtypes.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	out, err := o.client.CreateAccount(context.Background(), in)
	if err != nil {
		o.t.Fatal(err)
	}
	return aws.ToString(out.CreateAccountStatus.AccountId)
}

// snapshot is every account's tags and parent, to prove a refused command
// changed nothing.
func (o *org) snapshot() string {
	o.t.Helper()
	out, err := o.client.ListAccounts(context.Background(), &organizations.ListAccountsInput{})
	if err != nil {
		o.t.Fatal(err)
	}
	var lines []string
	for _, a := range out.Accounts {
		id := aws.ToString(a.Id)
		tags := o.tags(id)
		keys := make([]string, 0, len(tags))
		for k := range tags {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		line := id + " " + o.parent(id)
		for _, k := range keys {
			line += " " + k + "=" + tags[k]
		}
		lines = append(lines, line)
	}
	sort.Strings(lines)
	return fmt.Sprint(lines)
}

// memberIAM is an IAM client in the account, through its access role.
func (o *org) memberIAM(accountID string) *iam.Client {
	o.t.Helper()
	ctx := context.Background()
	out, err := sts.NewFromConfig(o.cfg).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn:         aws.String("arn:aws:iam::" + accountID + ":role/" + spec.DefaultAccessRoleName),
		RoleSessionName: aws.String("tenantctl-test"),
	})
	if err != nil {
		o.t.Fatal(err)
	}
	c := out.Credentials
	cfg := o.cfg.Copy()
	cfg.Credentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: *c.AccessKeyId, SecretAccessKey: *c.SecretAccessKey, SessionToken: *c.SessionToken}, nil
	})
	return iam.NewFromConfig(cfg)
}

// fakeQuotas answers RequestServiceQuotaIncrease, which moto does not
// implement, and records each request; every other Service Quotas call goes
// to moto.
type fakeQuotas struct {
	mu       sync.Mutex
	requests []string
	pending  bool // answer ResourceAlreadyExistsException, as AWS does for a pending request
}

func (f *fakeQuotas) option(o *servicequotas.Options) {
	o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
		return s.Initialize.Add(middleware.InitializeMiddlewareFunc("fakeRequestServiceQuotaIncrease",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				req, ok := in.Parameters.(*servicequotas.RequestServiceQuotaIncreaseInput)
				if !ok || awsmiddleware.GetOperationName(ctx) != "RequestServiceQuotaIncrease" {
					return next.HandleInitialize(ctx, in)
				}
				f.mu.Lock()
				defer f.mu.Unlock()
				if f.pending {
					return middleware.InitializeOutput{}, middleware.Metadata{}, &sqtypes.ResourceAlreadyExistsException{Message: aws.String("pending")}
				}
				f.requests = append(f.requests, fmt.Sprintf("%s/%s=%g", *req.ServiceCode, *req.QuotaCode, *req.DesiredValue))
				id := fmt.Sprintf("req-%d", len(f.requests))
				return middleware.InitializeOutput{Result: &servicequotas.RequestServiceQuotaIncreaseOutput{
					RequestedQuota: &sqtypes.RequestedServiceQuotaChange{Id: aws.String(id), Status: sqtypes.RequestStatusPending, DesiredValue: req.DesiredValue},
				}}, middleware.Metadata{}, nil
			}), middleware.Before)
	})
}

func (f *fakeQuotas) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.requests)
}

// vend vends n accounts of the tier and fails the test on any error.
func (o *org) vend(m *Manager, tier string, n int) *VendResult {
	o.t.Helper()
	res, err := m.Vend(context.Background(), tier, n)
	if err != nil {
		o.t.Fatal(err)
	}
	return res
}
