// Package stackconfig gives every stack tenantctl drives its program and its
// configuration: the isolation model's program (models.Program), what the spec
// says about the stack (FromSpec) and, for account-model tenants, the
// account to deploy into, the role to assume there and the external id that
// role requires. Those are resolved when the stack runs, never stored in the
// repository: the account from the lifecycle's TENANT_ID tag when the tenant
// file names none, the external id derived the same way baselining derived it
// (internal/externalid): a preview's from the preview key, for the read-only
// preview role; every other operation's from the fleet secret, for the deploy
// role.
package stackconfig

import (
	"context"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/tenantctl/tenantctl/internal/accounts"
	"github.com/tenantctl/tenantctl/internal/awscfg"
	"github.com/tenantctl/tenantctl/internal/externalid"
	"github.com/tenantctl/tenantctl/internal/iampolicy"
	"github.com/tenantctl/tenantctl/internal/lambdabuild"
	"github.com/tenantctl/tenantctl/internal/rollout/plan"
	"github.com/tenantctl/tenantctl/internal/rollout/runner"
	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/models"
)

// Options are what the stacks' configuration needs beyond the spec.
type Options struct {
	// Op is the operation the stacks run for: OpPreview assumes each account's
	// read-only preview role; any other (and none) the deploy role.
	Op plan.Op
	// ExternalIDSecret is the fleet secret (externalid.EnvSecret); account-model
	// stacks cannot run without it, except previews given PreviewKey.
	ExternalIDSecret []byte
	// PreviewKey is the preview key (externalid.EnvPreviewKey), all a preview
	// pipeline holds; derived from ExternalIDSecret when empty.
	PreviewKey []byte
	// ResolveAccount returns the account the lifecycle gave a tenant whose file
	// names no account id (accounts.ResolveTenantAccount).
	ResolveAccount func(tenantID string) (string, error)
	// PlatformStack is the platform stack's fully qualified name as tenant
	// stacks reference it; the models' default (a local file backend's) when empty.
	PlatformStack string
	// Extra is added to every stack's configuration (e.g. an emulator endpoint).
	Extra map[string]auto.ConfigValue
	// Lambdas builds the platform's Lambda packages; models.Program's
	// (built from the module's source) when nil.
	Lambdas lambdabuild.Builder
}

// Programs returns the fleet's stacks for the rollout driver.
func Programs(f *spec.Fleet, o Options) runner.Programs {
	return programs{f: f, o: o}
}

type programs struct {
	f *spec.Fleet
	o Options
}

func (p programs) Program(stack string) (pulumi.RunFunc, error) {
	return models.ProgramWith(p.f, stack, models.Options{Lambdas: p.o.Lambdas})
}

// ModelPrograms gives the stacks the given program, with each stack's
// configuration from the spec alone (FromSpec): what tests and tools that
// bring their own program need.
func ModelPrograms(f *spec.Fleet, program func(f *spec.Fleet, stack string) (pulumi.RunFunc, error)) runner.Programs {
	return modelPrograms{f: f, program: program}
}

type modelPrograms struct {
	f       *spec.Fleet
	program func(*spec.Fleet, string) (pulumi.RunFunc, error)
}

func (m modelPrograms) Program(stack string) (pulumi.RunFunc, error) { return m.program(m.f, stack) }
func (m modelPrograms) Config(stack string) (map[string]auto.ConfigValue, error) {
	return FromSpec(m.f, stack)
}

func (p programs) Config(stack string) (map[string]auto.ConfigValue, error) {
	cfg, err := FromSpec(p.f, stack)
	if err != nil {
		return nil, err
	}
	for k, v := range p.o.Extra {
		cfg[k] = v
	}
	if p.o.PlatformStack != "" {
		cfg[models.ConfigKey(models.ConfigPlatformStack)] = auto.ConfigValue{Value: p.o.PlatformStack}
	}
	t := p.f.Tenant(stack)
	if t == nil || t.Model != spec.ModelAccount {
		return cfg, nil
	}
	account, err := p.account(t)
	if err != nil {
		return nil, err
	}
	role, extID, err := p.role(stack, account)
	if err != nil {
		return nil, err
	}
	cfg[models.ConfigKey(models.ConfigAccountID)] = auto.ConfigValue{Value: account}
	// Always set, so a workspace that last ran a preview never keeps its role.
	cfg[models.ConfigKey(models.ConfigAccountRole)] = auto.ConfigValue{Value: role}
	cfg[models.ConfigKey(models.ConfigExternalID)] = auto.ConfigValue{Value: extID, Secret: true}
	cfg[models.ConfigKey(models.ConfigPermissionsBoundary)] = auto.ConfigValue{
		Value: accounts.BoundaryARN(iampolicy.Partition(t.Region), account, &p.f.Settings.Organization)}
	return cfg, nil
}

// role is the role an account-model stack assumes for the operation, and its
// external id: a preview runs the pull request's code, so it gets the
// read-only preview role and needs only the preview key; every other
// operation changes the stack and gets the deploy role.
func (p programs) role(stack, account string) (string, string, error) {
	if p.o.Op == plan.OpPreview {
		key := p.o.PreviewKey
		if len(key) == 0 && len(p.o.ExternalIDSecret) > 0 {
			key = []byte(externalid.PreviewKey(p.o.ExternalIDSecret))
		}
		if len(key) == 0 {
			return "", "", fmt.Errorf("stack %s: previews of account-model tenants assume the read-only preview role (organization.previewRoleName), whose external id derives from the preview key; set %s to the output of `tenantctl accounts external-id --preview-key` (never give a preview the fleet secret)", stack, externalid.EnvPreviewKey)
		}
		return models.AccountRolePreview, externalid.DerivePreview(key, account), nil
	}
	if len(p.o.ExternalIDSecret) == 0 {
		return "", "", fmt.Errorf("stack %s: an account-model tenant's deploy role requires an external id derived from the fleet secret; set %s (the secret `tenantctl accounts vend` baselined the accounts with)", stack, externalid.EnvSecret)
	}
	return models.AccountRoleDeploy, externalid.Derive(p.o.ExternalIDSecret, account), nil
}

// account is the tenant's account: the one its file names, else the one the
// account lifecycle assigned.
func (p programs) account(t *spec.Tenant) (string, error) {
	if t.Account != nil && t.Account.ID != "" {
		return t.Account.ID, nil
	}
	if p.o.ResolveAccount == nil {
		return "", fmt.Errorf("stack %s: the tenant file names no account id and no account lifecycle is reachable to resolve it; run `tenantctl accounts assign %s` or set account.id in %s", t.ID, t.ID, t.Source.File)
	}
	id, err := p.o.ResolveAccount(t.ID)
	if err != nil {
		return "", fmt.Errorf("stack %s: resolving the tenant's account: %w (run `tenantctl accounts assign %s` first)", t.ID, err, t.ID)
	}
	return id, nil
}

// AccountResolver resolves pool-drawn tenants' accounts through the account
// lifecycle's tags. The organization is read once, on the first call, so a
// rollout without such tenants never needs AWS credentials for it. load gives
// the SDK configuration (LoadAWS for AWS itself).
func AccountResolver(ctx context.Context, settings *spec.Settings, load func(context.Context) (aws.Config, error)) func(tenantID string) (string, error) {
	var (
		once sync.Once
		inv  *accounts.Inventory
		err  error
	)
	return func(tenantID string) (string, error) {
		once.Do(func() {
			cfg, lerr := load(ctx)
			if lerr != nil {
				err = lerr
				return
			}
			m, merr := accounts.New(cfg, settings, accounts.Options{})
			if merr != nil {
				err = merr
				return
			}
			inv, err = m.Inventory(ctx)
		})
		if err != nil {
			return "", err
		}
		return inv.TenantAccount(tenantID)
	}
}

// LoadAWS loads the SDK configuration for AWS (or $AWS_ENDPOINT_URL) the way
// every command does (internal/awscfg).
func LoadAWS(o awscfg.Options) func(context.Context) (aws.Config, error) {
	return func(ctx context.Context) (aws.Config, error) { return awscfg.Load(ctx, o) }
}
