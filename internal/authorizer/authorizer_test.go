package authorizer

import (
	"context"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/golang-jwt/jwt/v5"

	"github.com/tenantctl/tenantctl/internal/testutil/cognitotest"
	"github.com/tenantctl/tenantctl/internal/testutil/iameval"
	"github.com/tenantctl/tenantctl/pkg/tenantcontext"
)

const stage = "arn:aws:execute-api:eu-west-1:111122223333:abc123/prod"

// fixture is an authorizer over a stand-in user pool with keys for acme and
// globex.
type fixture struct {
	pool *cognitotest.Pool
	h    Handler
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	p := cognitotest.New(t)
	v, err := tenantcontext.NewVerifier(tenantcontext.Config{Region: p.Region, UserPoolID: p.ID, ClientID: p.ClientID, JWKSURL: p.URL})
	if err != nil {
		t.Fatal(err)
	}
	keys, err := ParseKeyMap(`{"acme":"key-acme","globex":"key-globex"}`)
	if err != nil {
		t.Fatal(err)
	}
	return fixture{pool: p, h: Handler{Verifier: v, Keys: keys}}
}

func (f fixture) authorize(t *testing.T, authorization, methodArn string) (events.APIGatewayCustomAuthorizerResponse, error) {
	t.Helper()
	return f.h.Handle(context.Background(), events.APIGatewayCustomAuthorizerRequestTypeRequest{
		Type: "REQUEST", MethodArn: methodArn, Headers: map[string]string{"authorization": authorization},
	})
}

// allows evaluates the returned policy as API Gateway does for a call of
// methodArn: an Allow statement whose resources match it, and no Deny.
func allows(t *testing.T, resp events.APIGatewayCustomAuthorizerResponse, methodArn string) bool {
	t.Helper()
	allowed := false
	for _, st := range resp.PolicyDocument.Statement {
		if !iameval.AnyGlob(st.Resource, methodArn, false) {
			continue
		}
		if st.Effect == "Deny" {
			return false
		}
		allowed = true
	}
	return allowed
}

// The policy a token gets is evaluated against every route: the first call's
// route does not matter, since API Gateway caches the policy per token.
func TestPolicyAllowsOnlyTheRoutesOfTheRole(t *testing.T) {
	f := newFixture(t)
	routes := map[string]string{
		"acme items":       stage + "/GET/tenants/acme/items",
		"acme item":        stage + "/PUT/tenants/acme/items/42",
		"acme admin":       stage + "/POST/tenants/acme/admin/users",
		"globex items":     stage + "/GET/tenants/globex/items",
		"globex item":      stage + "/DELETE/tenants/globex/items/42",
		"globex admin":     stage + "/POST/tenants/globex/admin/users",
		"acme-corp items":  stage + "/GET/tenants/acme-corp/items",
		"platform route":   stage + "/GET/tenants",
		"other stage":      "arn:aws:execute-api:eu-west-1:111122223333:abc123/test/GET/tenants/acme/items",
		"other API":        "arn:aws:execute-api:eu-west-1:111122223333:zzz999/prod/GET/tenants/acme/items",
		"acme items PATCH": stage + "/PATCH/tenants/acme/items/42",
	}
	cases := []struct {
		name    string
		tenant  string
		groups  []string
		allowed []string
	}{
		{"tenant user", "acme", []string{tenantcontext.UserGroup("acme")}, []string{"acme items", "acme item"}},
		{"tenant admin", "acme", []string{tenantcontext.AdminGroup("acme")}, []string{"acme items", "acme item", "acme admin"}},
		{"system admin", "", []string{tenantcontext.SystemAdminGroup}, []string{
			"acme items", "acme item", "acme admin", "globex items", "globex item", "globex admin",
			"acme-corp items", "platform route", "acme items PATCH",
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			token := f.pool.Sign(t, f.pool.IDClaims(c.tenant, "gold", c.groups...))
			resp, err := f.authorize(t, "Bearer "+token, routes["acme items"])
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]bool{}
			for _, r := range c.allowed {
				want[r] = true
			}
			for name, arn := range routes {
				if got := allows(t, resp, arn); got != want[name] {
					t.Errorf("%s (%s): allowed %v, want %v", name, arn, got, want[name])
				}
			}
		})
	}
}

func TestResponseCarriesTheTenantAndItsKey(t *testing.T) {
	f := newFixture(t)
	token := f.pool.Sign(t, f.pool.IDClaims("acme", "gold", tenantcontext.AdminGroup("acme")))
	resp, err := f.authorize(t, "Bearer "+token, stage+"/GET/tenants/acme/items")
	if err != nil {
		t.Fatal(err)
	}
	if resp.UsageIdentifierKey != "key-acme" {
		t.Errorf("usage key %q", resp.UsageIdentifierKey)
	}
	if resp.Context["tenantId"] != "acme" || resp.Context["tier"] != "gold" || resp.Context["role"] != "admin" {
		t.Errorf("context %v", resp.Context)
	}
	if resp.PrincipalID != "user-acme" {
		t.Errorf("principal %q", resp.PrincipalID)
	}
}

// Without a valid token the answer is 401; a tenant without an API key is
// denied, as API Gateway could not meter it.
func TestRefusals(t *testing.T) {
	f := newFixture(t)
	route := stage + "/GET/tenants/acme/items"
	forged := cognitotest.SignWith(t, jwt.SigningMethodRS256, cognitotest.NewKey(t), f.pool.Kid, f.pool.IDClaims("acme", "gold", tenantcontext.UserGroup("acme")))
	mismatch := f.pool.Sign(t, f.pool.IDClaims("acme", "gold", tenantcontext.AdminGroup("globex")))
	for name, header := range map[string]string{
		"no header":                   "",
		"not bearer":                  "Basic YWNtZTpwdw==",
		"forged":                      "Bearer " + forged,
		"tenant claim of other group": "Bearer " + mismatch,
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := f.authorize(t, header, route); err != ErrUnauthorized {
				t.Errorf("err %v, want Unauthorized", err)
			}
		})
	}
	t.Run("tenant without key", func(t *testing.T) {
		token := f.pool.Sign(t, f.pool.IDClaims("initech", "gold", tenantcontext.UserGroup("initech")))
		resp, err := f.authorize(t, "Bearer "+token, stage+"/GET/tenants/initech/items")
		if err != nil {
			t.Fatal(err)
		}
		if allows(t, resp, stage+"/GET/tenants/initech/items") || resp.UsageIdentifierKey != "" {
			t.Errorf("allowed without a key: %+v", resp)
		}
	})
	t.Run("malformed method ARN", func(t *testing.T) {
		token := f.pool.Sign(t, f.pool.IDClaims("acme", "gold", tenantcontext.UserGroup("acme")))
		if _, err := f.authorize(t, "Bearer "+token, "abc123/prod/GET/x"); err == nil {
			t.Error("accepted")
		}
	})
}

func TestParseKeyMap(t *testing.T) {
	if m, err := ParseKeyMap(""); err != nil || len(m) != 0 {
		t.Errorf("empty: %v %v", m, err)
	}
	if _, err := ParseKeyMap(`["acme"]`); err == nil {
		t.Error("a list is accepted")
	}
}

func TestResourcesOfATenantRoleNeedATenant(t *testing.T) {
	if r, err := Resources(stage+"/GET/tenants/acme/items", tenantcontext.Tenant{Role: tenantcontext.RoleUser}); err == nil {
		t.Errorf("resources %v for a user of no tenant", r)
	}
}
