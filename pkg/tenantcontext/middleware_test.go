package tenantcontext

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// stubVerifier accepts one token.
type stubVerifier struct {
	token  string
	tenant Tenant
}

func (s stubVerifier) Verify(_ context.Context, token string) (Tenant, error) {
	if token != s.token {
		return Tenant{}, errors.New("signature of key key-1 invalid at byte 7")
	}
	return s.tenant, nil
}

func TestMiddleware(t *testing.T) {
	acme := Tenant{ID: "acme", Tier: "gold", Role: RoleUser, Subject: "u1"}
	var seen Tenant
	h := Middleware(stubVerifier{token: "good", tenant: acme})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen, _ = FromContext(r.Context())
	}))
	cases := []struct {
		name, header string
		code         int
	}{
		{"valid", "Bearer good", http.StatusOK},
		{"scheme in lower case", "bearer good", http.StatusOK},
		{"missing", "", http.StatusUnauthorized},
		{"not bearer", "Basic Z29vZA==", http.StatusUnauthorized},
		{"invalid", "Bearer forged", http.StatusUnauthorized},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			seen = Tenant{}
			req := httptest.NewRequest(http.MethodGet, "/tenants/acme/items", nil)
			if c.header != "" {
				req.Header.Set("Authorization", c.header)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != c.code {
				t.Fatalf("code %d, want %d", rec.Code, c.code)
			}
			if c.code == http.StatusOK && seen != acme {
				t.Errorf("handler saw %+v", seen)
			}
			if c.code != http.StatusOK {
				body, _ := io.ReadAll(rec.Body)
				if seen != (Tenant{}) || strings.Contains(string(body), "key-1") || rec.Header().Get("WWW-Authenticate") != "Bearer" {
					t.Errorf("refusal leaks or passes: body %q, handler saw %+v", body, seen)
				}
			}
		})
	}
}

func TestLogHandlerStampsTheTenant(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(NewLogHandler(slog.NewJSONHandler(&buf, nil))).With("svc", "items")
	ctx := WithTenant(context.Background(), Tenant{ID: "acme", Tier: "gold", Role: RoleUser})
	log.InfoContext(ctx, "put item")
	log.InfoContext(context.Background(), "start")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("records %q", lines)
	}
	var tenant, none map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &tenant); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(lines[1]), &none); err != nil {
		t.Fatal(err)
	}
	if tenant[LogTenantID] != "acme" || tenant[LogTier] != "gold" || tenant["svc"] != "items" {
		t.Errorf("tenant record %v", tenant)
	}
	if _, ok := none[LogTenantID]; ok {
		t.Errorf("record without tenant stamped: %v", none)
	}
}
