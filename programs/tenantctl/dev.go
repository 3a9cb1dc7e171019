package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tenantctl/tenantctl/internal/devloop"
	"github.com/tenantctl/tenantctl/internal/emulator"
	"github.com/tenantctl/tenantctl/internal/externalid"
	"github.com/tenantctl/tenantctl/internal/render"
	"github.com/tenantctl/tenantctl/internal/rollout"
	"github.com/tenantctl/tenantctl/internal/rollout/auto"
	"github.com/tenantctl/tenantctl/internal/rollout/plan"
	"github.com/tenantctl/tenantctl/internal/rollout/runner"
	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/internal/stackconfig"
	"github.com/tenantctl/tenantctl/models/emulation"
)

func newDevCmd(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "dev",
		Short: "The local dev loop: the whole fleet on a local AWS emulator, no AWS account",
		Long: `dev up starts moto_server (or uses --endpoint-url), prepares the emulated
organization, and deploys the platform and every tenant to it with the rollout
driver, on a file backend under .tenantctl/dev. What the emulator cannot serve is
left out or adapted by the models, from the emulator's documented gap list, and
reported. dev status shows the loop; dev down destroys every stack and stops the
emulator dev up started.`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(newDevUpCmd(g), newDevDownCmd(g), newDevStatusCmd(g))
	return cmd
}

// devOptions are what the dev commands share.
type devOptions struct {
	g        *globalOptions
	endpoint endpointOptions
	dir      string

	paths        devloop.Paths
	fleetDir     string
	stackTimeout time.Duration
}

// devStackTimeout bounds one stack's attempt in the dev loop. Against an
// emulator a stack takes seconds to a few minutes; one that takes longer is
// stuck on a call the emulator answers with an error the provider keeps
// retrying, and should fail with what it waited on rather than hang dev up.
const devStackTimeout = 10 * time.Minute

func (d *devOptions) addFlags(cmd *cobra.Command) {
	cmd.Flags().StringVar(&d.dir, "dev-dir", "", "where the dev loop keeps its emulator record, secret, backend and journals (default <project>/.tenantctl/dev)")
}

// addRunFlags are the flags of the dev commands that run stacks.
func (d *devOptions) addRunFlags(cmd *cobra.Command) {
	cmd.Flags().DurationVar(&d.stackTimeout, "stack-timeout", devStackTimeout, "fail one stack's attempt that runs longer than this (0: no limit); the progress shows what a slow stack waits on")
}

func (d *devOptions) complete() error {
	abs, err := filepath.Abs(d.g.dir)
	if err != nil {
		return err
	}
	d.fleetDir = abs
	if d.dir == "" {
		d.dir = filepath.Join(filepath.Dir(abs), ".tenantctl", "dev")
	}
	d.paths = devloop.Paths{Dir: d.dir}
	if d.stackTimeout < 0 {
		return usageError(fmt.Errorf("--stack-timeout %s: want a duration above 0 (e.g. 10m), or 0 for no limit", d.stackTimeout))
	}
	d.endpoint.complete()
	return d.endpoint.validate()
}

func (d *devOptions) load() (*spec.Fleet, error) {
	f, err := spec.LoadDir(d.g.dir)
	if err != nil {
		return nil, withCode(ExitInvalid, fmt.Errorf("the fleet in %s is invalid (see `tenantctl validate`):\n%w", d.g.dir, err))
	}
	return f, nil
}

// secret is the dev fleet's external-id secret.
func (d *devOptions) secret() ([]byte, string, error) {
	s, fromEnv, err := d.paths.ExternalIDSecret(os.Getenv(externalid.EnvSecret))
	if err != nil {
		return nil, "", withCode(ExitInvalid, err)
	}
	if fromEnv {
		return s, "from " + externalid.EnvSecret, nil
	}
	return s, "kept in " + d.paths.Secret(), nil
}

// run is how the dev loop runs its stacks: every one on the dev backend, with
// the dev passphrase and secret, pointed at the emulator; resolve, when set,
// finds pool-drawn account tenants their account.
func (d *devOptions) run(op plan.Op, secret []byte, resolve func(tenantID string) (string, error)) *runOptions {
	return &runOptions{
		g: d.g, stateDir: d.paths.Dir, attempts: runner.DefaultRetry.Attempts, output: "text", stackTimeout: d.stackTimeout,
		engine: engineOptions{
			op: op, backend: d.paths.Backend(), endpoint: d.endpoint,
			env:              map[string]string{"PULUMI_CONFIG_PASSPHRASE": devloop.Passphrase, "PULUMI_CONFIG_PASSPHRASE_FILE": ""},
			externalIDSecret: secret, resolveAccount: resolve,
		},
	}
}

// devWaves are the waves of every dev rollout: after the platform's, one wave
// of every stack, four at a time, halting at the first failure.
var devWaves = plan.WaveOptions{
	Waves: []plan.Quantity{{N: 100, Percent: true}}, MaxConcurrency: plan.Quantity{N: 4}, Mode: plan.ModeSoft,
}

// plan plans a dev rollout of op over the stacks sel picks from f; selection
// is how the journal names them.
func (d *devOptions) plan(f *spec.Fleet, op plan.Op, sel plan.Selector, selection string) (*plan.Plan, error) {
	fleet, err := fleetPath(d.g.dir)
	if err != nil {
		return nil, err
	}
	return newPlan(f, sel, devWaves, plan.Plan{Op: op, Fleet: fleet, Backend: d.paths.Backend(), Selection: selection}, nil)
}

// checkPlugins stops before any stack runs when the engine lacks the AWS
// provider plugin: the dev loop never downloads (a laptop may be offline),
// and the message says how to get it.
func (d *devOptions) checkPlugins(ctx context.Context) error {
	r := d.run(plan.OpUp, nil, nil)
	missing, err := auto.MissingPlugins(ctx, r.engine.autoOptions(rollout.WorkRoot(r.stateDir)))
	if err != nil {
		return withCode(ExitInvalid, err)
	}
	if len(missing) == 0 {
		return nil
	}
	var lines []string
	for _, p := range missing {
		lines = append(lines, fmt.Sprintf("  pulumi plugin install resource %s %s", p.Name, p.Version))
	}
	return withCode(ExitInvalid, fmt.Errorf("the Pulumi %s provider plugin is not installed, and the dev loop does not download it. On a machine with internet run:\n%s\n(or copy ~/.pulumi/plugins/resource-%s-%s from a machine that has it), then run this again",
		missing[0].Name, strings.Join(lines, "\n"), missing[0].Name, missing[0].Version))
}

// stacks are the dev stacks the backend holds.
func (d *devOptions) stacks() ([]devloop.Stack, error) {
	return d.paths.StackFiles(render.Project, emulation.OutputGaps)
}

// runningEmulator is the endpoint to use: the flag's (or $AWS_ENDPOINT_URL),
// else the emulator dev up started, if it still runs.
func (d *devOptions) runningEmulator(ctx context.Context) (*devloop.Emulator, bool, error) {
	if d.endpoint.url != "" {
		return nil, emulator.WaitReady(ctx, d.endpoint.url, 5*time.Second) == nil, nil
	}
	rec, alive, err := d.paths.RunningEmulator(ctx)
	if err != nil {
		return nil, false, withCode(ExitInvalid, err)
	}
	if alive {
		d.endpoint.url = rec.URL
	}
	return rec, alive, nil
}

// gapReport renders every stack offline as it will deploy to the emulator
// and returns, per gap id, the stacks that apply it. Accounts not assigned
// yet render with a placeholder: the gaps do not depend on the account.
func gapReport(f *spec.Fleet, extra map[string]string, secret []byte) (map[string][]string, error) {
	progs := stackconfig.Programs(f, stackconfig.Options{
		ExternalIDSecret: secret,
		ResolveAccount:   func(string) (string, error) { return "000000000000", nil },
		Extra:            stackconfig.FromStrings(extra),
	})
	graphs, err := render.Stacks(f, render.AllStacks(f), progs.Config)
	if err != nil {
		return nil, err
	}
	by := map[string][]string{}
	for _, g := range graphs {
		for _, id := range g.EmulatorGaps {
			by[id] = append(by[id], g.Stack)
		}
	}
	return by, nil
}
