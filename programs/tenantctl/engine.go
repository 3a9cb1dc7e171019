package main

import (
	"context"
	"fmt"
	"os"
	"runtime/debug"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/tenantctl/tenantctl/internal/awscfg"
	"github.com/tenantctl/tenantctl/internal/externalid"
	"github.com/tenantctl/tenantctl/internal/naming"
	"github.com/tenantctl/tenantctl/internal/rollout/auto"
	"github.com/tenantctl/tenantctl/internal/rollout/plan"
	"github.com/tenantctl/tenantctl/internal/rollout/runner"
	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/internal/stackconfig"
)

// engineOptions are what the engine of a fan-out is built from: the stacks'
// operation, the state backend and its secrets, the engine's parallelism, and
// the emulator endpoint.
type engineOptions struct {
	op                       plan.Op
	backend, secretsProvider string
	parallel                 int
	endpoint                 endpointOptions

	// Set by the dev loop: env overrides the engine's environment (the dev
	// passphrase), externalIDSecret the fleet secret, resolveAccount how
	// pool-drawn account tenants find their account.
	env              map[string]string
	externalIDSecret []byte
	resolveAccount   func(tenantID string) (string, error)
}

// fleetPrograms gives the rollout the isolation models' inline programs and
// each stack's configuration; account-model stacks get their account and the
// external id derived from TENANTCTL_EXTERNAL_ID_SECRET (or the command's
// own secret), a preview's from TENANTCTL_PREVIEW_EXTERNAL_ID_KEY for the
// read-only preview role. With an endpoint every stack is pointed at the emulator, and
// accounts are resolved there.
func fleetPrograms(e *engineOptions, f *spec.Fleet) (runner.Programs, error) {
	ctx := context.Background()
	so := stackconfig.Options{Op: e.op, ExternalIDSecret: e.externalIDSecret}
	load := stackconfig.LoadAWS(awscfg.Options{Region: f.Settings.PlatformRegion})
	if e.endpoint.url != "" {
		cfg, dummy, err := e.endpoint.sdkConfig(ctx, f.Settings.PlatformRegion)
		if err != nil {
			return nil, err
		}
		so.Extra = stackconfig.FromStrings(e.endpoint.stackConfig(dummy))
		load = func(context.Context) (aws.Config, error) { return cfg, nil }
	}
	so.ResolveAccount = e.resolveAccount
	if so.ResolveAccount == nil {
		so.ResolveAccount = stackconfig.AccountResolver(ctx, &f.Settings, load)
	}
	if v := os.Getenv(externalid.EnvSecret); v != "" && so.ExternalIDSecret == nil {
		secret, err := externalid.ParseSecret(v)
		if err != nil {
			return nil, err
		}
		so.ExternalIDSecret = secret
	}
	if v := os.Getenv(externalid.EnvPreviewKey); v != "" && e.op == plan.OpPreview {
		key, err := externalid.ParsePreviewKey(v)
		if err != nil {
			return nil, err
		}
		so.PreviewKey = key
	}
	return stackconfig.Programs(f, so), nil
}

// programsFor is fleetPrograms, replaceable in tests.
var programsFor = fleetPrograms

// newDeployer builds the engine the fan-out commands drive; tests replace it
// with a simulated one.
var newDeployer = func(ctx context.Context, progs runner.Programs, o auto.Options) (runner.Deployer, error) {
	d, err := auto.New(ctx, progs, o)
	if err != nil {
		return nil, err
	}
	return d, nil
}

// pluginsFor is enginePlugins, replaceable in tests (no plugin downloads there).
var pluginsFor = enginePlugins

// enginePlugins are the resource plugins of the providers linked into this
// binary, at the versions go.mod pins, installed once before the fan-out.
func enginePlugins() []auto.Plugin {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return nil
	}
	var out []auto.Plugin
	for _, d := range info.Deps {
		if d.Path == "github.com/pulumi/pulumi-aws/sdk/v6" {
			out = append(out, auto.Plugin{Name: "aws", Version: d.Version})
		}
	}
	return out
}

// autoOptions are the Automation API engine's settings, its workspaces under
// workRoot.
func (e *engineOptions) autoOptions(workRoot string) auto.Options {
	return auto.Options{
		Project:         naming.Project,
		WorkRoot:        workRoot,
		Backend:         e.backend,
		SecretsProvider: e.secretsProvider,
		Env:             e.engineEnv(),
		Parallel:        e.parallel,
		Plugins:         pluginsFor(),
	}
}

// engineEnv is the environment every stack's engine gets: the passphrase of
// the secrets provider from this process's environment, then e.env.
func (e *engineOptions) engineEnv() map[string]string {
	env := map[string]string{}
	for _, k := range []string{"PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE"} {
		if v, ok := os.LookupEnv(k); ok {
			env[k] = v
		}
	}
	for k, v := range e.env {
		env[k] = v
	}
	return env
}

// checkSecrets fails early, before any stack runs, when a self-managed backend
// has no way to encrypt secrets.
func (e *engineOptions) checkSecrets() error {
	if strings.HasPrefix(e.backend, "https://") {
		return nil // Pulumi Cloud encrypts with its own key by default
	}
	if e.secretsProvider != "" && e.secretsProvider != "passphrase" {
		return nil
	}
	if env := e.engineEnv(); env["PULUMI_CONFIG_PASSPHRASE"] == "" && env["PULUMI_CONFIG_PASSPHRASE_FILE"] == "" {
		return withCode(ExitInvalid, fmt.Errorf("the backend %s needs a secrets provider: set PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE), or pass --secrets-provider awskms://<key>", e.backend))
	}
	return nil
}
