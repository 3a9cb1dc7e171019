// Package application is the application (pooled) isolation model: the tenant
// shares the platform's table, API and user pool, and is kept apart by IAM
// (the platform's data role, which reaches only the partition keys of the
// session's TenantId tag, or with a data policy a role of its own), its API
// key and usage plan, and its groups in the user pool.
package application

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/apigateway"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/tenantctl/tenantctl/internal/iampolicy"
	"github.com/tenantctl/tenantctl/internal/naming"
	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/models/alerting"
	"github.com/tenantctl/tenantctl/models/fargate"
	"github.com/tenantctl/tenantctl/models/registry"
	"github.com/tenantctl/tenantctl/models/tenant"
	"github.com/tenantctl/tenantctl/models/usergroup"
)

// ComponentType is the type token of the model's component.
const ComponentType = "tenantctl:models:ApplicationTenant"

// DataTrust lets the pooled back end's role (the platform's pooled service
// role) assume a data role of the tenant's own for a request of that tenant only: the
// session must carry the session tag TenantId=<id>, and no other tag. No
// account root: another role of the platform account, however privileged,
// cannot assume it.
func DataTrust(principalArns []string, id string) iampolicy.Document {
	return iampolicy.Document{Version: iampolicy.Version, Statement: []iampolicy.Statement{{
		Sid:       "PooledServiceForThisTenant",
		Effect:    "Allow",
		Principal: map[string]any{"AWS": principalArns},
		Action:    []string{"sts:AssumeRole", "sts:TagSession"},
		Condition: map[string]map[string]any{
			"StringEquals":              {"aws:RequestTag/" + spec.TagTenantID: id},
			"ForAllValues:StringEquals": {"aws:TagKeys": []string{spec.TagTenantID}},
		},
	}}}
}

// ApplicationTenantArgs are what the application model builds from: the
// tenant, its fleet and the platform as the stack sees it.
type ApplicationTenantArgs struct {
	tenant.Input
}

// ApplicationTenant is the application model's component; its fields are the
// stack's outputs.
type ApplicationTenant struct {
	pulumi.ResourceState

	// RoleArn is the data role the pooled service assumes for the tenant:
	// the platform's shared one, or the tenant's own with a data policy.
	RoleArn     pulumi.StringOutput
	APIKeyID    pulumi.IDOutput
	UsagePlanID pulumi.StringOutput
	UserGroup   pulumi.StringOutput
	AdminGroup  pulumi.StringOutput
	LogGroup    pulumi.StringOutput
	// URL is the pooled API's, where the tenant calls with its API key.
	URL pulumi.StringOutput
	// Data is the tenant's partition keys of the pooled table (the model
	// honours no other mode).
	Data *tenant.DataStore
}

// usesTierPlan reports whether the tenant's limits are its tier's, so its key
// joins the tier's usage plan rather than a plan of its own.
func usesTierPlan(tier *spec.Tier, l *spec.LimitsSpec) bool {
	return l == nil || (l.RateLimit == tier.Throttle.RateLimit && l.BurstLimit == tier.Throttle.BurstLimit &&
		l.QuotaLimit == tier.Quota.Limit && l.QuotaPeriod == tier.Quota.Period)
}

// NewApplicationTenant registers the tenant's share of the pool; name is the
// tenant id, and opts carry the stack's provider.
func NewApplicationTenant(ctx *pulumi.Context, name string, args *ApplicationTenantArgs, opts ...pulumi.ResourceOption) (*ApplicationTenant, error) {
	in := args.Input
	t := in.Tenant
	tier := in.Fleet.TierOf(t)
	c := &ApplicationTenant{}
	if err := ctx.RegisterComponentResource(ComponentType, name, c, opts...); err != nil {
		return nil, err
	}
	child := []pulumi.ResourceOption{pulumi.Parent(c)}
	in.KeyArn = in.Platform.PooledKey(t.Tier) // its tier's key: its log group
	data, err := in.Data(ctx, child)
	if err != nil {
		return nil, err
	}
	roleArn := in.Platform.DataRoleArn
	if t.Data.Policy != nil {
		role, err := newDataRole(ctx, in, data, child)
		if err != nil {
			return nil, err
		}
		roleArn = role.Arn
	}
	key, planID, err := newAPIAccess(ctx, in, tier, child)
	if err != nil {
		return nil, err
	}
	groups, err := usergroup.New(ctx, in, child)
	if err != nil {
		return nil, err
	}
	logs, err := cloudwatch.NewLogGroup(ctx, in.Name("logs"), &cloudwatch.LogGroupArgs{
		Name:            pulumi.String(in.LogGroup("app")),
		RetentionInDays: pulumi.Int(fargate.LogRetentionDays),
		KmsKeyId:        in.KeyID(),
	}, child...)
	if err != nil {
		return nil, err
	}
	if err := in.ArchiveLogs(ctx, in.Name("logs", "archive"), logs.Name, child); err != nil {
		return nil, err
	}
	// The key's value is the API's usage key for the tenant, which the
	// authorizer reads from here; with the API's key source AUTHORIZER a
	// client presenting it gains nothing. It stays a secret in the state.
	if _, err := registry.New(ctx, in, map[string]pulumi.StringInput{
		"apiKeyId":            key.ID().ToStringOutput(),
		naming.RegistryAPIKey: key.Value,
		"usagePlanId":         planID,
		"dataRoleArn":         roleArn,
		"userGroup":           groups.Users.Name,
		"adminGroup":          groups.Admins.Name,
	}, child); err != nil {
		return nil, err
	}
	if _, err := in.Monitor(ctx, alerting.Targets{APIKeyID: key.ID()}, child); err != nil {
		return nil, err
	}
	c.RoleArn, c.APIKeyID, c.UsagePlanID = roleArn, key.ID(), planID
	c.UserGroup, c.AdminGroup, c.LogGroup, c.Data = groups.Users.Name, groups.Admins.Name, logs.Name, data
	c.URL = pulumi.String(in.URL()).ToStringOutput()
	if err := ctx.RegisterResourceOutputs(c, c.Outputs()); err != nil {
		return nil, err
	}
	return c, nil
}

// Outputs are the stack outputs, by name.
func (c *ApplicationTenant) Outputs() pulumi.Map {
	return c.Data.AddOutputs(pulumi.Map{
		"roleArn":     c.RoleArn,
		"apiKeyId":    c.APIKeyID,
		"usagePlanId": c.UsagePlanID,
		"userGroup":   c.UserGroup,
		"adminGroup":  c.AdminGroup,
		"logGroup":    c.LogGroup,
		"url":         c.URL,
	})
}

// newDataRole is a data role of the tenant's own, for a tenant with a data
// policy: its partition keys of the pooled table (DataTrust, and the data
// store's policy: datatable.OwnPartitionKeys) and the policy's statements.
func newDataRole(ctx *pulumi.Context, in tenant.Input, data *tenant.DataStore, opts []pulumi.ResourceOption) (*iam.Role, error) {
	t, p := in.Tenant, in.Platform
	trust := p.PooledServiceRoleArn.ApplyT(func(arn string) (string, error) {
		return DataTrust([]string{arn}, t.ID).JSON()
	}).(pulumi.StringOutput)
	role, err := iam.NewRole(ctx, in.Name("data"), &iam.RoleArgs{
		Name:             pulumi.String(in.Physical(naming.RoleData, naming.MaxIAMRole)),
		Description:      pulumi.String("Pooled data of tenant " + t.ID + ": its partition keys and its data policy"),
		AssumeRolePolicy: trust,
	}, opts...)
	if err != nil {
		return nil, err
	}
	policy := data.TableArn.ApplyT(func(arn string) (string, error) {
		return iampolicy.Document{Version: iampolicy.Version, Statement: append(data.Statements(arn), PolicyStatements(t.Data.Policy)...)}.JSON()
	}).(pulumi.StringOutput)
	if _, err := iam.NewRolePolicy(ctx, in.Name("data"), &iam.RolePolicyArgs{
		Role: role.Name, Policy: policy,
	}, opts...); err != nil {
		return nil, err
	}
	return role, nil
}

// PolicyStatements are a data policy's statements as IAM statements, named
// TenantPolicy0, TenantPolicy1, ...
func PolicyStatements(policy []spec.PolicyStatement) []iampolicy.Statement {
	out := make([]iampolicy.Statement, len(policy))
	for i, st := range policy {
		out[i] = iampolicy.Statement{
			Sid: fmt.Sprintf("TenantPolicy%d", i), Effect: "Allow",
			Action: append([]string{}, st.Actions...), Resource: append([]string{}, st.Resources...),
		}
	}
	return out
}

// newAPIAccess is the tenant's API key on its usage plan: the tier's, or a
// plan of its own when its limits differ; it returns the key and the plan's id.
func newAPIAccess(ctx *pulumi.Context, in tenant.Input, tier *spec.Tier, opts []pulumi.ResourceOption) (*apigateway.ApiKey, pulumi.StringOutput, error) {
	t, p := in.Tenant, in.Platform
	key, err := apigateway.NewApiKey(ctx, in.Name("api-key"), &apigateway.ApiKeyArgs{
		Name:        pulumi.String(in.Physical("api", naming.MaxAPIKey)),
		Description: pulumi.String("API key of tenant " + t.ID),
		Enabled:     pulumi.Bool(t.Status != spec.StatusSuspended),
	}, opts...)
	if err != nil {
		return nil, pulumi.StringOutput{}, err
	}
	planID := p.UsagePlan(t.Tier)
	if !usesTierPlan(tier, t.Limits) {
		l := t.Limits
		plan, err := apigateway.NewUsagePlan(ctx, in.Name("plan"), &apigateway.UsagePlanArgs{
			Name:        pulumi.String(in.Physical("plan", 255)),
			Description: pulumi.String(fmt.Sprintf("Tenant %s: %g req/s, burst %d, %d requests per %s", t.ID, l.RateLimit, l.BurstLimit, l.QuotaLimit, l.QuotaPeriod)),
			ApiStages: apigateway.UsagePlanApiStageArray{apigateway.UsagePlanApiStageArgs{
				ApiId: p.APIID, Stage: p.APIStageName,
			}},
			ThrottleSettings: apigateway.UsagePlanThrottleSettingsArgs{
				RateLimit: pulumi.Float64(l.RateLimit), BurstLimit: pulumi.Int(l.BurstLimit),
			},
			QuotaSettings: apigateway.UsagePlanQuotaSettingsArgs{
				Limit: pulumi.Int(l.QuotaLimit), Period: pulumi.String(l.QuotaPeriod),
			},
		}, opts...)
		if err != nil {
			return nil, pulumi.StringOutput{}, err
		}
		planID = plan.ID().ToStringOutput()
	}
	if _, err := apigateway.NewUsagePlanKey(ctx, in.Name("plan-key"), &apigateway.UsagePlanKeyArgs{
		KeyId: key.ID(), KeyType: pulumi.String("API_KEY"), UsagePlanId: planID,
	}, opts...); err != nil {
		return nil, pulumi.StringOutput{}, err
	}
	return key, planID, nil
}
