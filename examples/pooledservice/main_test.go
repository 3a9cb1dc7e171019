package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/tenantctl/tenantctl/internal/testutil/cognitotest"
	"github.com/tenantctl/tenantctl/pkg/tenantcontext"
)

// The service takes its user pool and data role from the platform's
// pooledServiceEnv names, and turns away calls without a valid token, or for
// another tenant's path, before any data call.
func TestServiceFromThePlatformEnvironment(t *testing.T) {
	p := cognitotest.New(t)
	env := map[string]string{
		tenantcontext.EnvIssuer:      p.Issuer(),
		tenantcontext.EnvAudience:    p.ClientID,
		tenantcontext.EnvJWKSURL:     p.URL,
		tenantcontext.EnvDataRoleArn: "arn:aws:iam::111122223333:role/saas-platform-data",
		"POOL_TABLE":                 "saas-platform-pool",
	}
	h, err := newHandler(func(k string) string { return env[k] }, aws.Config{Region: p.Region}, io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	acme := p.Sign(t, p.IDClaims("acme", "free", tenantcontext.UserGroup("acme")))
	for _, c := range []struct {
		name, path, token string
		code              int
	}{
		{"no token", "/tenants/acme/items/1", "", http.StatusUnauthorized},
		{"forged token", "/tenants/acme/items/1", "not-a-token", http.StatusUnauthorized},
		{"another tenant's path", "/tenants/globex/items/1", acme, http.StatusForbidden},
	} {
		req := httptest.NewRequest(http.MethodGet, c.path, nil)
		if c.token != "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != c.code {
			t.Errorf("%s: %d, want %d", c.name, rec.Code, c.code)
		}
	}
	delete(env, tenantcontext.EnvDataRoleArn)
	if _, err := newHandler(func(k string) string { return env[k] }, aws.Config{}, io.Discard, io.Discard); err == nil {
		t.Error("no error without a data role")
	}
}
