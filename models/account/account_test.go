package account_test

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/tenantctl/tenantctl/internal/render"
	"github.com/tenantctl/tenantctl/internal/testutil/samplefleet"
	"github.com/tenantctl/tenantctl/models"
)

// acme-corp is the sample fleet's account-model tenant pinned to an account.
const (
	stack = "acme-corp"
	acct  = "210987654321"
)

// runAcme runs acme-corp's program under the recording mocks with the config.
func runAcme(t *testing.T, config map[string]string) ([]*render.Resource, error) {
	t.Helper()
	program, err := models.Program(samplefleet.Load(t), stack)
	if err != nil {
		t.Fatal(err)
	}
	ext := models.ConfigKey(models.ConfigExternalID)
	g, err := render.Run(program, render.Options{Stack: stack, Config: config, Secrets: []string{ext}})
	if err != nil {
		return nil, err
	}
	return g.Resources, nil
}

// assumed is the role ARN and the external id (unwrapped from its secret) the
// stack's provider assumes.
func assumed(t *testing.T, res []*render.Resource) (string, string) {
	t.Helper()
	for _, r := range res {
		if r.Type != "pulumi:providers:aws" {
			continue
		}
		ar := r.Raw["assumeRole"]
		if !ar.IsObject() {
			t.Fatalf("provider assumes no role: %v", r.Raw)
		}
		o := ar.ObjectValue()
		id := o["externalId"]
		if !id.IsSecret() {
			t.Fatalf("externalId %v is not a secret", id)
		}
		return o["roleArn"].StringValue(), id.SecretValue().Element.StringValue()
	}
	t.Fatal("no aws provider")
	return "", ""
}

// The provider assumes the role the stack's tenantctl:accountRole names with
// the external id it is given; up (and no role named) is the deploy role.
func TestProviderAssumesThePreviewRoleForPreviews(t *testing.T) {
	ext := models.ConfigKey(models.ConfigExternalID)
	role := models.ConfigKey(models.ConfigAccountRole)
	cases := []struct {
		name, accountRole, extID, wantRole string
	}{
		{"preview", models.AccountRolePreview, "tenantctl-preview-v1-abc", "TenantctlPreview"},
		{"up", models.AccountRoleDeploy, "tenantctl-v1-def", "TenantctlDeploy"},
		{"unset", "", "tenantctl-v1-def", "TenantctlDeploy"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := map[string]string{ext: c.extID}
			if c.accountRole != "" {
				cfg[role] = c.accountRole
			}
			res, err := runAcme(t, cfg)
			if err != nil {
				t.Fatal(err)
			}
			arn, id := assumed(t, res)
			if arn != "arn:aws:iam::"+acct+":role/"+c.wantRole || id != c.extID {
				t.Errorf("assumes %s with %q, want role %s with %q", arn, id, c.wantRole, c.extID)
			}
		})
	}
	if _, err := runAcme(t, map[string]string{ext: "x", role: "admin"}); err == nil || !strings.Contains(err.Error(), `tenantctl:accountRole is "admin"; want deploy or preview`) {
		t.Errorf("unknown role: %v", err)
	}
}

// Every IAM role the model creates in the tenant's account carries the deploy
// role's permissions boundary: the configured one, else the organization's
// boundary policy in the account.
func TestEveryRoleCarriesTheBoundary(t *testing.T) {
	ext := models.ConfigKey(models.ConfigExternalID)
	for _, c := range []struct{ configured, want string }{
		{"", "arn:aws:iam::" + acct + ":policy/TenantctlDeployBoundary"},
		{"arn:aws-us-gov:iam::" + acct + ":policy/TenantctlDeployBoundary", "arn:aws-us-gov:iam::" + acct + ":policy/TenantctlDeployBoundary"},
	} {
		cfg := map[string]string{ext: "tenantctl-v1-def"}
		if c.configured != "" {
			cfg[models.ConfigKey(models.ConfigPermissionsBoundary)] = c.configured
		}
		res, err := runAcme(t, cfg)
		if err != nil {
			t.Fatal(err)
		}
		roles := 0
		for _, r := range res {
			if r.Type != "aws:iam/role:Role" {
				continue
			}
			roles++
			if got := r.Raw["permissionsBoundary"]; got != resource.NewStringProperty(c.want) {
				t.Errorf("role %s: permissionsBoundary %v, want %s", r.Name, got, c.want)
			}
		}
		if roles != 2 {
			t.Errorf("%d IAM roles, want the service's execution and task roles", roles)
		}
	}
}
