package models_test

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/tenantctl/tenantctl/internal/authorizer"
	"github.com/tenantctl/tenantctl/internal/iampolicy"
	"github.com/tenantctl/tenantctl/internal/naming"
	"github.com/tenantctl/tenantctl/internal/render"
	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/internal/testutil/iameval"
	"github.com/tenantctl/tenantctl/internal/testutil/samplefleet"
	"github.com/tenantctl/tenantctl/models"
	"github.com/tenantctl/tenantctl/models/datarole"
	"github.com/tenantctl/tenantctl/models/platform"
	"github.com/tenantctl/tenantctl/pkg/tenantcontext"
)

// The authorizer is the arm64 provided.al2023 function of the package the
// program built, with the pool's issuer, its app client and the registry in
// its environment, and a role that writes its own logs and reads tenants'
// API keys from the registry and nothing else.
func TestAuthorizerFunctionIsTheBuiltPackage(t *testing.T) {
	res := mustRun(t, samplefleet.Load(t), models.PlatformStack)
	fn := one(t, res, tFunction)
	if str(fn, "runtime") != "provided.al2023" || fmt.Sprint(fn.Inputs["architectures"]) != "[arm64]" || str(fn, "handler") != "bootstrap" {
		t.Errorf("function runtime %v, architectures %v, handler %v", fn.Inputs["runtime"], fn.Inputs["architectures"], fn.Inputs["handler"])
	}
	code := fn.Raw["code"]
	if !code.IsArchive() || code.ArchiveValue().Path != "/built/authorizer.zip" {
		t.Errorf("code %v, want the archive the builder made of %s", code, platform.AuthorizerMain)
	}
	if str(fn, "sourceCodeHash") != "hash-of-authorizer" {
		t.Errorf("source code hash %q, want the package's", str(fn, "sourceCodeHash"))
	}
	env, _ := fn.Inputs["environment"].(map[string]any)["variables"].(map[string]any)
	issuer := "https://cognito-idp.us-east-1.amazonaws.com/platform-users-id"
	for k, want := range map[string]string{
		tenantcontext.EnvIssuer:     issuer,
		tenantcontext.EnvAudience:   "platform-app-id",
		tenantcontext.EnvTokenUse:   "id",
		authorizer.EnvRegistryTable: "saas-platform-registry",
	} {
		if env[k] != want {
			t.Errorf("environment %s = %v, want %s", k, env[k], want)
		}
	}
	if str(fn, "role") != mockArn(tRole, "platform-authorizer") {
		t.Errorf("function role %q, want its own", str(fn, "role"))
	}
	if got := str(named(t, res, tLogGroup, "platform-authorizer"), "name"); got != "/aws/lambda/saas-platform-authorizer" {
		t.Errorf("log group %q", got)
	}

	pol, err := iampolicy.Parse(str(named(t, res, tRolePolicy, "platform-authorizer"), "policy"))
	if err != nil {
		t.Fatal(err)
	}
	registry := mockArn(tTable, "platform-registry")
	logs := "arn:aws:logs:us-east-1:111111111111:log-group:/aws/lambda/saas-platform-authorizer:log-stream:x"
	for _, c := range []struct {
		name    string
		req     iameval.Request
		allowed bool
	}{
		{"own logs", iameval.Request{Action: "logs:PutLogEvents", Resource: logs}, true},
		{"another function's logs", iameval.Request{Action: "logs:PutLogEvents", Resource: strings.Replace(logs, "authorizer", "other", 1)}, false},
		{"a tenant's key", iameval.Request{Action: "dynamodb:GetItem", Resource: registry, Keys: map[string][]string{
			"dynamodb:Attributes": {naming.RegistryAPIKey}, "dynamodb:Select": {"SPECIFIC_ATTRIBUTES"}}}, true},
		{"a whole item", iameval.Request{Action: "dynamodb:GetItem", Resource: registry, Keys: map[string][]string{
			"dynamodb:Select": {"ALL_ATTRIBUTES"}}}, false},
		{"another attribute", iameval.Request{Action: "dynamodb:GetItem", Resource: registry, Keys: map[string][]string{
			"dynamodb:Attributes": {naming.RegistryAPIKey, "owner"}, "dynamodb:Select": {"SPECIFIC_ATTRIBUTES"}}}, false},
		{"a scan", iameval.Request{Action: "dynamodb:Scan", Resource: registry}, false},
		{"the pooled table", iameval.Request{Action: "dynamodb:GetItem", Resource: mockArn(tTable, "platform-pool"), Keys: map[string][]string{
			"dynamodb:Attributes": {naming.RegistryAPIKey}}}, false},
	} {
		if got := iameval.AllowedBy(t, pol, c.req) != ""; got != c.allowed {
			t.Errorf("%s: allowed = %v, want %v", c.name, got, c.allowed)
		}
	}
}

// The API takes its usage key from the authorizer; its one route requires
// it, behind the REQUEST authorizer on the Authorization header, which API
// Gateway may invoke for this API only; the deployment follows the route.
func TestAPIRoutesGoThroughTheAuthorizer(t *testing.T) {
	res := mustRun(t, samplefleet.Load(t), models.PlatformStack)
	if got := str(one(t, res, tAPI), "apiKeySource"); got != "AUTHORIZER" {
		t.Errorf("apiKeySource %q, want AUTHORIZER", got)
	}
	authz := one(t, res, tAuthorizer)
	if str(authz, "type") != "REQUEST" || str(authz, "identitySource") != platform.IdentitySource ||
		authz.Inputs["authorizerResultTtlInSeconds"] != int64(platform.AuthorizerResultTTL) || str(authz, "restApi") != "platform-api-id" {
		t.Errorf("authorizer %v", authz.Inputs)
	}
	if _, ok := authz.Inputs["authorizerUri"]; !ok {
		t.Error("the authorizer names no function")
	}
	for _, m := range ofType(res, tMethod) {
		if str(m, "authorization") != "CUSTOM" || str(m, "authorizerId") != "platform-api-authorizer-id" || m.Inputs["apiKeyRequired"] != true {
			t.Errorf("method %s: %v", m.Name, m.Inputs)
		}
	}
	// The resources chain from the API's root: tenants, {tenantId}, {proxy+},
	// where the method is.
	parents := map[string]string{}
	for _, r := range ofType(res, tAPIRes) {
		parents[str(r, "pathPart")] = str(r, "parentId")
	}
	parent := ""
	for i, part := range platform.TenantRoute {
		if i > 0 && parents[part] != parent {
			t.Errorf("%s under %q, want %q", part, parents[part], parent)
		}
		parent = "platform-api-" + strings.Trim(part, "{}+") + "-id"
	}
	if len(parents) != len(platform.TenantRoute) || str(one(t, res, tMethod), "resourceId") != parent {
		t.Errorf("resources %v, the method on %q, want the route %v", parents, str(one(t, res, tMethod), "resourceId"), platform.TenantRoute)
	}
	if got := str(one(t, res, tInteg), "type"); got != "MOCK" {
		t.Errorf("integration %q", got)
	}
	perm := one(t, res, tPermission)
	if str(perm, "principal") != "apigateway.amazonaws.com" || str(perm, "action") != "lambda:InvokeFunction" ||
		str(perm, "function") != "saas-platform-authorizer" || !strings.HasSuffix(str(perm, "sourceArn"), "/authorizers/platform-api-authorizer-id") {
		t.Errorf("permission %v", perm.Inputs)
	}
	deploy := one(t, res, tDeploy)
	triggers, _ := deploy.Inputs["triggers"].(map[string]any)
	if h, _ := triggers["redeployment"].(string); len(h) != 64 {
		t.Errorf("deployment triggers %v, want a hash of the routes", triggers)
	}
}

// The user pool holds every user's tenant and tier, immutable; its app client
// has no secret and lets the id token carry them; its domain prefix is one
// Cognito takes; system-admin is the platform's group, every tenant's two
// groups its own stack's.
func TestUserPoolClientDomainAndGroups(t *testing.T) {
	f := samplefleet.Load(t)
	res := mustRun(t, f, models.PlatformStack)
	schemas, _ := one(t, res, tUserPool).Inputs["schemas"].([]any)
	attrs := map[string]bool{}
	for _, s := range schemas {
		m := s.(map[string]any)
		attrs[m["name"].(string)] = m["mutable"].(bool)
	}
	if len(attrs) != 2 || attrs[platform.TenantIDAttribute] || attrs[platform.TierAttribute] {
		t.Errorf("custom attributes %v, want tenantId and tier, immutable", attrs)
	}
	if "custom:"+platform.TenantIDAttribute != tenantcontext.ClaimTenantID || "custom:"+platform.TierAttribute != tenantcontext.ClaimTier {
		t.Error("the pool's attributes are not the claims tenantcontext reads")
	}
	client := one(t, res, tClient)
	if client.Inputs["generateSecret"] != false || fmt.Sprint(client.Inputs["explicitAuthFlows"]) != "[ALLOW_USER_SRP_AUTH ALLOW_REFRESH_TOKEN_AUTH]" ||
		str(client, "userPoolId") != "platform-users-id" {
		t.Errorf("app client %v", client.Inputs)
	}
	read := fmt.Sprint(client.Inputs["readAttributes"])
	for _, a := range []string{tenantcontext.ClaimTenantID, tenantcontext.ClaimTier} {
		if !strings.Contains(read, a) {
			t.Errorf("the id token does not carry %s: read attributes %s", a, read)
		}
	}
	if w := fmt.Sprint(client.Inputs["writeAttributes"]); strings.Contains(w, "custom:") {
		t.Errorf("users may write %s", w)
	}
	prefix := str(one(t, res, tPoolDomain), "domain")
	if !regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`).MatchString(prefix) || prefix != naming.AuthDomainPrefix(f.Settings.NamePrefix, f.Settings.Domain) {
		t.Errorf("domain prefix %q", prefix)
	}
	for _, w := range naming.AuthDomainReserved {
		if strings.Contains(prefix, w) {
			t.Errorf("domain prefix %q contains %s", prefix, w)
		}
	}

	// Groups across the sample fleet: system-admin, and <id>-user and
	// <id>-admin for every tenant, siloed ones too, in the platform's pool.
	var groups []string
	for _, stack := range render.AllStacks(f) {
		for _, g := range ofType(mustRun(t, f, stack), tUserGroup) {
			groups = append(groups, str(g, "name"))
			if pool := str(g, "userPoolId"); pool != "platform-users-id" && pool != "us-east-1_pool" {
				t.Errorf("group %s in pool %q", str(g, "name"), pool)
			}
		}
	}
	var want []string
	for _, tn := range f.Tenants {
		want = append(want, tenantcontext.UserGroup(tn.ID), tenantcontext.AdminGroup(tn.ID))
	}
	want = append(want, tenantcontext.SystemAdminGroup)
	sort.Strings(groups)
	sort.Strings(want)
	if fmt.Sprint(groups) != fmt.Sprint(want) || len(groups) != spec.UseOf(f).CognitoGroups() {
		t.Errorf("groups %v\nwant %v", groups, want)
	}
}

// One data role serves every pooled tenant: the platform's, trusted by the
// pooled service role with a tenant tag (datarole.Trust) and reaching the
// partition keys of that tag (datarole.Policy); pooled tenants without a data
// policy have none of their own, and the whole fleet's data roles are that
// one and one per tenant with a data policy.
func TestOneSharedDataRoleForPooledTenants(t *testing.T) {
	f := samplefleet.Load(t)
	res := mustRun(t, f, models.PlatformStack)
	role := named(t, res, tRole, "platform-data")
	if str(role, "name") != platform.DataRoleName(f.Settings.NamePrefix) || str(role, "name") != "saas-platform-data" {
		t.Errorf("shared data role %q", str(role, "name"))
	}
	trust, _ := datarole.Trust(mockArn(tRole, "platform-pooled-service")).JSON()
	if str(role, "assumeRolePolicy") != trust {
		t.Errorf("trust %s\nwant %s", str(role, "assumeRolePolicy"), trust)
	}
	policy, _ := datarole.Policy("aws", mockArn(tTable, "platform-pool"), "").JSON()
	if got := str(named(t, res, tRolePolicy, "platform-data"), "policy"); got != policy {
		t.Errorf("policy %s\nwant %s", got, policy)
	}

	dataRoles := 0
	for _, stack := range render.AllStacks(f) {
		for _, r := range ofType(mustRun(t, f, stack), tRole) {
			if strings.HasSuffix(str(r, "name"), "-"+naming.RoleData) {
				dataRoles++
			}
		}
	}
	if want := 1 + spec.UseOf(f).OwnDataRoles; dataRoles != want || want != 2 {
		t.Errorf("%d data roles in the fleet, want the shared one and pied-piper's", dataRoles)
	}
}

// The platform exports what a pooled service needs to know its callers'
// tenants, under the names pkg/tenantcontext reads.
func TestPlatformExportsThePooledServiceEnvironment(t *testing.T) {
	_, outs := runResolved(t, samplefleet.Load(t), models.PlatformStack)
	env, _ := outs[platform.OutPooledServiceEnv].(map[string]string)
	want := map[string]string{
		tenantcontext.EnvIssuer:      "https://cognito-idp.us-east-1.amazonaws.com/platform-users-id",
		tenantcontext.EnvAudience:    "platform-app-id",
		tenantcontext.EnvDataRoleArn: mockArn(tRole, "platform-data"),
	}
	if fmt.Sprint(env) != fmt.Sprint(want) {
		t.Errorf("pooledServiceEnv %v, want %v", outs[platform.OutPooledServiceEnv], want)
	}
}
