// Package cognitotest is a stand-in Cognito user pool for tests: an RSA
// signing key generated in the test, its JWKS served over HTTP (counting the
// fetches), and tokens signed as the pool signs them, or forged as an attacker
// would.
package cognitotest

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Pool is one user pool and app client.
type Pool struct {
	Region, ID, ClientID string
	// Kid names Key in the key set.
	Kid string
	Key *rsa.PrivateKey
	// URL serves the key set.
	URL string

	mu        sync.Mutex
	published map[string]*rsa.PublicKey
	fetches   int
}

// New starts a pool publishing one key; the server stops with the test.
func New(t testing.TB) *Pool {
	t.Helper()
	p := &Pool{Region: "eu-west-1", ID: "eu-west-1_Test", ClientID: "app-client", Kid: "key-1",
		Key: NewKey(t), published: map[string]*rsa.PublicKey{}}
	p.Publish(p.Kid, &p.Key.PublicKey)
	srv := httptest.NewServer(http.HandlerFunc(p.serveKeys))
	t.Cleanup(srv.Close)
	p.URL = srv.URL + "/" + p.ID + "/.well-known/jwks.json"
	return p
}

// NewKey is a fresh 2048-bit RSA key.
func NewKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// Publish adds a key to the key set, as Cognito does when it rotates.
func (p *Pool) Publish(kid string, k *rsa.PublicKey) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.published[kid] = k
}

// Fetches is how many times the key set was served.
func (p *Pool) Fetches() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.fetches
}

func (p *Pool) serveKeys(w http.ResponseWriter, _ *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fetches++
	var keys []map[string]string
	for kid, k := range p.published {
		keys = append(keys, map[string]string{
			"kid": kid, "kty": "RSA", "use": "sig", "alg": "RS256",
			"n": base64.RawURLEncoding.EncodeToString(k.N.Bytes()),
			"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(k.E)).Bytes()),
		})
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"keys": keys})
}

// Issuer is the pool's iss.
func (p *Pool) Issuer() string {
	return "https://cognito-idp." + p.Region + ".amazonaws.com/" + p.ID
}

// IDClaims are the claims of a valid id token of a user of tenant (empty for
// none) in groups, issued now and valid for an hour.
func (p *Pool) IDClaims(tenant, tier string, groups ...string) jwt.MapClaims {
	now := time.Now()
	c := jwt.MapClaims{
		"sub": "user-" + tenant, "iss": p.Issuer(), "aud": p.ClientID, "token_use": "id",
		"iat": now.Unix(), "auth_time": now.Unix(), "exp": now.Add(time.Hour).Unix(),
		"cognito:groups": groups,
	}
	if tenant != "" {
		c["custom:tenantId"] = tenant
	}
	if tier != "" {
		c["custom:tier"] = tier
	}
	return c
}

// Sign signs claims as the pool does: RS256 with Key, naming Kid.
func (p *Pool) Sign(t testing.TB, claims jwt.MapClaims) string {
	t.Helper()
	return SignWith(t, jwt.SigningMethodRS256, p.Key, p.Kid, claims)
}

// SignWith signs claims with any method and key, naming kid.
func SignWith(t testing.TB, m jwt.SigningMethod, key any, kid string, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(m, claims)
	tok.Header["kid"] = kid
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
