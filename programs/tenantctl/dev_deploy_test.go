package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/tenantctl/tenantctl/internal/devloop"
	"github.com/tenantctl/tenantctl/internal/naming"
	"github.com/tenantctl/tenantctl/internal/rollout/auto"
	"github.com/tenantctl/tenantctl/internal/spec"
)

// The whole loop for real: dev up deploys the platform and every sample
// tenant to moto_server through the engine and the AWS provider plugin, and
// each model's resources are then read back with aws-sdk-go-v2 in the
// account they belong to, with the tenant's tags; dev down removes them and
// stops the emulator. It needs the AWS provider plugin, which machines
// without internet cannot fetch: there, and only there, it skips, saying so.
func TestDevUpDeploysTheFleet(t *testing.T) {
	pulumiOnPath(t)
	ctx := context.Background()
	plugins := enginePlugins()
	if len(plugins) == 0 {
		t.Fatal("the test binary records no pulumi-aws dependency; enginePlugins cannot name the plugin")
	}
	missing, err := auto.MissingPlugins(ctx, auto.Options{Project: "tenantctl", WorkRoot: t.TempDir(), Backend: "file://" + t.TempDir(), Plugins: plugins})
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) > 0 {
		t.Skipf("SKIPPED: the Pulumi AWS provider plugin %s %s is not installed (pulumi plugin install resource %s %s on a machine with internet); "+
			"the full dev up deploy cannot run here. The dev loop's preparation and commands are tested without it (TestDevUp*, internal/devloop).",
			missing[0].Name, missing[0].Version, missing[0].Name, missing[0].Version)
	}
	for _, k := range []string{"AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "PULUMI_BACKEND_URL"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	t.Setenv("CI", "true")
	dir := project(t)
	devDir := filepath.Join(filepath.Dir(dir), ".tenantctl", "dev")
	t.Cleanup(func() { runCLI(t, "--dir", dir, "dev", "down") })

	out, stderr, code := runCLI(t, "--dir", dir, "dev", "up")
	if code != ExitOK {
		t.Fatalf("dev up: exit %d\n%s\n%s", code, out, stderr)
	}
	rec, alive, err := devloop.Paths{Dir: devDir}.RunningEmulator(ctx)
	if err != nil || !alive {
		t.Fatalf("emulator after dev up: %+v alive=%v %v", rec, alive, err)
	}
	cfg, _, err := devloop.EmulatorConfig(ctx, rec.URL, "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	f, err := spec.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	platformAccount := aws.ToString(id.Account)
	for _, tn := range f.Tenants {
		account := platformAccount
		if tn.Model == spec.ModelAccount {
			account = tenantAccount(t, cfg, f, tn)
		}
		in := inAccount(t, cfg, platformAccount, account, f.Settings.Organization)
		role := naming.RoleExec
		if tn.Model == spec.ModelApplication {
			role = naming.RoleData
		}
		name := naming.Name(f.Settings.NamePrefix, tn.ID, role, naming.MaxIAMRole)
		tags, err := iam.NewFromConfig(in).ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: aws.String(name)})
		if err != nil {
			t.Errorf("%s (%s model): role %s in account %s: %v", tn.ID, tn.Model, name, account, err)
			continue
		}
		got := map[string]string{}
		for _, tg := range tags.Tags {
			got[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
		}
		for k, v := range spec.CostTags(&f.Settings, tn) {
			if got[k] != v {
				t.Errorf("%s: role %s tag %s=%q, want %q", tn.ID, name, k, got[k], v)
			}
		}
		if account != platformAccount {
			// Nothing of a siloed tenant lands in the platform's account.
			if _, err := iam.NewFromConfig(cfg).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)}); err == nil {
				t.Errorf("%s: role %s exists in the platform account %s too", tn.ID, name, platformAccount)
			}
		}
	}
	// The platform's own resources, with the platform's tags.
	stream := naming.Name(f.Settings.NamePrefix, "platform", "metering", 128)
	st, err := kinesis.NewFromConfig(cfg).ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String(stream)})
	if err != nil {
		t.Fatalf("platform metering stream %s: %v", stream, err)
	}
	ptags := map[string]string{}
	for _, tg := range st.Tags {
		ptags[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	if ptags[spec.TagTenantID] != spec.PlatformTenantID || ptags[spec.TagCostPool] != string(spec.ModelApplication) {
		t.Errorf("metering stream tags %v", ptags)
	}

	out, stderr, code = runCLI(t, "--dir", dir, "dev", "up")
	if code != ExitOK || !strings.Contains(out, "moto_server reused") || !strings.Contains(out, "+0 ~0 -0") {
		t.Errorf("second dev up: exit %d\n%s\n%s", code, out, stderr)
	}
	out, stderr, code = runCLI(t, "--dir", dir, "dev", "down")
	if code != ExitOK || !strings.Contains(out, "stopped moto_server") {
		t.Errorf("dev down: exit %d\n%s\n%s", code, out, stderr)
	}
}

// tenantAccount is an account-model tenant's account: its file's, else the
// one the lifecycle tagged TENANT_ID=<tenant>.
func tenantAccount(t *testing.T, cfg aws.Config, f *spec.Fleet, tn *spec.Tenant) string {
	t.Helper()
	if tn.Account != nil && tn.Account.ID != "" {
		return tn.Account.ID
	}
	org := organizations.NewFromConfig(cfg)
	list, err := org.ListAccounts(context.Background(), &organizations.ListAccountsInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range list.Accounts {
		tags, err := org.ListTagsForResource(context.Background(), &organizations.ListTagsForResourceInput{ResourceId: a.Id})
		if err != nil {
			t.Fatal(err)
		}
		for _, tg := range tags.Tags {
			if aws.ToString(tg.Key) == spec.TagAccountTenantID && aws.ToString(tg.Value) == tn.ID {
				return aws.ToString(a.Id)
			}
		}
	}
	t.Fatalf("no account of the organization is tagged %s=%s", spec.TagAccountTenantID, tn.ID)
	return ""
}

// inAccount is the SDK configuration in an account: the platform's as is,
// another through the deploy role, as the account model's provider assumes it.
func inAccount(t *testing.T, cfg aws.Config, platform, account string, o spec.Organization) aws.Config {
	t.Helper()
	if account == platform {
		return cfg
	}
	out, err := sts.NewFromConfig(cfg).AssumeRole(context.Background(), &sts.AssumeRoleInput{
		RoleArn: aws.String(fmt.Sprintf("arn:aws:iam::%s:role/%s", account, o.DeployRoleName)), RoleSessionName: aws.String("tenantctl-test"),
	})
	if err != nil {
		t.Fatal(err)
	}
	c := out.Credentials
	member := cfg.Copy()
	member.Credentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: *c.AccessKeyId, SecretAccessKey: *c.SecretAccessKey, SessionToken: *c.SessionToken}, nil
	})
	return member
}
