package tenantcontext

import (
	"context"
	"net/http"
	"strings"
)

// TokenVerifier checks a bearer token and returns its tenant; *Verifier is one.
type TokenVerifier interface {
	Verify(ctx context.Context, token string) (Tenant, error)
}

// BearerToken is the token of an Authorization header "Bearer <token>", ""
// when the header holds none.
func BearerToken(header string) string {
	scheme, token, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

// Middleware lets through only requests with a valid bearer token, their
// tenant in the request's context (FromContext). Others get 401 with a short
// reason: why a token failed verification stays on the server, where it helps
// an operator and not someone probing with forged tokens.
func Middleware(v TokenVerifier) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			token := BearerToken(r.Header.Get("Authorization"))
			if token == "" {
				unauthorized(w, "missing bearer token")
				return
			}
			t, err := v.Verify(r.Context(), token)
			if err != nil {
				unauthorized(w, "invalid token")
				return
			}
			next.ServeHTTP(w, r.WithContext(WithTenant(r.Context(), t)))
		})
	}
}

func unauthorized(w http.ResponseWriter, reason string) {
	w.Header().Set("WWW-Authenticate", "Bearer")
	http.Error(w, reason, http.StatusUnauthorized)
}
