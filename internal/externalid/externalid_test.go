package externalid

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
	"testing"
)

var secret = []byte("0123456789abcdef0123456789abcdef")

func TestDeriveIsTheHMACOfTheAccountID(t *testing.T) {
	got := Derive(secret, "210987654321")
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("tenantctl/deploy-role/external-id/210987654321"))
	want := "tenantctl-v1-" + hex.EncodeToString(mac.Sum(nil))
	if got != want {
		t.Fatalf("Derive = %q, want %q", got, want)
	}
	if len(got) != 77 {
		t.Errorf("len = %d, want 77", len(got))
	}
	// sts:ExternalId accepts 2-1224 characters of [\w+=,.@:/-].
	if !regexp.MustCompile(`^[\w+=,.@:/-]+$`).MatchString(got) {
		t.Errorf("%q is not a valid sts:ExternalId", got)
	}
}

func TestDeriveIsStableAndDistinct(t *testing.T) {
	a1 := Derive(secret, "111111111111")
	a2 := Derive(secret, "111111111111")
	b := Derive(secret, "222222222222")
	other := Derive([]byte("another-secret-another-secret-xx"), "111111111111")
	if a1 != a2 {
		t.Errorf("same inputs derived %q and %q", a1, a2)
	}
	if a1 == b {
		t.Errorf("two accounts share the external id %q", a1)
	}
	if a1 == other {
		t.Errorf("two secrets derive the same id %q", a1)
	}
}

func TestParseSecret(t *testing.T) {
	cases := []struct {
		name, value, wantErr string
	}{
		{"unset", "", "TENANTCTL_EXTERNAL_ID_SECRET is not set"},
		{"short", "tooshort", "is 8 characters long; use at least 32"},
		{"white space", " " + string(secret), "starts or ends with white space"},
		{"trailing newline", string(secret) + "\n", "starts or ends with white space"},
		{"ok", string(secret), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseSecret(c.value)
			if c.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				if string(got) != c.value {
					t.Fatalf("secret = %q, want %q", got, c.value)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("error = %v, want it to contain %q", err, c.wantErr)
			}
		})
	}
}

func TestPreviewIDsAreTheirOwn(t *testing.T) {
	key := PreviewKey(secret)
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("tenantctl/preview-role/key"))
	if key != hex.EncodeToString(mac.Sum(nil)) {
		t.Fatalf("PreviewKey = %q, not the HMAC of its message under the secret", key)
	}
	if _, err := ParsePreviewKey(key); err != nil {
		t.Fatalf("PreviewKey's output is not a valid %s: %v", EnvPreviewKey, err)
	}
	if strings.Contains(key, string(secret)) {
		t.Fatal("the preview key contains the secret")
	}
	const acct = "210987654321"
	p := DerivePreview([]byte(key), acct)
	if !strings.HasPrefix(p, PreviewPrefix) || len(p) != len(PreviewPrefix)+64 {
		t.Errorf("DerivePreview = %q", p)
	}
	if !regexp.MustCompile(`^[\w+=,.@:/-]+$`).MatchString(p) {
		t.Errorf("%q is not a valid sts:ExternalId", p)
	}
	// The preview key used as if it were the fleet secret derives no deploy id.
	if p == Derive(secret, acct) || Derive([]byte(key), acct) == Derive(secret, acct) {
		t.Error("the preview key derives the deploy role's external id")
	}
	if DerivePreview([]byte(key), "111111111111") == p {
		t.Error("two accounts share a preview external id")
	}
}

func TestParsePreviewKey(t *testing.T) {
	for value, want := range map[string]string{
		"":                        "TENANTCTL_PREVIEW_EXTERNAL_ID_KEY is not set",
		"short":                   "is 5 characters long",
		PreviewKey(secret) + "\n": "white space",
	} {
		if _, err := ParsePreviewKey(value); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParsePreviewKey(%q) = %v, want %q", value, err, want)
		}
	}
}
