// Package externalid derives the sts:ExternalId that guards each tenant
// account's deploy role.
//
// Why derived and not stored: pool accounts are baselined (their deploy role
// created with its trust policy) long before any tenant is known, so the id
// cannot come from a tenant. Generating a random id per account would need a
// secret store keyed by account that both the baselining side and every
// deploying pipeline read and keep in step. Instead both sides hold one fleet
// secret (the environment variable TENANTCTL_EXTERNAL_ID_SECRET) and compute
// HMAC-SHA256(secret, account id): baselining writes the result into the role's
// trust policy, and the deploy side (the rollout, dev-up) re-derives it to set
// the account model's `externalId` stack secret. Each account gets a distinct
// id, a leaked id opens one account only, and nothing per account is stored.
//
// Rotating the secret means re-baselining the deploy roles (their trust
// policies) with the new one before deployments switch over.
//
// Pull-request previews run code from the pull request, so they must not hold
// the fleet secret. Their read-only preview roles trust external ids derived
// the same way from a preview key (TENANTCTL_PREVIEW_EXTERNAL_ID_KEY), which is
// itself an HMAC of the fleet secret: baselining, holding the secret, derives
// both; the preview pipeline holds only the key, and since HMAC is one-way the
// key yields no deploy role's external id.
package externalid

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// EnvSecret is the environment variable that holds the fleet secret.
const EnvSecret = "TENANTCTL_EXTERNAL_ID_SECRET"

// EnvPreviewKey is the environment variable that holds the preview key
// (PreviewKey of the fleet secret), all a preview pipeline gets.
const EnvPreviewKey = "TENANTCTL_PREVIEW_EXTERNAL_ID_KEY"

// Prefix starts every derived id. It names the derivation's version, so that a
// change of scheme is visible in the trust policies it produced.
const Prefix = "tenantctl-v1-"

// MinSecretLen is the least length of a fleet secret, in bytes: the HMAC key
// should carry at least as much entropy as its 256-bit output.
const MinSecretLen = 32

// PreviewPrefix starts every preview role's external id, so that a trust
// policy shows at a glance which kind of id it expects.
const PreviewPrefix = "tenantctl-preview-v1-"

// The domains separate these HMACs from any other use of the same key: no
// message of one kind is a message of another, so no output of one is an
// output of another.
const (
	domain        = "tenantctl/deploy-role/external-id/"
	previewDomain = "tenantctl/preview-role/external-id/"
	previewKeyMsg = "tenantctl/preview-role/key"
)

// Derive returns the external id of the deploy role in accountID: Prefix
// followed by the lowercase hex HMAC-SHA256 of the account id under secret.
// The result is 77 characters from [a-z0-9-], inside what sts:ExternalId allows
// (2 to 1224 characters of [\w+=,.@:/-]).
func Derive(secret []byte, accountID string) string {
	return Prefix + hmacHex(secret, domain+accountID)
}

// PreviewKey is the key preview external ids derive from: the lowercase hex
// HMAC-SHA256 of a fixed message under the fleet secret (64 characters, a valid
// EnvPreviewKey value). It is one-way: it tells nothing of the secret, so its
// holder cannot compute Derive for any account.
func PreviewKey(secret []byte) string {
	return hmacHex(secret, previewKeyMsg)
}

// DerivePreview returns the external id of the preview role in accountID:
// PreviewPrefix followed by the lowercase hex HMAC-SHA256 of the account id
// under the preview key (85 characters of [a-z0-9-]).
func DerivePreview(previewKey []byte, accountID string) string {
	return PreviewPrefix + hmacHex(previewKey, previewDomain+accountID)
}

func hmacHex(key []byte, msg string) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(msg))
	return hex.EncodeToString(mac.Sum(nil))
}

// ParseSecret checks the value of EnvSecret and returns it as the HMAC key.
// The value is used as given (its bytes are the key); surrounding white space,
// a common copy-paste accident, is an error rather than silently trimmed,
// because a trimmed and an untrimmed secret derive different ids.
func ParseSecret(value string) ([]byte, error) {
	if value == "" {
		return nil, fmt.Errorf("%s is not set: baselining writes an external id derived from this fleet secret into every deploy role's trust policy, and deployments derive the same id; set it to at least %d random characters (e.g. `openssl rand -hex 32`), kept in the pipeline's secret store", EnvSecret, MinSecretLen)
	}
	return checkKey(EnvSecret, value, "random characters (e.g. `openssl rand -hex 32`)")
}

// ParsePreviewKey checks the value of EnvPreviewKey, with ParseSecret's rules.
func ParsePreviewKey(value string) ([]byte, error) {
	if value == "" {
		return nil, fmt.Errorf("%s is not set: previews assume each tenant account's read-only preview role with an external id derived from this key; store the output of `tenantctl accounts external-id --preview-key` (run where %s is set) in the preview pipeline's secrets", EnvPreviewKey, EnvSecret)
	}
	return checkKey(EnvPreviewKey, value, "characters: the output of `tenantctl accounts external-id --preview-key`")
}

func checkKey(env, value, want string) ([]byte, error) {
	if strings.TrimSpace(value) != value {
		return nil, fmt.Errorf("%s starts or ends with white space; remove it (a trimmed and an untrimmed key derive different external ids)", env)
	}
	if len(value) < MinSecretLen {
		return nil, fmt.Errorf("%s is %d characters long; use at least %d %s", env, len(value), MinSecretLen, want)
	}
	return []byte(value), nil
}
