// Package authorizer is the pooled API's Lambda authorizer: it verifies the
// caller's Cognito token, allows exactly the routes of the caller's role for
// its own tenant, and hands API Gateway the tenant's API key so that usage
// plans throttle and meter per tenant without the client holding the key.
package authorizer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/tenantctl/tenantctl/pkg/tenantcontext"
)

// ErrUnauthorized is what API Gateway turns into 401: the error message must
// be exactly "Unauthorized".
var ErrUnauthorized = errors.New("Unauthorized")

// KeyLookup finds a tenant's API key value.
type KeyLookup interface {
	APIKey(ctx context.Context, tenantID string) (string, error)
}

// KeyMap is a KeyLookup over tenant id → API key value, such as a JSON object
// in an environment variable.
type KeyMap map[string]string

// ParseKeyMap reads a JSON object of tenant id → API key value.
func ParseKeyMap(text string) (KeyMap, error) {
	m := KeyMap{}
	if strings.TrimSpace(text) == "" {
		return m, nil
	}
	if err := json.Unmarshal([]byte(text), &m); err != nil {
		return nil, fmt.Errorf("authorizer: API key map: %w", err)
	}
	return m, nil
}

// APIKey is the tenant's key, an error when it has none.
func (m KeyMap) APIKey(_ context.Context, tenantID string) (string, error) {
	if k, ok := m[tenantID]; ok && k != "" {
		return k, nil
	}
	return "", fmt.Errorf("authorizer: no API key for tenant %q", tenantID)
}

// Handler authorizes REQUEST-type calls.
type Handler struct {
	Verifier tenantcontext.TokenVerifier
	Keys     KeyLookup
}

// Handle verifies the request's bearer token and returns the policy of its
// role. A missing or invalid token is 401; a valid one whose tenant has no
// API key is denied, since API Gateway could not meter it.
func (h Handler) Handle(ctx context.Context, req events.APIGatewayCustomAuthorizerRequestTypeRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
	token := tenantcontext.BearerToken(header(req.Headers, "Authorization"))
	if token == "" {
		return events.APIGatewayCustomAuthorizerResponse{}, ErrUnauthorized
	}
	t, err := h.Verifier.Verify(ctx, token)
	if err != nil {
		return events.APIGatewayCustomAuthorizerResponse{}, ErrUnauthorized
	}
	resp := events.APIGatewayCustomAuthorizerResponse{
		PrincipalID: t.Subject,
		Context:     map[string]any{"tenantId": t.ID, "tier": t.Tier, "role": string(t.Role)},
	}
	resources, err := Resources(req.MethodArn, t)
	if err != nil {
		return events.APIGatewayCustomAuthorizerResponse{}, err
	}
	effect := "Allow"
	if t.ID != "" {
		if resp.UsageIdentifierKey, err = h.Keys.APIKey(ctx, t.ID); err != nil {
			effect, resources = "Deny", []string{req.MethodArn}
		}
	}
	resp.PolicyDocument = events.APIGatewayCustomAuthorizerPolicy{
		Version: "2012-10-17",
		Statement: []events.IAMPolicyStatement{{
			Action: []string{"execute-api:Invoke"}, Effect: effect, Resource: resources,
		}},
	}
	return resp, nil
}

// header reads a header case-insensitively: API Gateway passes them as sent.
func header(headers map[string]string, name string) string {
	for k, v := range headers {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// Verbs are the methods a tenant's routes take.
var Verbs = []string{"GET", "POST", "PUT", "DELETE"}

// Resources are the execute-api resources t may invoke in the API and stage
// of methodArn (arn:<partition>:execute-api:<region>:<account>:<api>/<stage>/<verb>/<path>):
// a tenant user its own /tenants/<id>/items and below, a tenant admin also its
// /tenants/<id>/admin/*, a system admin every route of the stage. API Gateway
// caches the policy per token across routes, so it lists every route of the
// role, not only the one called.
func Resources(methodArn string, t tenantcontext.Tenant) ([]string, error) {
	arn, path, ok := strings.Cut(methodArn, "/")
	stage, _, _ := strings.Cut(path, "/")
	if !ok || stage == "" || strings.Count(arn, ":") != 5 || !strings.Contains(arn, ":execute-api:") {
		return nil, fmt.Errorf("authorizer: method ARN %q", methodArn)
	}
	base := arn + "/" + stage
	if t.Role == tenantcontext.RoleSystemAdmin {
		return []string{base + "/*"}, nil
	}
	if t.ID == "" {
		return nil, fmt.Errorf("authorizer: role %q names no tenant", t.Role)
	}
	paths := []string{"/tenants/" + t.ID + "/items", "/tenants/" + t.ID + "/items/*"}
	if t.Role == tenantcontext.RoleAdmin {
		paths = append(paths, "/tenants/"+t.ID+"/admin/*")
	}
	var out []string
	for _, v := range Verbs {
		for _, p := range paths {
			out = append(out, base+"/"+v+p)
		}
	}
	return out, nil
}
