package tenantcontext

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// TokenUse is which of Cognito's tokens a service accepts: the id token names
// its app client in aud, the access token in client_id.
type TokenUse string

// Cognito's token uses, as its token_use claim spells them.
const (
	IDToken     TokenUse = "id"
	AccessToken TokenUse = "access"
)

// Config is the user pool a Verifier trusts.
type Config struct {
	Region     string
	UserPoolID string
	// ClientID is the app client tokens must be issued to.
	ClientID string
	// TokenUse defaults to IDToken: the id token carries the custom
	// attributes (custom:tenantId, custom:tier) the tenant is read from.
	TokenUse TokenUse
	// Leeway absorbs clock skew on exp and nbf; 30 seconds when zero.
	Leeway time.Duration
	// JWKSURL defaults to the user pool's well-known key set.
	JWKSURL string
	// HTTPClient fetches the key set; a client with a 5-second timeout when nil.
	HTTPClient *http.Client
	// KeyTTL is how long fetched keys are trusted before a refetch; an hour
	// when zero. MinRefetch is the least time between two fetches; 30
	// seconds when zero.
	KeyTTL, MinRefetch time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Issuer is the user pool's issuer URL, the iss of its tokens.
func (c Config) Issuer() string { return Issuer(c.Region, c.UserPoolID) }

// Verifier checks Cognito tokens of one user pool and app client.
type Verifier struct {
	cfg  Config
	keys *jwks
}

// NewVerifier returns a Verifier of cfg's user pool.
func NewVerifier(cfg Config) (*Verifier, error) {
	if cfg.Region == "" || cfg.UserPoolID == "" || cfg.ClientID == "" {
		return nil, errors.New("tenantcontext: region, user pool id and client id are required")
	}
	if cfg.TokenUse == "" {
		cfg.TokenUse = IDToken
	}
	if cfg.TokenUse != IDToken && cfg.TokenUse != AccessToken {
		return nil, fmt.Errorf("tenantcontext: token use %q is neither id nor access", cfg.TokenUse)
	}
	if cfg.Leeway == 0 {
		cfg.Leeway = 30 * time.Second
	}
	if cfg.JWKSURL == "" {
		cfg.JWKSURL = cfg.Issuer() + "/.well-known/jwks.json"
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 5 * time.Second}
	}
	if cfg.KeyTTL == 0 {
		cfg.KeyTTL = time.Hour
	}
	if cfg.MinRefetch == 0 {
		cfg.MinRefetch = 30 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Verifier{cfg: cfg, keys: &jwks{
		url: cfg.JWKSURL, client: cfg.HTTPClient, ttl: cfg.KeyTTL, minInterval: cfg.MinRefetch, now: cfg.Now,
	}}, nil
}

// claims are the parts of a Cognito token the tenant is read from.
type claims struct {
	jwt.RegisteredClaims
	TokenUse string   `json:"token_use"`
	ClientID string   `json:"client_id"`
	TenantID string   `json:"custom:tenantId"`
	Tier     string   `json:"custom:tier"`
	Groups   []string `json:"cognito:groups"`
}

// Verify checks token (signature by a key of the user pool, RS256 only;
// issuer; app client; token use; expiry, not-before and issued-at) and returns
// its tenant.
func (v *Verifier) Verify(ctx context.Context, token string) (Tenant, error) {
	opts := []jwt.ParserOption{
		jwt.WithValidMethods([]string{jwt.SigningMethodRS256.Alg()}),
		jwt.WithIssuer(v.cfg.Issuer()),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(v.cfg.Leeway),
		jwt.WithTimeFunc(v.cfg.Now),
	}
	if v.cfg.TokenUse == IDToken {
		opts = append(opts, jwt.WithAudience(v.cfg.ClientID))
	}
	var c claims
	_, err := jwt.ParseWithClaims(token, &c, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		if kid == "" {
			return nil, errors.New("token names no key")
		}
		return v.keys.key(ctx, kid)
	}, opts...)
	if err != nil {
		return Tenant{}, fmt.Errorf("tenantcontext: %w", err)
	}
	if c.TokenUse != string(v.cfg.TokenUse) {
		return Tenant{}, fmt.Errorf("tenantcontext: token use %q, want %q", c.TokenUse, v.cfg.TokenUse)
	}
	if v.cfg.TokenUse == AccessToken && c.ClientID != v.cfg.ClientID {
		return Tenant{}, errors.New("tenantcontext: token issued to another app client")
	}
	t, err := fromClaims(c.Subject, c.TenantID, c.Tier, c.Groups)
	if err != nil {
		return Tenant{}, fmt.Errorf("tenantcontext: %w", err)
	}
	return t, nil
}
