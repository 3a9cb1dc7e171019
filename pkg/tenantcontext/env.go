package tenantcontext

import (
	"fmt"
	"strings"
)

// Environment variables a pooled service (and the API's authorizer) reads
// its identity settings from; the platform stack exports their values as
// its pooledServiceEnv output.
const (
	// EnvIssuer is the user pool's issuer URL,
	// https://cognito-idp.<region>.amazonaws.com/<user pool id>.
	EnvIssuer = "TENANT_TOKEN_ISSUER"
	// EnvAudience is the app client tokens must be issued to.
	EnvAudience = "TENANT_TOKEN_AUDIENCE"
	// EnvTokenUse is id or access; id when unset.
	EnvTokenUse = "TENANT_TOKEN_USE"
	// EnvJWKSURL is the key set's URL; the issuer's well-known one when unset.
	EnvJWKSURL = "TENANT_JWKS_URL"
	// EnvDataRoleArn is the data role pooled tenants share, which
	// Credentials assumes with the tenant's session tags.
	EnvDataRoleArn = "TENANT_DATA_ROLE_ARN"
)

// issuerPrefix and issuerHost frame a Cognito user pool's issuer URL.
const (
	issuerPrefix = "https://cognito-idp."
	issuerHost   = ".amazonaws.com/"
)

// Issuer is the issuer URL of a user pool (Config.Issuer of its region and id).
func Issuer(region, userPoolID string) string { return issuerPrefix + region + issuerHost + userPoolID }

// ConfigFromEnv reads a Verifier's Config from EnvIssuer, EnvAudience,
// EnvTokenUse and EnvJWKSURL through getenv (os.Getenv).
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	issuer := getenv(EnvIssuer)
	rest, ok := strings.CutPrefix(issuer, issuerPrefix)
	region, pool, found := strings.Cut(rest, issuerHost)
	if !ok || !found || region == "" || pool == "" || strings.Contains(pool, "/") {
		return Config{}, fmt.Errorf("tenantcontext: %s is %q; want %s", EnvIssuer, issuer, Issuer("<region>", "<user pool id>"))
	}
	c := Config{
		Region:     region,
		UserPoolID: pool,
		ClientID:   getenv(EnvAudience),
		TokenUse:   TokenUse(getenv(EnvTokenUse)),
		JWKSURL:    getenv(EnvJWKSURL),
	}
	if c.ClientID == "" {
		return Config{}, fmt.Errorf("tenantcontext: %s is not set; give the user pool app client's id", EnvAudience)
	}
	return c, nil
}
