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

// Prefix starts every derived id. It names the derivation's version, so that a
// change of scheme is visible in the trust policies it produced.
const Prefix = "tenantctl-v1-"

// MinSecretLen is the least length of a fleet secret, in bytes: the HMAC key
// should carry at least as much entropy as its 256-bit output.
const MinSecretLen = 32

// domain separates these HMACs from any other use of the same secret.
const domain = "tenantctl/deploy-role/external-id/"

// Derive returns the external id of the deploy role in accountID: Prefix
// followed by the lowercase hex HMAC-SHA256 of the account id under secret.
// The result is 77 characters from [a-z0-9-], inside what sts:ExternalId allows
// (2 to 1224 characters of [\w+=,.@:/-]).
func Derive(secret []byte, accountID string) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(domain))
	mac.Write([]byte(accountID))
	return Prefix + hex.EncodeToString(mac.Sum(nil))
}

// ParseSecret checks the value of EnvSecret and returns it as the HMAC key.
// The value is used as given (its bytes are the key); surrounding white space,
// a common copy-paste accident, is an error rather than silently trimmed,
// because a trimmed and an untrimmed secret derive different ids.
func ParseSecret(value string) ([]byte, error) {
	if value == "" {
		return nil, fmt.Errorf("%s is not set: baselining writes an external id derived from this fleet secret into every deploy role's trust policy, and deployments derive the same id; set it to at least %d random characters (e.g. `openssl rand -hex 32`), kept in the pipeline's secret store", EnvSecret, MinSecretLen)
	}
	if strings.TrimSpace(value) != value {
		return nil, fmt.Errorf("%s starts or ends with white space; remove it (a trimmed and an untrimmed secret derive different external ids)", EnvSecret)
	}
	if len(value) < MinSecretLen {
		return nil, fmt.Errorf("%s is %d characters long; use at least %d random characters (e.g. `openssl rand -hex 32`)", EnvSecret, len(value), MinSecretLen)
	}
	return []byte(value), nil
}
