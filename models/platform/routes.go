package platform

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/apigateway"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// TenantRoute is the pooled API's one route: every method on every path
// under a tenant, /tenants/{tenantId}/{proxy+}. Which of them a caller may
// call, the authorizer's policy says (internal/authorizer.Resources).
var TenantRoute = []string{"tenants", "{tenantId}", "{proxy+}"}

// IdentitySource is where the authorizer's token is read from, and what API
// Gateway keys its cached answers by.
const IdentitySource = "method.request.header.Authorization"

// routeSettings are the route's and the authorizer's settings, as the
// deployment's trigger hashes them: a change to any of them changes the
// hash, and so deploys the API again.
type routeSettings struct {
	Path                         []string
	Method, Authorization        string
	APIKeyRequired               bool
	IntegrationType              string
	RequestTemplate              string
	ResponseTemplate             string
	AuthorizerType               string
	IdentitySource               string
	AuthorizerResultTTLInSeconds int
}

// mockResponse is what the route answers until a pooled service replaces its
// integration: the caller's tenant, tier and role as the authorizer saw them.
const mockResponse = `{"tenantId": "$context.authorizer.tenantId", "tier": "$context.authorizer.tier", "role": "$context.authorizer.role", "path": "$context.path"}`

var tenantRoute = routeSettings{
	Path:                         TenantRoute,
	Method:                       "ANY",
	Authorization:                "CUSTOM",
	APIKeyRequired:               true,
	IntegrationType:              "MOCK",
	RequestTemplate:              `{"statusCode": 200}`,
	ResponseTemplate:             mockResponse,
	AuthorizerType:               "REQUEST",
	IdentitySource:               IdentitySource,
	AuthorizerResultTTLInSeconds: AuthorizerResultTTL,
}

// routes: the authorizer (b.authorizer, REQUEST type on the Authorization
// header) with API Gateway's permission to invoke it, the tenant route with
// CUSTOM authorization and a required usage key, and the deployment of
// them, deployed again whenever one of them changes (its trigger).
func (b *builder) routes(api *apigateway.RestApi) (*apigateway.Deployment, error) {
	r := tenantRoute
	authz, err := apigateway.NewAuthorizer(b.ctx, b.name("api", "authorizer"), &apigateway.AuthorizerArgs{
		Name:                         pulumi.String(b.physical("authorizer", 128)),
		RestApi:                      api.ID(),
		Type:                         pulumi.String(r.AuthorizerType),
		AuthorizerUri:                b.authorizer.InvokeArn,
		IdentitySource:               pulumi.String(r.IdentitySource),
		AuthorizerResultTtlInSeconds: pulumi.Int(r.AuthorizerResultTTLInSeconds),
	}, b.opts...)
	if err != nil {
		return nil, err
	}
	permission, err := lambda.NewPermission(b.ctx, b.name("api", "authorizer"), &lambda.PermissionArgs{
		Action:    pulumi.String("lambda:InvokeFunction"),
		Function:  b.authorizer.Name,
		Principal: pulumi.String("apigateway.amazonaws.com"),
		SourceArn: pulumi.Sprintf("%s/authorizers/%s", api.ExecutionArn, authz.ID()),
	}, b.opts...)
	if err != nil {
		return nil, err
	}
	parent := api.RootResourceId
	var resources []pulumi.Resource
	var ids []any
	for _, part := range r.Path {
		res, err := apigateway.NewResource(b.ctx, b.name("api", resourceName(part)), &apigateway.ResourceArgs{
			RestApi: api.ID(), ParentId: parent, PathPart: pulumi.String(part),
		}, b.opts...)
		if err != nil {
			return nil, err
		}
		parent = res.ID().ToStringOutput()
		resources = append(resources, res)
		ids = append(ids, res.ID())
	}
	method, err := apigateway.NewMethod(b.ctx, b.name("api", "tenant"), &apigateway.MethodArgs{
		RestApi:        api.ID(),
		ResourceId:     parent,
		HttpMethod:     pulumi.String(r.Method),
		Authorization:  pulumi.String(r.Authorization),
		AuthorizerId:   authz.ID(),
		ApiKeyRequired: pulumi.Bool(r.APIKeyRequired),
	}, b.opts...)
	if err != nil {
		return nil, err
	}
	integration, err := apigateway.NewIntegration(b.ctx, b.name("api", "tenant"), &apigateway.IntegrationArgs{
		RestApi:          api.ID(),
		ResourceId:       parent,
		HttpMethod:       method.HttpMethod,
		Type:             pulumi.String(r.IntegrationType),
		RequestTemplates: pulumi.StringMap{"application/json": pulumi.String(r.RequestTemplate)},
	}, b.opts...)
	if err != nil {
		return nil, err
	}
	methodResponse, err := apigateway.NewMethodResponse(b.ctx, b.name("api", "tenant"), &apigateway.MethodResponseArgs{
		RestApi: api.ID(), ResourceId: parent, HttpMethod: method.HttpMethod, StatusCode: pulumi.String("200"),
	}, b.opts...)
	if err != nil {
		return nil, err
	}
	integrationResponse, err := apigateway.NewIntegrationResponse(b.ctx, b.name("api", "tenant"), &apigateway.IntegrationResponseArgs{
		RestApi: api.ID(), ResourceId: parent, HttpMethod: method.HttpMethod, StatusCode: methodResponse.StatusCode,
		ResponseTemplates: pulumi.StringMap{"application/json": pulumi.String(r.ResponseTemplate)},
	}, b.with(pulumi.DependsOn([]pulumi.Resource{integration}))...)
	if err != nil {
		return nil, err
	}
	settings, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	// The ids name the resources, the settings what they hold: a resource
	// replaced or changed in place changes the trigger alike.
	ids = append(ids, authz.ID(), method.ID(), integration.ID(), methodResponse.ID(), integrationResponse.ID())
	trigger := pulumi.All(ids...).ApplyT(func(v []any) string {
		h := sha256.New()
		h.Write(settings)
		for _, id := range v {
			h.Write([]byte("\n" + string(id.(pulumi.ID))))
		}
		return hex.EncodeToString(h.Sum(nil))
	}).(pulumi.StringOutput)
	deps := append(resources, authz, permission, method, integration, methodResponse, integrationResponse)
	return apigateway.NewDeployment(b.ctx, b.name("api"), &apigateway.DeploymentArgs{
		RestApi:     api.ID(),
		Description: pulumi.String("tenantctl platform API"),
		Triggers:    pulumi.StringMap{"redeployment": trigger},
	}, b.with(pulumi.DependsOn(deps))...)
}

// resourceName is a path part as a logical name: {tenantId} → tenantId,
// {proxy+} → proxy.
func resourceName(part string) string {
	out := make([]byte, 0, len(part))
	for _, c := range []byte(part) {
		if c != '{' && c != '}' && c != '+' {
			out = append(out, c)
		}
	}
	return string(out)
}
