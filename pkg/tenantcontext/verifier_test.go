package tenantcontext

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/tenantctl/tenantctl/internal/testutil/cognitotest"
)

func newVerifier(t *testing.T, p *cognitotest.Pool, use TokenUse, now func() time.Time) *Verifier {
	t.Helper()
	v, err := NewVerifier(Config{Region: p.Region, UserPoolID: p.ID, ClientID: p.ClientID, TokenUse: use, JWKSURL: p.URL, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestVerifyAcceptsAValidIDToken(t *testing.T) {
	p := cognitotest.New(t)
	v := newVerifier(t, p, IDToken, nil)
	got, err := v.Verify(context.Background(), p.Sign(t, p.IDClaims("acme", "gold", UserGroup("acme"))))
	if err != nil {
		t.Fatal(err)
	}
	if want := (Tenant{ID: "acme", Tier: "gold", Role: RoleUser, Subject: "user-acme"}); got != want {
		t.Errorf("tenant %+v, want %+v", got, want)
	}
}

func TestVerifyAcceptsAnAccessTokenOfTheClient(t *testing.T) {
	p := cognitotest.New(t)
	v := newVerifier(t, p, AccessToken, nil)
	c := p.IDClaims("acme", "gold", AdminGroup("acme"))
	delete(c, "aud")
	c["token_use"], c["client_id"] = "access", p.ClientID
	got, err := v.Verify(context.Background(), p.Sign(t, c))
	if err != nil || got.Role != RoleAdmin {
		t.Fatalf("tenant %+v, err %v", got, err)
	}
	c["client_id"] = "another-client"
	if _, err := v.Verify(context.Background(), p.Sign(t, c)); err == nil {
		t.Error("an access token of another app client is accepted")
	}
}

// Every way a token can be wrong is refused.
func TestVerifyRefuses(t *testing.T) {
	p := cognitotest.New(t)
	now := time.Now()
	valid := func() jwt.MapClaims { return p.IDClaims("acme", "gold", UserGroup("acme")) }
	with := func(k string, val any) string {
		c := valid()
		c[k] = val
		return p.Sign(t, c)
	}
	pubDER, err := x509.MarshalPKIXPublicKey(&p.Key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	tampered := func() string {
		parts := strings.Split(p.Sign(t, valid()), ".")
		payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
		parts[1] = base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(payload), `"acme"`, `"globex"`, 1)))
		return strings.Join(parts, ".")
	}
	cases := map[string]string{
		"expired":                      with("exp", now.Add(-time.Hour).Unix()),
		"without expiry":               func() string { c := valid(); delete(c, "exp"); return p.Sign(t, c) }(),
		"not yet valid":                with("nbf", now.Add(time.Hour).Unix()),
		"wrong issuer":                 with("iss", "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other"),
		"wrong audience":               with("aud", "another-client"),
		"access token where id wanted": with("token_use", "access"),
		"alg none":                     cognitotest.SignWith(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, p.Kid, valid()),
		"HS256 with the public key":    cognitotest.SignWith(t, jwt.SigningMethodHS256, pubPEM, p.Kid, valid()),
		"RS512":                        cognitotest.SignWith(t, jwt.SigningMethodRS512, p.Key, p.Kid, valid()),
		"tampered payload":             tampered(),
		"signed by another key":        cognitotest.SignWith(t, jwt.SigningMethodRS256, cognitotest.NewKey(t), p.Kid, valid()),
		"no key id":                    cognitotest.SignWith(t, jwt.SigningMethodRS256, p.Key, "", valid()),
		"tenant claim not its groups":  with("cognito:groups", []string{UserGroup("globex")}),
		"no tenant group":              with("cognito:groups", []string{"readers"}),
		"not a token":                  "not.a.token",
	}
	v := newVerifier(t, p, IDToken, nil)
	for name, token := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := v.Verify(context.Background(), token)
			if err == nil {
				t.Fatalf("accepted as %+v", got)
			}
			t.Log(err)
		})
	}
}

// Clock skew within the leeway is absorbed.
func TestVerifyLeeway(t *testing.T) {
	p := cognitotest.New(t)
	v := newVerifier(t, p, IDToken, nil)
	c := p.IDClaims("acme", "gold", UserGroup("acme"))
	c["exp"] = time.Now().Add(-10 * time.Second).Unix()
	if _, err := v.Verify(context.Background(), p.Sign(t, c)); err != nil {
		t.Errorf("a token 10s past expiry is refused: %v", err)
	}
}

// A token naming an unknown key triggers one refetch of the key set, then is
// refused without another until MinRefetch has passed since the last fetch; a
// key Cognito rotates in is then found.
func TestUnknownKeyRefetchesOnceThenRefuses(t *testing.T) {
	p := cognitotest.New(t)
	clock := time.Now()
	v := newVerifier(t, p, IDToken, func() time.Time { return clock })
	ctx := context.Background()
	if _, err := v.Verify(ctx, p.Sign(t, p.IDClaims("acme", "", UserGroup("acme")))); err != nil {
		t.Fatal(err)
	}
	if p.Fetches() != 1 {
		t.Fatalf("fetches %d after the first token", p.Fetches())
	}
	clock = clock.Add(31 * time.Second) // past MinRefetch, still within KeyTTL
	rotated := cognitotest.NewKey(t)
	token := cognitotest.SignWith(t, jwt.SigningMethodRS256, rotated, "key-2", p.IDClaims("acme", "", UserGroup("acme")))
	for range 3 {
		if _, err := v.Verify(ctx, token); !errors.Is(err, ErrUnknownKey) {
			t.Fatalf("unknown key: err %v", err)
		}
	}
	if p.Fetches() != 2 {
		t.Errorf("fetches %d; want one refetch for the unknown key", p.Fetches())
	}
	p.Publish("key-2", &rotated.PublicKey)
	if _, err := v.Verify(ctx, token); err == nil {
		t.Error("accepted before MinRefetch passed: the key set was refetched too soon")
	}
	clock = clock.Add(31 * time.Second)
	if _, err := v.Verify(ctx, token); err != nil {
		t.Errorf("rotated key: %v", err)
	}
	if p.Fetches() != 3 {
		t.Errorf("fetches %d, want 3", p.Fetches())
	}
}

func TestFromClaims(t *testing.T) {
	cases := []struct {
		name, tenant string
		groups       []string
		want         Role
		ok           bool
	}{
		{"user", "acme", []string{UserGroup("acme")}, RoleUser, true},
		{"admin", "acme", []string{UserGroup("acme"), AdminGroup("acme")}, RoleAdmin, true},
		{"admin first", "acme", []string{AdminGroup("acme"), UserGroup("acme")}, RoleAdmin, true},
		{"system admin without tenant", "", []string{SystemAdminGroup}, RoleSystemAdmin, true},
		{"system admin of a tenant", "acme", []string{AdminGroup("acme"), SystemAdminGroup}, RoleSystemAdmin, true},
		{"other tenant's group", "acme", []string{UserGroup("globex")}, "", false},
		{"one group of another tenant", "acme", []string{UserGroup("acme"), AdminGroup("globex")}, "", false},
		{"tenant whose id extends the claim", "acme", []string{UserGroup("acme-corp")}, "", false},
		{"group without tenant claim", "", []string{UserGroup("acme")}, "", false},
		{"no group", "acme", nil, "", false},
		{"tenant id with a wildcard", "acme*", []string{UserGroup("acme*")}, "", false},
		{"tenant id with a path", "acme/admin", []string{UserGroup("acme/admin")}, "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := fromClaims("sub", c.tenant, "gold", c.groups)
			if (err == nil) != c.ok || got.Role != c.want {
				t.Errorf("role %q err %v; want %q ok %v", got.Role, err, c.want, c.ok)
			}
		})
	}
}
