package tenantcontext_test

import (
	"context"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/tenantctl/tenantctl/internal/testutil/moto"
	"github.com/tenantctl/tenantctl/models/datarole"
	"github.com/tenantctl/tenantctl/pkg/tenantcontext"
)

func TestMain(m *testing.M) { os.Exit(moto.Main(m)) }

// recordingSTS passes calls through and keeps their inputs.
type recordingSTS struct {
	*sts.Client
	calls []*sts.AssumeRoleInput
}

func (r *recordingSTS) AssumeRole(ctx context.Context, in *sts.AssumeRoleInput, opts ...func(*sts.Options)) (*sts.AssumeRoleOutput, error) {
	r.calls = append(r.calls, in)
	return r.Client.AssumeRole(ctx, in, opts...)
}

// The pooled service assumes the shared data role for tenant acme with the
// session tags TenantId and Tier, gets working credentials, and reuses them
// until shortly before they expire. The emulator does not evaluate the trust
// or the role's tag conditions; models/datarole's tests do.
func TestCredentialsAssumeTheSharedRoleWithSessionTags(t *testing.T) {
	moto.Shared(t)
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion("eu-west-1"))
	if err != nil {
		t.Fatal(err)
	}
	trust, err := datarole.Trust("arn:aws:iam::123456789012:role/pooled-service").JSON()
	if err != nil {
		t.Fatal(err)
	}
	policy, err := datarole.Policy("aws", "arn:aws:dynamodb:eu-west-1:123456789012:table/pool", "pool-objects").JSON()
	if err != nil {
		t.Fatal(err)
	}
	iamc := iam.NewFromConfig(cfg)
	role, err := iamc.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("pooled-data"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := iamc.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("pooled-data"), PolicyName: aws.String("tenant-data"), PolicyDocument: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}

	rec := &recordingSTS{Client: sts.NewFromConfig(cfg)}
	creds := tenantcontext.NewCredentials(rec, aws.ToString(role.Role.Arn))
	acme := tenantcontext.Tenant{ID: "acme", Tier: "gold", Role: tenantcontext.RoleUser}
	c1, err := creds.For(ctx, acme)
	if err != nil {
		t.Fatal(err)
	}
	if c1.AccessKeyID == "" || c1.SessionToken == "" || !c1.Expires.After(time.Now()) {
		t.Fatalf("credentials %+v", c1)
	}
	if len(rec.calls) != 1 {
		t.Fatalf("%d AssumeRole calls", len(rec.calls))
	}
	tags := map[string]string{}
	for _, tag := range rec.calls[0].Tags {
		tags[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	if len(tags) != 2 || tags["TenantId"] != "acme" || tags["Tier"] != "gold" {
		t.Errorf("session tags %v", tags)
	}
	if got := aws.ToString(rec.calls[0].RoleSessionName); got != "tenant-acme" {
		t.Errorf("session name %q", got)
	}

	// The credentials work: the session is the data role's, for acme.
	scoped := sts.NewFromConfig(cfg, func(o *sts.Options) { o.Credentials = creds.Provider(acme) })
	who, err := scoped.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if arn := aws.ToString(who.Arn); arn != "arn:aws:sts::123456789012:assumed-role/pooled-data/tenant-acme" {
		t.Errorf("caller %s", arn)
	}

	// Cached: a second request of acme makes no call; another tenant does.
	if _, err := creds.For(ctx, acme); err != nil {
		t.Fatal(err)
	}
	if _, err := creds.For(ctx, tenantcontext.Tenant{ID: "globex", Tier: "basic"}); err != nil {
		t.Fatal(err)
	}
	if len(rec.calls) != 2 || aws.ToString(rec.calls[1].Tags[0].Value) != "globex" {
		t.Errorf("calls after cache: %d", len(rec.calls))
	}
	// Shortly before expiry, the session is renewed.
	creds.Now = func() time.Time { return c1.Expires.Add(-time.Minute) }
	if _, err := creds.For(ctx, acme); err != nil {
		t.Fatal(err)
	}
	if len(rec.calls) != 3 {
		t.Errorf("credentials near expiry reused: %d calls", len(rec.calls))
	}
	if _, err := creds.For(ctx, tenantcontext.Tenant{Role: tenantcontext.RoleSystemAdmin}); err == nil {
		t.Error("credentials vended without a tenant")
	}
}

// countingSTS answers AssumeRole slowly, counting calls.
type countingSTS struct{ calls atomic.Int32 }

func (c *countingSTS) AssumeRole(context.Context, *sts.AssumeRoleInput, ...func(*sts.Options)) (*sts.AssumeRoleOutput, error) {
	c.calls.Add(1)
	time.Sleep(20 * time.Millisecond)
	return &sts.AssumeRoleOutput{Credentials: &ststypes.Credentials{
		AccessKeyId: aws.String("AKIA"), SecretAccessKey: aws.String("s"), SessionToken: aws.String("t"),
		Expiration: aws.Time(time.Now().Add(time.Hour)),
	}}, nil
}

// Concurrent first requests of a tenant share one AssumeRole.
func TestCredentialsJoinConcurrentRequestsOfATenant(t *testing.T) {
	fake := &countingSTS{}
	creds := tenantcontext.NewCredentials(fake, "arn:aws:iam::123456789012:role/pooled-data")
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := []string{"acme", "globex"}[i%2]
			if _, err := creds.For(context.Background(), tenantcontext.Tenant{ID: id, Tier: "gold"}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := fake.calls.Load(); n != 2 {
		t.Errorf("%d AssumeRole calls for two tenants", n)
	}
}
