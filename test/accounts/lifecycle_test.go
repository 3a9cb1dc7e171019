// Package accounts_test runs the account lifecycle end to end: the tenantctl
// binary, built from this checkout, against moto_server, on a copy of the
// sample fleet in tenants/.
package accounts_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/gruntwork-io/terratest/modules/retry"
	"github.com/tenantctl/tenantctl/internal/awscfg"
	"github.com/tenantctl/tenantctl/internal/externalid"
	"github.com/tenantctl/tenantctl/internal/testutil/moto"
)

func TestMain(m *testing.M) { os.Exit(moto.Main(m)) }

const secret = "e2e-fleet-secret-0123456789abcdef-0123"

// result is one run of the binary.
type result struct {
	stdout, stderr string
	code           int
}

type cli struct {
	t   *testing.T
	bin string
	dir string
	env []string
}

func (c *cli) run(args ...string) result {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.bin, append([]string{"--dir", c.dir}, args...)...)
	cmd.Env = c.env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil:
		c.t.Fatalf("running tenantctl %v: %v", args, err)
	}
	return r
}

// ok runs the command, expects exit 0 and returns its stdout.
func (c *cli) ok(args ...string) string {
	c.t.Helper()
	r := c.run(args...)
	if r.code != 0 {
		c.t.Fatalf("tenantctl %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

// fails runs the command and expects the exit code and a message on stderr.
func (c *cli) fails(code int, want string, args ...string) {
	c.t.Helper()
	r := c.run(args...)
	if r.code != code || !strings.Contains(r.stderr, want) {
		c.t.Fatalf("tenantctl %s: exit %d, stderr %q; want exit %d and %q", strings.Join(args, " "), r.code, r.stderr, code, want)
	}
}

func TestAccountLifecycleEndToEnd(t *testing.T) {
	s := moto.Shared(t)
	s.Seed(t, 7)
	org := newOrganization(t)
	c := &cli{t: t, bin: buildTenantctl(t), dir: sampleFleet(t, "e2e-1", "e2e-2", "e2e-3")}
	c.env = append(os.Environ(), "TENANTCTL_EXTERNAL_ID_SECRET=")

	c.fails(2, "--count must be a positive number", "accounts", "vend")
	c.fails(1, "TENANTCTL_EXTERNAL_ID_SECRET is not set", "accounts", "vend", "--count", "1")
	c.env = append(os.Environ(), "TENANTCTL_EXTERNAL_ID_SECRET="+secret)

	out := c.ok("accounts", "vend", "--count", "2", "--tier", "enterprise")
	if !strings.Contains(out, "2 of 2 accounts BASELINED") || !strings.Contains(out, "tenant-enterprise-2") {
		t.Fatalf("vend output:\n%s", out)
	}

	out = c.ok("accounts", "assign", "globex")
	if !strings.Contains(out, "tenant globex assigned account ") {
		t.Fatalf("assign output: %s", out)
	}
	globex := strings.Fields(strings.TrimPrefix(out, "tenant globex assigned account "))[0]
	if again := c.ok("accounts", "assign", "globex"); !strings.Contains(again, "tenant globex already has account "+globex) {
		t.Fatalf("second assign: %s", again)
	}

	// The external id a pipeline stores for `pulumi up` is the one the deploy
	// role of the assigned account requires.
	if got := strings.TrimSpace(c.ok("accounts", "external-id", "globex")); got != externalid.Derive([]byte(secret), globex) {
		t.Errorf("external-id globex = %q, want the id derived for account %s", got, globex)
	}
	if got := strings.TrimSpace(c.ok("accounts", "external-id", "acme-corp")); got != externalid.Derive([]byte(secret), "210987654321") {
		t.Errorf("external-id acme-corp = %q, want the id derived for its pinned account", got)
	}
	c.fails(1, "tenant initech uses the vpc model", "accounts", "external-id", "initech")

	// One ready account left, target 2: top-up vends one.
	out = c.ok("accounts", "pool", "--top-up")
	if !strings.Contains(out, "tenant-enterprise-3") || !strings.Contains(out, "1 of 1 accounts BASELINED") {
		t.Fatalf("top-up output:\n%s", out)
	}
	var pools struct {
		Pools []struct {
			Tier                   string
			Ready, Target, Missing int
		}
	}
	decode(t, c.ok("accounts", "pool", "-o", "json"), &pools)
	if len(pools.Pools) != 1 || pools.Pools[0].Tier != "enterprise" || pools.Pools[0].Ready != 2 || pools.Pools[0].Missing != 0 {
		t.Fatalf("pools = %+v", pools)
	}

	// Three processes assign at once from a pool of two: two get distinct
	// accounts, one finds the pool empty. A process that loses a race says
	// "run it again"; that is what the retry does.
	var wg sync.WaitGroup
	var mu sync.Mutex
	got := map[string]string{}
	var empty []string
	for _, tenant := range []string{"e2e-1", "e2e-2", "e2e-3"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := retry.DoWithRetryableErrorsE(t, "assign "+tenant, map[string]string{".*lost the race.*": "a concurrent assign took the account", ".*stayed claimed.*": "concurrent assigns still held the accounts"}, 3, 100*time.Millisecond, func() (string, error) {
				r := c.run("accounts", "assign", tenant, "-o", "json")
				if r.code != 0 {
					return r.stdout, errors.New(r.stderr)
				}
				return r.stdout, nil
			})
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if strings.Contains(err.Error(), "no BASELINED account is ready") {
					empty = append(empty, tenant)
					return
				}
				t.Errorf("assign %s: %v", tenant, err)
				return
			}
			var a struct{ AccountID string }
			decode(t, out, &a)
			got[tenant] = a.AccountID
		}()
	}
	wg.Wait()
	seen := map[string]bool{globex: true}
	for tenant, id := range got {
		if seen[id] {
			t.Errorf("account %s handed out twice (to %s)", id, tenant)
		}
		seen[id] = true
	}
	if len(got) != 2 || len(empty) != 1 {
		t.Fatalf("concurrent assigns: %d succeeded %v, %d found the pool empty; want 2 and 1", len(got), got, len(empty))
	}

	c.fails(1, "account.id pins tenant acme-corp to account 210987654321", "accounts", "assign", "acme-corp")
	c.fails(1, `tenant initech uses the "vpc" model`, "accounts", "assign", "initech")
	c.fails(1, `no tenant "nobody"`, "accounts", "assign", "nobody")

	out = c.ok("accounts", "suspend", "globex")
	if !strings.Contains(out, "account "+globex) || !strings.Contains(out, "SUSPENDING in OU Suspended") {
		t.Fatalf("suspend output: %s", out)
	}
	c.ok("accounts", "suspend", "globex", "--finish")

	var list struct {
		Accounts []struct {
			ID, Status, TenantID, OU, Age string
		}
		OrgAccounts, AccountQuota int
		Problems                  []string
	}
	decode(t, c.ok("accounts", "list", "-o", "json"), &list)
	statuses := map[string]string{}
	for _, a := range list.Accounts {
		statuses[a.ID] = a.Status + "/" + a.TenantID + "/" + a.OU
		if a.Age == "" {
			t.Errorf("account %s has no age", a.ID)
		}
	}
	if statuses[globex] != "SUSPENDED/globex/Suspended" {
		t.Errorf("globex's account: %s", statuses[globex])
	}
	for tenant, id := range got {
		if statuses[id] != "ACTIVE/"+tenant+"/Workload" {
			t.Errorf("%s's account: %s", tenant, statuses[id])
		}
	}
	if list.OrgAccounts != 4 || list.AccountQuota != 10 || len(list.Problems) != 0 {
		t.Errorf("list: %d of %d accounts, problems %v", list.OrgAccounts, list.AccountQuota, list.Problems)
	}
	if out := c.ok("accounts", "list", "--status", "suspended"); strings.Count(out, "\n") != 3 || !strings.Contains(out, globex) {
		t.Errorf("list --status suspended:\n%s", out)
	}

	// Close: globex's account is inside its 90 days of retention, then past them.
	if out := c.ok("accounts", "close"); !strings.Contains(out, "kept until") || !strings.Contains(out, "closed 0 account(s)") {
		t.Errorf("close inside the retention:\n%s", out)
	}
	org.tag(globex, "SUSPENDED_AT", time.Now().UTC().Add(-91*24*time.Hour).Format(time.RFC3339))
	var closable struct{ Closable int }
	decode(t, c.ok("accounts", "list", "-o", "json"), &closable)
	if closable.Closable != 1 {
		t.Errorf("list: %d closable, want globex's account", closable.Closable)
	}
	if out := c.ok("accounts", "close", "--dry-run"); !strings.Contains(out, globex) || !strings.Contains(out, "would close 1 account(s)") {
		t.Errorf("close --dry-run:\n%s", out)
	}
	if out := c.ok("accounts", "close"); !strings.Contains(out, "closed 1 account(s)") {
		t.Errorf("close:\n%s", out)
	}
	if out := c.ok("accounts", "close"); !strings.Contains(out, "closed 0 account(s)") {
		t.Errorf("close again:\n%s", out)
	}

	// A bad state: an account in Workload loses its STATUS. list reports it
	// (exit 1) and assign refuses, changing nothing.
	var victim string
	for _, id := range got {
		victim = id
		break
	}
	org.untag(victim, "STATUS")
	r := c.run("accounts", "list")
	if r.code != 1 || !strings.Contains(r.stdout, "1 problem(s)") || !strings.Contains(r.stdout, "account "+victim) || !strings.Contains(r.stdout, "no STATUS tag in OU Workload") {
		t.Fatalf("list with a bad state: exit %d\n%s", r.code, r.stdout)
	}
	// The tenant left without an account is refused a new one; a tenant
	// holding one gets it back (that changes nothing).
	c.fails(1, "assign "+empty[0]+" refused", "accounts", "assign", empty[0])
	for tenant, id := range got {
		if id != victim {
			if out := c.ok("accounts", "assign", tenant); !strings.Contains(out, "already has account "+id) {
				t.Errorf("assign %s with a stray account elsewhere: %s", tenant, out)
			}
		}
	}
}

// organization is the emulated organization with the lifecycle's OUs.
type organization struct {
	t      *testing.T
	client *organizations.Client
}

func newOrganization(t *testing.T) *organization {
	ctx := context.Background()
	cfg, err := awscfg.Load(ctx, awscfg.Options{})
	if err != nil {
		t.Fatal(err)
	}
	o := &organization{t: t, client: organizations.NewFromConfig(cfg)}
	if _, err := o.client.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: types.OrganizationFeatureSetAll}); err != nil {
		t.Fatal(err)
	}
	roots, err := o.client.ListRoots(ctx, &organizations.ListRootsInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Workload", "Suspended"} {
		if _, err := o.client.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: roots.Roots[0].Id, Name: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
	}
	return o
}

func (o *organization) tag(accountID, key, value string) {
	if _, err := o.client.TagResource(context.Background(), &organizations.TagResourceInput{ResourceId: aws.String(accountID), Tags: []types.Tag{{Key: aws.String(key), Value: aws.String(value)}}}); err != nil {
		o.t.Fatal(err)
	}
}

func (o *organization) untag(accountID string, keys ...string) {
	if _, err := o.client.UntagResource(context.Background(), &organizations.UntagResourceInput{ResourceId: aws.String(accountID), TagKeys: keys}); err != nil {
		o.t.Fatal(err)
	}
}

// buildTenantctl builds the binary from this checkout.
func buildTenantctl(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "tenantctl")
	cmd := exec.Command("go", "build", "-o", bin, "./programs/tenantctl")
	cmd.Dir = filepath.Join("..", "..")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// sampleFleet copies tenants/ and adds account-model tenants drawing from the
// enterprise pool. The enterprise pool's service quotas become ones moto
// knows and that already meet their target: moto has no fargate quotas and
// does not implement RequestServiceQuotaIncrease (internal/accounts tests the
// request path with a stand-in).
func sampleFleet(t *testing.T, extra ...string) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join("..", "..", "tenants")
	files, err := filepath.Glob(filepath.Join(src, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no sample fleet in %s: %v", src, err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Base(f) == "fleet.yaml" {
			text := string(data)
			for _, line := range []string{"{serviceCode: vpc, quotaCode: L-F678F1CE, value: 10}", "{serviceCode: fargate, quotaCode: L-3032A538, value: 100}"} {
				if !strings.Contains(text, line) {
					t.Fatalf("tenants/fleet.yaml no longer has the quota %s this test replaces", line)
				}
			}
			text = strings.Replace(text, "{serviceCode: vpc, quotaCode: L-F678F1CE, value: 10}", "{serviceCode: vpc, quotaCode: L-F678F1CE, value: 5}", 1)
			text = strings.Replace(text, "{serviceCode: fargate, quotaCode: L-3032A538, value: 100}", "{serviceCode: vpc, quotaCode: L-0EA8095F, value: 50}", 1)
			data = []byte(text)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for i, id := range extra {
		yaml := fmt.Sprintf("id: %s\nname: End to end %d\ntier: enterprise\ncostCenter: CC-90%02d\nowner: ops@example.com\naccount:\n  pool: enterprise\nnetwork:\n  cidr: 10.%d.0.0/16\n", id, i, i, 120+i)
		if err := os.WriteFile(filepath.Join(dir, id+".yaml"), []byte(yaml), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func decode(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("decoding %q: %v", s, err)
	}
}
