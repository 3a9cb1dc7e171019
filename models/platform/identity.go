package platform

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cognito"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/tenantctl/tenantctl/internal/authorizer"
	"github.com/tenantctl/tenantctl/internal/iampolicy"
	"github.com/tenantctl/tenantctl/internal/naming"
	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/models/datarole"
	"github.com/tenantctl/tenantctl/pkg/tenantcontext"
)

// The user pool's custom attributes holding a user's tenant and tier
// (custom:tenantId and custom:tier in tokens, tenantcontext.ClaimTenantID and
// ClaimTier); not mutable, so users cannot move themselves.
const (
	TenantIDAttribute = "tenantId"
	TierAttribute     = "tier"
)

// AuthorizerMain is the authorizer's main package, which the platform builds.
const AuthorizerMain = "./programs/authorizer"

// Settings of the authorizer: how long API Gateway keeps its answer for a
// token (the policy lists every route of the caller's role, so one answer
// serves them all), and how long its logs are kept.
const (
	AuthorizerResultTTL       = 300
	AuthorizerLogRetentionDay = 30
)

// Token lifetimes of the app client: an hour for id and access tokens, 30
// days for refresh tokens.
const (
	TokenValidityHours       = 1
	RefreshTokenValidityDays = 30
)

// userPool: the pool of every tenant's users, with their tenant and tier as
// immutable attributes; the app client tenants' front ends sign in with (no
// secret: it runs in browsers and apps); the pool's domain; the platform
// operators' group. Tenants' own groups come from their stacks
// (models/usergroup), so a tenant's groups live and go with it.
func (b *builder) userPool() error {
	attr := func(name string, maxLen int) cognito.UserPoolSchemaArgs {
		return cognito.UserPoolSchemaArgs{
			Name:              pulumi.String(name),
			AttributeDataType: pulumi.String("String"),
			Mutable:           pulumi.Bool(false),
			StringAttributeConstraints: cognito.UserPoolSchemaStringAttributeConstraintsArgs{
				MinLength: pulumi.String("1"), MaxLength: pulumi.String(fmt.Sprint(maxLen)),
			},
		}
	}
	pool, err := cognito.NewUserPool(b.ctx, b.name("users"), &cognito.UserPoolArgs{
		Name:                   pulumi.String(b.physical("users", 128)),
		UsernameAttributes:     pulumi.StringArray{pulumi.String("email")},
		AutoVerifiedAttributes: pulumi.StringArray{pulumi.String("email")},
		PasswordPolicy: cognito.UserPoolPasswordPolicyArgs{
			MinimumLength: pulumi.Int(12), RequireLowercase: pulumi.Bool(true), RequireUppercase: pulumi.Bool(true),
			RequireNumbers: pulumi.Bool(true), RequireSymbols: pulumi.Bool(true),
		},
		Schemas: cognito.UserPoolSchemaArray{attr(TenantIDAttribute, 40), attr(TierAttribute, 64)},
		Tags:    pooledTags(),
	}, b.opts...)
	if err != nil {
		return err
	}
	client, err := cognito.NewUserPoolClient(b.ctx, b.name("app"), &cognito.UserPoolClientArgs{
		Name:           pulumi.String(b.physical("app", 128)),
		UserPoolId:     pool.ID(),
		GenerateSecret: pulumi.Bool(false),
		ExplicitAuthFlows: pulumi.ToStringArray([]string{
			"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH",
		}),
		// The id token carries the tenant and tier the authorizer reads;
		// users may change their e-mail address, never their tenant.
		ReadAttributes: pulumi.ToStringArray([]string{
			"email", "email_verified", tenantcontext.ClaimTenantID, tenantcontext.ClaimTier,
		}),
		WriteAttributes:            pulumi.ToStringArray([]string{"email"}),
		SupportedIdentityProviders: pulumi.ToStringArray([]string{"COGNITO"}),
		PreventUserExistenceErrors: pulumi.String("ENABLED"),
		EnableTokenRevocation:      pulumi.Bool(true),
		IdTokenValidity:            pulumi.Int(TokenValidityHours),
		AccessTokenValidity:        pulumi.Int(TokenValidityHours),
		RefreshTokenValidity:       pulumi.Int(RefreshTokenValidityDays),
		TokenValidityUnits: cognito.UserPoolClientTokenValidityUnitsArgs{
			IdToken: pulumi.String("hours"), AccessToken: pulumi.String("hours"), RefreshToken: pulumi.String("days"),
		},
	}, b.opts...)
	if err != nil {
		return err
	}
	domain, err := cognito.NewUserPoolDomain(b.ctx, b.name("users"), &cognito.UserPoolDomainArgs{
		Domain:     pulumi.String(naming.AuthDomainPrefix(b.s.NamePrefix, b.s.Domain)),
		UserPoolId: pool.ID(),
	}, b.opts...)
	if err != nil {
		return err
	}
	if _, err := cognito.NewUserGroup(b.ctx, b.name("group", tenantcontext.SystemAdminGroup), &cognito.UserGroupArgs{
		UserPoolId:  pool.ID(),
		Name:        pulumi.String(tenantcontext.SystemAdminGroup),
		Description: pulumi.String("Platform operators: every route of the pooled API, for every tenant"),
	}, b.opts...); err != nil {
		return err
	}
	region := b.s.PlatformRegion
	b.p.UserPoolID = pool.ID()
	b.p.UserPoolClientID = client.ID().ToStringOutput()
	b.p.UserPoolDomain = domain.Domain
	b.p.TokenIssuer = pool.ID().ToStringOutput().ApplyT(func(id string) string {
		return tenantcontext.Issuer(region, id)
	}).(pulumi.StringOutput)
	return nil
}

// DataRoleName is the name of the data role pooled tenants share: the
// platform's data role (platform is a reserved tenant id, so no tenant's
// own data role has its name).
func DataRoleName(namePrefix string) string {
	return naming.Name(namePrefix, Owner, naming.RoleData, naming.MaxIAMRole)
}

// dataRole: the one data role pooled tenants share (models/datarole), which
// the pooled service assumes with the tenant's session tags.
func (b *builder) dataRole() error {
	trust := b.p.PooledServiceRoleArn.ApplyT(func(arn string) (string, error) {
		return datarole.Trust(arn).JSON()
	}).(pulumi.StringOutput)
	partition := iampolicy.Partition(b.s.PlatformRegion)
	policy := b.p.PoolTableArn.ApplyT(func(arn string) (string, error) {
		return datarole.Policy(partition, arn, "").JSON()
	}).(pulumi.StringOutput)
	// Its name is DataRoleName's: <prefix>-platform-data.
	role, _, err := b.role(naming.RoleData, "Pooled data of every application tenant: the partition keys of the session's TenantId tag only", trust, policy)
	if err != nil {
		return err
	}
	b.p.DataRoleArn = role.Arn
	return nil
}

// OwnDataRoleTenants are the application tenants with a data policy, whose
// data roles are their own: the pooled service may assume those too.
func OwnDataRoleTenants(f *spec.Fleet) []string {
	var ids []string
	for _, t := range f.Tenants {
		if t.Model == spec.ModelApplication && t.Data != nil && t.Data.Policy != nil {
			ids = append(ids, t.ID)
		}
	}
	return ids
}

// MaxRolePolicySize is IAM's limit on the characters of a role's inline
// policies.
const MaxRolePolicySize = 10240

// PooledServicePolicy lets the pooled service role assume the data roles of
// its account that pooled tenants' requests run as, and nothing else: the
// shared one (DataRoleName) and those of the tenants with a data policy
// (ownRoles, <prefix>-<id>-data), each only for a session carrying a TenantId
// tag, which every data role's trust checks again.
func PooledServicePolicy(partition, accountID, namePrefix string, ownRoles []string) iampolicy.Document {
	arns := []string{iampolicy.RoleArn(partition, accountID, DataRoleName(namePrefix))}
	for _, id := range ownRoles {
		arns = append(arns, iampolicy.RoleArn(partition, accountID, naming.Name(namePrefix, id, naming.RoleData, naming.MaxIAMRole)))
	}
	return iampolicy.Document{Version: iampolicy.Version, Statement: []iampolicy.Statement{{
		Sid:       "AssumeTenantDataRoles",
		Effect:    "Allow",
		Action:    []string{"sts:AssumeRole", "sts:TagSession"},
		Resource:  arns,
		Condition: map[string]map[string]any{"Null": {"aws:RequestTag/" + spec.TagTenantID: "false"}},
	}}}
}

// AuthorizerPolicy lets the authorizer write its own logs and read the one
// attribute of the tenant registry it needs, a tenant's API key
// (naming.RegistryAPIKey, found by naming.RegistryTenantID): the keys reach it
// through the registry that tenant stacks write, rather than through
// apigateway:GET on /apikeys, which would read every key of the region.
func AuthorizerPolicy(partition, region, accountID, functionName, registryTableArn string) iampolicy.Document {
	return iampolicy.Document{Version: iampolicy.Version, Statement: []iampolicy.Statement{
		{
			Sid:      "OwnLogs",
			Effect:   "Allow",
			Action:   []string{"logs:CreateLogStream", "logs:PutLogEvents"},
			Resource: []string{fmt.Sprintf("arn:%s:logs:%s:%s:log-group:%s:*", partition, region, accountID, LambdaLogGroup(functionName))},
		},
		{
			Sid:      "TenantAPIKeys",
			Effect:   "Allow",
			Action:   []string{"dynamodb:GetItem"},
			Resource: []string{registryTableArn},
			Condition: map[string]map[string]any{
				"ForAllValues:StringEquals": {"dynamodb:Attributes": []string{naming.RegistryTenantID, naming.RegistryAPIKey}},
				"StringEqualsIfExists":      {"dynamodb:Select": "SPECIFIC_ATTRIBUTES"},
			},
		},
	}}
}

// LambdaLogGroup is the log group Lambda writes a function's logs to.
func LambdaLogGroup(functionName string) string { return "/aws/lambda/" + functionName }

// authorizerFunction: the pooled API's Lambda authorizer (programs/authorizer),
// built and zipped by the program itself (PlatformArgs.Lambdas), with a role
// of its own (AuthorizerPolicy), its log group, and its environment: the user
// pool it trusts (tenantcontext.ConfigFromEnv) and the registry it reads
// tenants' API keys from.
func (b *builder) authorizerFunction() error {
	pkg, err := b.lambdas.Build(AuthorizerMain)
	if err != nil {
		return fmt.Errorf("the API authorizer: %w", err)
	}
	fnName := b.physical("authorizer", 64)
	trust, err := iampolicy.AssumedBy("lambda.amazonaws.com").JSON()
	if err != nil {
		return err
	}
	partition, region := iampolicy.Partition(b.s.PlatformRegion), b.s.PlatformRegion
	policy := pulumi.All(b.accountID, b.registry.Arn).ApplyT(func(v []any) (string, error) {
		return AuthorizerPolicy(partition, region, v[0].(string), fnName, v[1].(string)).JSON()
	}).(pulumi.StringOutput)
	role, rolePolicy, err := b.role("authorizer", "The pooled API's authorizer: its logs, and tenants' API keys in the registry", pulumi.String(trust), policy)
	if err != nil {
		return err
	}
	logs, err := cloudwatch.NewLogGroup(b.ctx, b.name("authorizer"), &cloudwatch.LogGroupArgs{
		Name:            pulumi.String(LambdaLogGroup(fnName)),
		RetentionInDays: pulumi.Int(AuthorizerLogRetentionDay),
	}, b.opts...)
	if err != nil {
		return err
	}
	args := &lambda.FunctionArgs{
		Name:          pulumi.String(fnName),
		Description:   pulumi.String("Pooled API authorizer: verifies the caller's Cognito token, allows its tenant's routes, hands API Gateway the tenant's usage key"),
		Runtime:       pulumi.String("provided.al2023"),
		Architectures: pulumi.ToStringArray([]string{"arm64"}),
		Handler:       pulumi.String("bootstrap"),
		Code:          pulumi.NewFileArchive(pkg.Path),
		Role:          role.Arn,
		MemorySize:    pulumi.Int(128),
		Timeout:       pulumi.Int(10),
		Environment: lambda.FunctionEnvironmentArgs{Variables: pulumi.StringMap{
			tenantcontext.EnvIssuer:     b.p.TokenIssuer,
			tenantcontext.EnvAudience:   b.p.UserPoolClientID,
			tenantcontext.EnvTokenUse:   pulumi.String(string(tenantcontext.IDToken)),
			authorizer.EnvRegistryTable: b.p.RegistryTableName,
		}},
		Tags: pooledTags(),
	}
	if pkg.SHA256 != "" {
		args.SourceCodeHash = pulumi.String(pkg.SHA256)
	}
	fn, err := lambda.NewFunction(b.ctx, b.name("authorizer"), args,
		b.with(pulumi.DependsOn([]pulumi.Resource{logs, rolePolicy}))...)
	if err != nil {
		return err
	}
	b.authorizer = fn
	return nil
}
