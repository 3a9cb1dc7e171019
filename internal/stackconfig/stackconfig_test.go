package stackconfig_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"

	"github.com/tenantctl/tenantctl/internal/externalid"
	"github.com/tenantctl/tenantctl/internal/lambdabuild"
	"github.com/tenantctl/tenantctl/internal/render"
	"github.com/tenantctl/tenantctl/internal/rollout/plan"
	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/internal/stackconfig"
	"github.com/tenantctl/tenantctl/internal/testutil/samplefleet"
)

var secret = []byte("0123456789abcdef0123456789abcdef")

// run renders the stack's real program with the configuration Programs gives
// it, as the rollout's inline program would run, and returns the provider.
func run(t *testing.T, f *spec.Fleet, o stackconfig.Options, stack string) (map[string]auto.ConfigValue, *render.Resource) {
	t.Helper()
	cfg, resources := runAll(t, f, o, stack)
	for _, r := range resources {
		if r.Type == "pulumi:providers:aws" {
			return cfg, r
		}
	}
	t.Fatalf("%s: no aws provider registered", stack)
	return nil, nil
}

func TestAccountTenantWithFixedAccount(t *testing.T) {
	f := samplefleet.Load(t)
	cfg, prov := run(t, f, stackconfig.Options{ExternalIDSecret: secret}, "acme-corp")
	want := externalid.Derive(secret, "210987654321")
	if got := cfg["tenantctl:externalId"]; got.Value != want || !got.Secret {
		t.Errorf("externalId = %+v, want secret %s", got, want)
	}
	if got := cfg["tenantctl:accountId"].Value; got != "210987654321" {
		t.Errorf("accountId = %q", got)
	}
	ar, _ := prov.Inputs["assumeRole"].(map[string]any)
	if ar["roleArn"] != "arn:aws:iam::210987654321:role/TenantctlDeploy" {
		t.Errorf("assumeRole = %v", prov.Inputs["assumeRole"])
	}
}

func TestAccountTenantFromThePool(t *testing.T) {
	f := samplefleet.Load(t)
	var asked []string
	o := stackconfig.Options{ExternalIDSecret: secret, ResolveAccount: func(id string) (string, error) {
		asked = append(asked, id)
		return "333333333333", nil
	}}
	cfg, prov := run(t, f, o, "globex")
	if strings.Join(asked, ",") != "globex" {
		t.Errorf("resolver asked for %v", asked)
	}
	if cfg["tenantctl:accountId"].Value != "333333333333" || cfg["tenantctl:externalId"].Value != externalid.Derive(secret, "333333333333") {
		t.Errorf("config = %+v", cfg)
	}
	ar, _ := prov.Inputs["assumeRole"].(map[string]any)
	if ar["roleArn"] != "arn:aws:iam::333333333333:role/TenantctlDeploy" {
		t.Errorf("assumeRole = %v", prov.Inputs["assumeRole"])
	}
}

func TestOtherStacksNeedNoAccountOrSecret(t *testing.T) {
	f := samplefleet.Load(t)
	o := stackconfig.Options{PlatformStack: "acme/tenantctl/platform", Lambdas: lambdabuild.Unbuilt{}, ResolveAccount: func(string) (string, error) {
		t.Fatal("resolver called for a stack that is not account-model")
		return "", nil
	}}
	for _, stack := range []string{"platform", "hooli", "initech", "soylent", "wonka"} {
		cfg, prov := run(t, f, o, stack)
		if _, ok := cfg["tenantctl:externalId"]; ok {
			t.Errorf("%s: got an external id", stack)
		}
		if _, ok := prov.Inputs["assumeRole"]; ok {
			t.Errorf("%s: provider assumes a role", stack)
		}
		if stack != "platform" && cfg["tenantctl:platformStack"].Value != "acme/tenantctl/platform" {
			t.Errorf("%s: platformStack = %+v", stack, cfg["tenantctl:platformStack"])
		}
	}
}

func TestAccountTenantRefusals(t *testing.T) {
	f := samplefleet.Load(t)
	cases := []struct {
		name  string
		stack string
		o     stackconfig.Options
		want  string
	}{
		{"no secret", "acme-corp", stackconfig.Options{}, "set TENANTCTL_EXTERNAL_ID_SECRET"},
		{"no resolver", "globex", stackconfig.Options{ExternalIDSecret: secret}, "run `tenantctl accounts assign globex` or set account.id in"},
		{"not assigned", "globex", stackconfig.Options{ExternalIDSecret: secret, ResolveAccount: func(string) (string, error) {
			return "", errors.New("no account is ACTIVE")
		}}, "resolving the tenant's account: no account is ACTIVE (run `tenantctl accounts assign globex` first)"},
	}
	for _, c := range cases {
		_, err := stackconfig.Programs(f, c.o).Config(c.stack)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
		}
	}
}

// runAll is run, returning every resource of the stack.
func runAll(t *testing.T, f *spec.Fleet, o stackconfig.Options, stack string) (map[string]auto.ConfigValue, []*render.Resource) {
	t.Helper()
	p := stackconfig.Programs(f, o)
	cfg, err := p.Config(stack)
	if err != nil {
		t.Fatal(err)
	}
	prog, err := p.Program(stack)
	if err != nil {
		t.Fatal(err)
	}
	plain, secrets := stackconfig.Plain(cfg)
	g, err := render.Run(prog, render.Options{Stack: stack, Config: plain, Secrets: secrets})
	if err != nil {
		t.Fatalf("%s: %v", stack, err)
	}
	return cfg, g.Resources
}

// A preview assumes the read-only preview role with the preview external id,
// given only the preview key; up, refresh and destroy assume the deploy role
// with the deploy external id. Every role the stack creates carries the
// deploy role's boundary, whichever the operation.
func TestAccountStacksPickTheRoleOfTheOperation(t *testing.T) {
	f := samplefleet.Load(t)
	const acct = "210987654321"
	key := []byte(externalid.PreviewKey(secret))
	cases := []struct {
		name     string
		o        stackconfig.Options
		role, id string
	}{
		{"preview with the key only", stackconfig.Options{Op: plan.OpPreview, PreviewKey: key}, "TenantctlPreview", externalid.DerivePreview(key, acct)},
		{"preview with the secret", stackconfig.Options{Op: plan.OpPreview, ExternalIDSecret: secret}, "TenantctlPreview", externalid.DerivePreview(key, acct)},
		{"up", stackconfig.Options{Op: plan.OpUp, ExternalIDSecret: secret, PreviewKey: key}, "TenantctlDeploy", externalid.Derive(secret, acct)},
		{"refresh", stackconfig.Options{Op: plan.OpRefresh, ExternalIDSecret: secret}, "TenantctlDeploy", externalid.Derive(secret, acct)},
		{"destroy", stackconfig.Options{Op: plan.OpDestroy, ExternalIDSecret: secret}, "TenantctlDeploy", externalid.Derive(secret, acct)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, resources := runAll(t, f, c.o, "acme-corp")
			if got := cfg["tenantctl:externalId"]; got.Value != c.id || !got.Secret {
				t.Errorf("externalId = %+v, want secret %s", got, c.id)
			}
			boundary := "arn:aws:iam::" + acct + ":policy/TenantctlDeployBoundary"
			roles := 0
			for _, r := range resources {
				switch r.Type {
				case "pulumi:providers:aws":
					ar, _ := r.Inputs["assumeRole"].(map[string]any)
					if r.Name != "acme-corp" {
						// The platform account's provider assumes nothing.
						if ar != nil {
							t.Errorf("provider %s assumeRole = %v, want none", r.Name, ar)
						}
						continue
					}
					if ar["roleArn"] != "arn:aws:iam::"+acct+":role/"+c.role || ar["externalId"] != render.Secret {
						t.Errorf("provider assumeRole = %v, want %s with a secret external id", ar, c.role)
					}
				case "aws:iam/role:Role":
					roles++
					if r.Inputs["permissionsBoundary"] != boundary {
						t.Errorf("role %s: permissionsBoundary = %v, want %s", r.Name, r.Inputs["permissionsBoundary"], boundary)
					}
				}
			}
			if roles == 0 {
				t.Error("the account model created no IAM role to check")
			}
		})
	}
}

func TestPreviewWithoutThePreviewKeyIsRefused(t *testing.T) {
	f := samplefleet.Load(t)
	_, err := stackconfig.Programs(f, stackconfig.Options{Op: plan.OpPreview}).Config("acme-corp")
	if err == nil || !strings.Contains(err.Error(), "set TENANTCTL_PREVIEW_EXTERNAL_ID_KEY to the output of `tenantctl accounts external-id --preview-key`") {
		t.Fatalf("err = %v", err)
	}
	// The preview key opens no deploy: an up given only the key is refused.
	_, err = stackconfig.Programs(f, stackconfig.Options{Op: plan.OpUp, PreviewKey: []byte(externalid.PreviewKey(secret))}).Config("acme-corp")
	if err == nil || !strings.Contains(err.Error(), "set TENANTCTL_EXTERNAL_ID_SECRET") {
		t.Fatalf("up with the preview key: err = %v", err)
	}
}
