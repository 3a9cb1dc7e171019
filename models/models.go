// Package models turns a tenant of the fleet into the resources of its
// isolation model, and the fleet's settings into the platform stack. Program is
// the one entry point that pulumi up (programs/tenant), the rollout driver's
// inline program and the offline renderer share.
//
// Every stack builds one explicit AWS provider (models/provider) and passes it
// to one component resource per model; every other resource is a child of that
// component and inherits the provider, but for what an account-model stack
// writes into the platform's account through a second provider.
package models

import (
	"errors"
	"fmt"
	"sort"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/tenantctl/tenantctl/internal/lambdabuild"
	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/models/account"
	"github.com/tenantctl/tenantctl/models/application"
	"github.com/tenantctl/tenantctl/models/container"
	"github.com/tenantctl/tenantctl/models/emulation"
	"github.com/tenantctl/tenantctl/models/platform"
	"github.com/tenantctl/tenantctl/models/provider"
	"github.com/tenantctl/tenantctl/models/subnet"
	"github.com/tenantctl/tenantctl/models/tenant"
	"github.com/tenantctl/tenantctl/models/vpc"

	"github.com/tenantctl/tenantctl/internal/naming"
)

// PlatformStack is the name of the platform's stack.
const PlatformStack = naming.PlatformStack

// Stack configuration, in namespace ConfigNamespace (tenantctl:<key>).
const (
	ConfigNamespace = naming.Project
	// ConfigExternalID is the external id the account model's provider passes
	// when it assumes the deploy role; a Pulumi secret, required for that model.
	ConfigExternalID = "externalId"
	// ConfigAccountID is the account of an account-model tenant that draws from
	// a pool (account.pool): the account lifecycle assigns it and sets it here.
	// A tenant file's account.id wins over it.
	ConfigAccountID = "accountId"
	// ConfigPlatformStack is the fully qualified name of the platform stack
	// tenant stacks reference; DefaultPlatformStack when unset.
	ConfigPlatformStack = "platformStack"
	// ConfigAccountRole is which role an account-model stack's provider
	// assumes in the tenant's account: AccountRoleDeploy (the default) or
	// AccountRolePreview; externalId must be that role's.
	ConfigAccountRole = "accountRole"
	// ConfigPermissionsBoundary is the ARN of the deploy role's permissions
	// boundary in an account-model tenant's account, which every role the
	// model creates carries; when unset, the organization's boundary policy in
	// the account, in the aws partition.
	ConfigPermissionsBoundary = "permissionsBoundary"
)

// Values of ConfigAccountRole.
const (
	// AccountRoleDeploy is organization.deployRoleName: up, refresh, destroy.
	AccountRoleDeploy = "deploy"
	// AccountRolePreview is organization.previewRoleName, read-only: previews.
	AccountRolePreview = "preview"
)

// ConfigKey is the full stack configuration key of a tenantctl setting
// ("tenantctl:externalId"), as the Automation API's SetConfig takes it.
func ConfigKey(name string) string { return ConfigNamespace + ":" + name }

// DefaultPlatformStack is the platform stack's name as a local file backend
// (and the rollout driver) qualify it.
const DefaultPlatformStack = "organization/" + naming.Project + "/" + PlatformStack

// Platform is the platform as a tenant stack sees it: the platform stack's outputs.
type Platform = platform.Ref

// Outputs are a stack's outputs, by name.
type Outputs = pulumi.Map

// Builder builds one isolation model for a tenant and returns its outputs.
type Builder func(ctx *pulumi.Context, in tenant.Input) (Outputs, error)

// registry maps every isolation model to its component.
var registry = map[spec.IsolationModel]Builder{
	spec.ModelAccount: component(account.NewAccountTenant, func(in tenant.Input) *account.AccountTenantArgs {
		return &account.AccountTenantArgs{Input: in}
	}),
	spec.ModelVPC: component(vpc.NewVpcTenant, func(in tenant.Input) *vpc.VpcTenantArgs {
		return &vpc.VpcTenantArgs{Input: in}
	}),
	spec.ModelSubnet: component(subnet.NewSubnetTenant, func(in tenant.Input) *subnet.SubnetTenantArgs {
		return &subnet.SubnetTenantArgs{Input: in}
	}),
	spec.ModelContainer: component(container.NewContainerTenant, func(in tenant.Input) *container.ContainerTenantArgs {
		return &container.ContainerTenantArgs{Input: in}
	}),
	spec.ModelApplication: component(application.NewApplicationTenant, func(in tenant.Input) *application.ApplicationTenantArgs {
		return &application.ApplicationTenantArgs{Input: in}
	}),
}

// componentTypes are every model's component type.
var componentTypes = map[spec.IsolationModel]string{
	spec.ModelAccount:     account.ComponentType,
	spec.ModelVPC:         vpc.ComponentType,
	spec.ModelSubnet:      subnet.ComponentType,
	spec.ModelContainer:   container.ComponentType,
	spec.ModelApplication: application.ComponentType,
}

// ModelAliases are the aliases of a model's component: the component types
// of the other models, under the same name. A tenant's stack that changes
// model (tenantctl migrate) then diffs one resource graph against the old:
// a child of the same logical name and type in both models (its registry
// item, data table, service, roles, DNS record) is the same resource,
// updated in place rather than created anew beside the old one, which would
// clash with its physical name, and deleted at the end of the update, which
// would take the new one's registry item or DNS record with it. Children
// inherit the aliases from their component. Against a stack that never
// changed model no alias matches anything.
func ModelAliases(m spec.IsolationModel) []pulumi.Alias {
	var out []pulumi.Alias
	for _, other := range spec.Models {
		if other != m {
			out = append(out, pulumi.Alias{Type: pulumi.String(componentTypes[other])})
		}
	}
	return out
}

// component adapts a model's NewXTenant to a Builder: the component is named
// after the tenant (its children's logical names start with the tenant id),
// carries the stack's provider to every child and is aliased to the other
// models' components (ModelAliases).
func component[A any, C interface{ Outputs() pulumi.Map }](
	newTenant func(*pulumi.Context, string, *A, ...pulumi.ResourceOption) (C, error),
	args func(tenant.Input) *A,
) Builder {
	return func(ctx *pulumi.Context, in tenant.Input) (Outputs, error) {
		c, err := newTenant(ctx, in.Tenant.ID, args(in), pulumi.Providers(in.Provider), pulumi.Aliases(ModelAliases(in.Tenant.Model)))
		if err != nil {
			return nil, err
		}
		return c.Outputs(), nil
	}
}

// Program is the Pulumi program of one stack: "platform", or a tenant id. The
// fleet must be Validated (spec.LoadDir, spec.Finish): the models build on the
// rules validation enforces and do not check them again. The platform stack
// builds its Lambda functions from the module's source (lambdabuild.Go).
func Program(f *spec.Fleet, stack string) (pulumi.RunFunc, error) {
	return ProgramWith(f, stack, Options{})
}

// Options of ProgramWith.
type Options struct {
	// Observe, when set, receives the stack's outputs as the program
	// exports them: the offline renderer reads the emulator gaps a stack
	// applied from them.
	Observe func(Outputs)
	// Lambdas builds the platform's Lambda packages; a lambdabuild.Go over
	// the module found from the working directory when nil. The offline
	// renderer passes lambdabuild.Unbuilt.
	Lambdas lambdabuild.Builder
}

// ErrNotValidated is Program's refusal of a fleet that validation did not pass.
var ErrNotValidated = errors.New("models: the fleet is not validated; load it with spec.LoadDir, which validates it (a fleet built in memory: spec.Finish)")

// ProgramWith is Program with options.
func ProgramWith(f *spec.Fleet, stack string, o Options) (pulumi.RunFunc, error) {
	if !f.Validated() {
		return nil, ErrNotValidated
	}
	observe, lambdas := o.Observe, o.Lambdas
	if lambdas == nil {
		lambdas = &lambdabuild.Go{}
	}
	finish := func(ctx *pulumi.Context, emu *emulation.Mode, outs Outputs) {
		if emu != nil {
			outs[emulation.OutputGaps] = pulumi.ToStringArray(emu.Applied())
		}
		if observe != nil {
			observe(outs)
		}
		export(ctx, outs)
	}
	if stack == PlatformStack {
		return func(ctx *pulumi.Context) error {
			emu, err := emulationOf(ctx)
			if err != nil {
				return fmt.Errorf("platform: %w", err)
			}
			outs, err := deployPlatform(ctx, f, emu, lambdas)
			if err != nil {
				return err
			}
			finish(ctx, emu, outs)
			return nil
		}, nil
	}
	t := f.Tenant(stack)
	if t == nil {
		return nil, fmt.Errorf("stack %q is neither %q nor a tenant of %s (no %s.yaml)", stack, PlatformStack, f.Dir, stack)
	}
	if _, ok := registry[t.Model]; !ok {
		// Validation admits only spec.Models; every one needs its component here.
		return nil, fmt.Errorf("models: no component builds the %s model", t.Model)
	}
	return func(ctx *pulumi.Context) error {
		emu, err := emulationOf(ctx)
		if err != nil {
			return fmt.Errorf("tenant %s: %w", t.ID, err)
		}
		// Every tenant stack reads the platform's: even an account-model
		// tenant, in an account of its own, is named in the platform's zone
		// and registered in its registry.
		name := configValue(ctx, ConfigPlatformStack)
		if name == "" {
			name = DefaultPlatformStack
		}
		ref, err := pulumi.NewStackReference(ctx, name, nil)
		if err != nil {
			return fmt.Errorf("tenant %s: platform stack %s: %w", t.ID, name, err)
		}
		outs, err := deploy(ctx, f, t, platform.FromStackReference(ref), emu)
		if err != nil {
			return err
		}
		finish(ctx, emu, outs)
		return nil
	}, nil
}

// emulationOf reads the stack's emulator mode from its configuration (nil
// when the stack is pointed at AWS).
func emulationOf(ctx *pulumi.Context) (*emulation.Mode, error) {
	return emulation.FromConfig(func(key string) string { return configValue(ctx, key) })
}

func export(ctx *pulumi.Context, outs Outputs) {
	keys := make([]string, 0, len(outs))
	for k := range outs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		ctx.Export(k, outs[k])
	}
}

// deployPlatform builds the platform stack with its provider; emu is the
// stack's emulator mode, nil against AWS; lambdas builds its functions.
func deployPlatform(ctx *pulumi.Context, f *spec.Fleet, emu *emulation.Mode, lambdas lambdabuild.Builder) (Outputs, error) {
	args, err := provider.Args(f.Settings.PlatformRegion, spec.PlatformTags(&f.Settings), nil, emu.Provider())
	if err != nil {
		return nil, fmt.Errorf("platform: %w", err)
	}
	prov, err := provider.New(ctx, PlatformStack, args)
	if err != nil {
		return nil, err
	}
	p, err := platform.NewPlatform(ctx, PlatformStack, &platform.PlatformArgs{Fleet: f, Provider: prov, Emulation: emu, Lambdas: lambdas}, pulumi.Providers(prov))
	if err != nil {
		return nil, err
	}
	lc, err := platform.NewLifecycle(ctx, &f.Settings, p)
	if err != nil {
		return nil, fmt.Errorf("platform: %w", err)
	}
	return lc.AddOutputs(p.Outputs()), nil
}

// deploy builds a tenant's stack: its provider (and for the account model
// the platform account's), then its model through the registry. p is the
// platform as the stack sees it; emu is the stack's emulator mode, nil
// against AWS. The fleet is validated: the model is one the registry builds,
// and a tenant that builds on the platform's network is in the platform's
// region.
func deploy(ctx *pulumi.Context, f *spec.Fleet, t *spec.Tenant, p Platform, emu *emulation.Mode) (Outputs, error) {
	build := registry[t.Model]
	in := tenant.Input{Fleet: f, Tenant: t, Platform: p, Emulation: emu}
	var role *provider.AssumeRole
	if t.Model == spec.ModelAccount {
		var err error
		if role, err = assumeRole(ctx, f, t); err != nil {
			return nil, err
		}
		in.AccountID = pulumi.String(role.AccountID)
		if in.PermissionsBoundary = configValue(ctx, ConfigPermissionsBoundary); in.PermissionsBoundary == "" {
			in.PermissionsBoundary = fmt.Sprintf("arn:aws:iam::%s:policy/%s", role.AccountID, f.Settings.Organization.BoundaryPolicyName())
		}
	} else {
		in.AccountID = p.AccountID
	}
	args, err := provider.Args(t.Region, spec.CostTags(&f.Settings, t), role, emu.Provider())
	if err != nil {
		return nil, fmt.Errorf("tenant %s: %w", t.ID, err)
	}
	prov, err := provider.New(ctx, t.ID, args)
	if err != nil {
		return nil, err
	}
	in.Provider, in.PlatformProvider = prov, prov
	if role != nil {
		if in.PlatformProvider, err = platformProvider(ctx, f, t, emu); err != nil {
			return nil, err
		}
	}
	outs, err := build(ctx, in)
	if err != nil {
		return nil, fmt.Errorf("tenant %s (%s model): %w", t.ID, t.Model, err)
	}
	return outs, nil
}

// PlatformProviderSuffix ends the name of an account-model stack's second
// provider, the one of the platform's account.
const PlatformProviderSuffix = "platform"

// platformProvider is the account-model stack's provider of the platform's
// account: the platform's region, the deployment's own credentials (no role
// assumed, as the platform stack deploys), the tenant's cost tags as default
// tags and the stack's emulator endpoint.
func platformProvider(ctx *pulumi.Context, f *spec.Fleet, t *spec.Tenant, emu *emulation.Mode) (*aws.Provider, error) {
	args, err := provider.Args(f.Settings.PlatformRegion, spec.CostTags(&f.Settings, t), nil, emu.Provider())
	if err != nil {
		return nil, fmt.Errorf("tenant %s: platform account: %w", t.ID, err)
	}
	return provider.New(ctx, naming.Logical(t.ID, PlatformProviderSuffix), args)
}

// configValue reads tenantctl:<key> from the stack's configuration ("" when unset).
// It reads through the context rather than the config package, which would pull
// another module into the build for one lookup.
func configValue(ctx *pulumi.Context, key string) string {
	v, _ := ctx.GetConfig(ConfigKey(key))
	return v
}

// assumeRole resolves the account of an account-model tenant (the file's
// account.id, else the stack's tenantctl:accountId) and the external id, which
// must be set, and set as a secret.
func assumeRole(ctx *pulumi.Context, f *spec.Fleet, t *spec.Tenant) (*provider.AssumeRole, error) {
	acct := ""
	if t.Account != nil {
		acct = t.Account.ID
	}
	if acct == "" {
		acct = configValue(ctx, ConfigAccountID)
		if acct == "" {
			pool := t.Tier
			if t.Account != nil && t.Account.Pool != "" {
				pool = t.Account.Pool
			}
			return nil, fmt.Errorf("tenant %s: no account is assigned from pool %q; run `tenantctl accounts assign %s` or set %s:%s on the stack",
				t.ID, pool, t.ID, ConfigNamespace, ConfigAccountID)
		}
	}
	if !naming.IsAccountID(acct) {
		return nil, fmt.Errorf("tenant %s: account id %q is not 12 digits", t.ID, acct)
	}
	roleName := f.Settings.Organization.DeployRoleName
	switch r := configValue(ctx, ConfigAccountRole); r {
	case "", AccountRoleDeploy:
	case AccountRolePreview:
		roleName = f.Settings.Organization.PreviewRoleName
	default:
		return nil, fmt.Errorf("tenant %s: %s is %q; want %s or %s", t.ID, ConfigKey(ConfigAccountRole), r, AccountRoleDeploy, AccountRolePreview)
	}
	key := ConfigKey(ConfigExternalID)
	externalID, _ := ctx.GetConfig(key)
	if externalID == "" {
		return nil, fmt.Errorf("tenant %s: the account model assumes %s and needs an external id: pulumi config set --secret %s <id> -s %s",
			t.ID, provider.RoleARN(t.Region, acct, roleName), key, t.ID)
	}
	if !ctx.IsConfigSecret(key) {
		return nil, fmt.Errorf("tenant %s: %s is stored in plain text; set it again with pulumi config set --secret %s <id>", t.ID, key, key)
	}
	return &provider.AssumeRole{
		AccountID:  acct,
		RoleName:   roleName,
		ExternalID: pulumi.ToSecret(pulumi.String(externalID)).(pulumi.StringOutput),
		TenantID:   t.ID,
	}, nil
}
