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
