package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/cobra"

	"github.com/tenantctl/tenantctl/internal/awscfg"
	"github.com/tenantctl/tenantctl/internal/externalid"
	"github.com/tenantctl/tenantctl/internal/rollout/auto"
	"github.com/tenantctl/tenantctl/internal/rollout/journal"
	"github.com/tenantctl/tenantctl/internal/rollout/outcome"
	"github.com/tenantctl/tenantctl/internal/rollout/plan"
	"github.com/tenantctl/tenantctl/internal/rollout/report"
	"github.com/tenantctl/tenantctl/internal/rollout/runner"
	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/internal/stackconfig"
	"github.com/tenantctl/tenantctl/internal/textsafe"

	"github.com/tenantctl/tenantctl/internal/naming"
)

// Exit codes of the fan-out commands (preview, rollout, refresh, destroy),
// beyond ExitOK, ExitInvalid (also: a stack failed) and ExitUsage.
const (
	// ExitHalted: a wave went over its failure tolerance and the rollout halted.
	ExitHalted = 3
	// ExitLocked: another rollout against the same backend and fleet holds the lock.
	ExitLocked = 4
	// ExitDrift: refresh --drift found stacks whose resources drifted.
	ExitDrift = 5
	// ExitCancelled: interrupted (Ctrl-C / SIGTERM); `rollout --resume` continues.
	ExitCancelled = 130
)

// fleetPrograms gives the rollout the isolation models' inline programs and
// each stack's configuration; account-model stacks get their account and the
// external id derived from TENANTCTL_EXTERNAL_ID_SECRET (or the command's
// own secret), a preview's from TENANTCTL_PREVIEW_EXTERNAL_ID_KEY for the
// read-only preview role. With an endpoint every stack is pointed at the emulator, and
// accounts are resolved there.
func fleetPrograms(o *fanoutOptions, f *spec.Fleet) (runner.Programs, error) {
	ctx := context.Background()
	so := stackconfig.Options{Op: o.op, ExternalIDSecret: o.externalIDSecret}
	load := stackconfig.LoadAWS(awscfg.Options{Region: f.Settings.PlatformRegion})
	if o.endpoint.url != "" {
		cfg, dummy, err := o.endpoint.sdkConfig(ctx, f.Settings.PlatformRegion)
		if err != nil {
			return nil, err
		}
		so.Extra = autoConfig(o.endpoint.stackConfig(dummy))
		load = func(context.Context) (aws.Config, error) { return cfg, nil }
	}
	so.ResolveAccount = o.resolveAccount
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
	if v := os.Getenv(externalid.EnvPreviewKey); v != "" && o.op == plan.OpPreview {
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

// loadFleet loads and validates the fleet of the fan-out commands; tests
// replace it to hand the selection a fleet validation would refuse.
var loadFleet = spec.LoadDir

// newDeployer builds the engine the fan-out commands drive; tests replace it
// with a simulated one.
var newDeployer = func(ctx context.Context, o *fanoutOptions, f *spec.Fleet, progs runner.Programs) (runner.Deployer, error) {
	return auto.New(ctx, progs, auto.Options{
		Project:         naming.Project,
		WorkRoot:        filepath.Join(o.stateDir, "workspaces"),
		Backend:         o.backend,
		SecretsProvider: o.secretsProvider,
		Env:             o.engineEnv(),
		Parallel:        o.parallel,
		Plugins:         pluginsFor(),
	})
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

// fanoutOptions are the flags the fan-out commands share.
type fanoutOptions struct {
	g  *globalOptions
	op plan.Op

	tenants, tiers, models, labels []string
	changedSince, shard, release   string
	platform                       bool

	canary                             int
	waves, maxConcurrency, tolerance   string
	mode                               string
	attempts                           int
	backend, secretsProvider, stateDir string
	parallel                           int
	stackTimeout                       time.Duration
	output, summaryMD                  string
	drift, many, offboarding           bool
	endpoint                           endpointOptions

	// Set by commands that drive the fan-out themselves (dev up, dev down):
	// env overrides the engine's environment (the dev passphrase),
	// externalIDSecret the fleet secret, resolveAccount how pool-drawn
	// account tenants find their account.
	env              map[string]string
	externalIDSecret []byte
	resolveAccount   func(tenantID string) (string, error)

	// resolved by complete
	sel      plan.Selector
	waveOpts plan.WaveOptions
	fleetDir string
}

func (o *fanoutOptions) addSelectionFlags(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.StringSliceVar(&o.tenants, "tenant", nil, "select tenants by id (repeatable, comma-separated)")
	fs.StringSliceVar(&o.tiers, "tier", nil, "select tenants of these tiers")
	fs.StringSliceVar(&o.models, "model", nil, "select tenants of these isolation models")
	fs.StringArrayVar(&o.labels, "label", nil, "select tenants carrying label key=value (repeatable; all must match)")
	fs.StringVar(&o.changedSince, "changed-since", "", "select tenants whose files changed since this git ref (every tenant when models, programs, internal, fleet.yaml or go.mod changed)")
	fs.StringVar(&o.shard, "shard", "", "run shard i/n of the selection (split by a stable hash of the tenant id)")
	fs.StringVar(&o.release, "release", "", "the release being rolled out; tenants pinned to another release are skipped")
	fs.BoolVar(&o.platform, "platform", false, "include the platform stack (it runs first, alone)")
}

func (o *fanoutOptions) addRunFlags(cmd *cobra.Command, defaultTolerance string) {
	fs := cmd.Flags()
	fs.IntVar(&o.canary, "canary", 0, "a first wave of N tenants of the lowest tier rank")
	fs.StringVar(&o.waves, "waves", "100%", "cumulative wave sizes after the canary, counts or percentages, e.g. 10%,50%,100%")
	fs.StringVar(&o.maxConcurrency, "max-concurrency", "10", "stacks run at once per wave: N or P% of the wave")
	fs.StringVar(&o.tolerance, "failure-tolerance", defaultTolerance, "failed stacks a wave absorbs before the rollout halts: N or P% of the wave")
	fs.StringVar(&o.mode, "tolerance-mode", "soft", "strict: lower concurrency as failures mount so failures never exceed tolerance+1 (StackSets STRICT_FAILURE_TOLERANCE); soft: keep max concurrency (SOFT_FAILURE_TOLERANCE)")
	fs.IntVar(&o.attempts, "attempts", runner.DefaultRetry.Attempts, "most attempts per stack; only transient errors (locked stack, throttling, network) are retried, with exponential backoff and jitter")
	fs.StringVar(&o.backend, "backend", "", "state backend URL (default: $PULUMI_BACKEND_URL, else file://<project>/.tenantctl/state)")
	fs.StringVar(&o.secretsProvider, "secrets-provider", "", "secrets provider of new stacks: passphrase (PULUMI_CONFIG_PASSPHRASE) or a KMS URL such as awskms://alias/tenantctl")
	fs.IntVar(&o.parallel, "parallel", 0, "the engine's --parallel: resource operations at once within one stack (0: the engine's default)")
	fs.DurationVar(&o.stackTimeout, "stack-timeout", 0, "fail one stack's attempt that runs longer than this, e.g. 45m (0: no limit)")
	fs.StringVar(&o.stateDir, "state-dir", "", "where journals, logs, locks and workspaces go (default <project>/.tenantctl)")
	fs.StringVarP(&o.output, "output", "o", "text", "report format on stdout: text or json")
	fs.StringVar(&o.summaryMD, "summary-md", "", "also write a markdown summary for a pull request comment to this file (kept under 65,536 characters)")
	o.endpoint.addFlags(cmd)
}

// engineEnv is the environment every stack's engine gets: the passphrase of
// the secrets provider from this process's environment, then o.env.
func (o *fanoutOptions) engineEnv() map[string]string {
	env := map[string]string{}
	for _, k := range []string{"PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE"} {
		if v, ok := os.LookupEnv(k); ok {
			env[k] = v
		}
	}
	for k, v := range o.env {
		env[k] = v
	}
	return env
}

// complete fills defaults from the environment and the project layout.
func (o *fanoutOptions) complete() error {
	abs, err := filepath.Abs(o.g.dir)
	if err != nil {
		return err
	}
	o.fleetDir = abs
	// Plans and the rollout lock name the fleet by its real path, so a symlink
	// to it is the same fleet. A directory that does not exist is reported by
	// the fleet loader.
	if real, err := plan.RealPath(abs); err == nil {
		o.fleetDir = real
	}
	project := filepath.Dir(abs)
	if o.stateDir == "" {
		o.stateDir = filepath.Join(project, ".tenantctl")
	}
	if o.backend == "" {
		o.backend = os.Getenv("PULUMI_BACKEND_URL")
	}
	if o.backend == "" {
		o.backend = "file://" + filepath.Join(o.stateDir, "state")
	}
	o.endpoint.complete()
	return nil
}

// validate checks the flags without touching the fleet; mistakes are usage errors.
func (o *fanoutOptions) validate() error {
	bad := func(err error) error { return usageError(err) }
	var err error
	o.sel = plan.Selector{Tenants: o.tenants, Tiers: o.tiers, Models: o.models, Labels: o.labels, Release: o.release, Platform: o.platform, Offboarding: o.offboarding}
	if o.shard != "" {
		if o.sel.Shard, o.sel.Shards, err = plan.ParseShard(o.shard); err != nil {
			return bad(err)
		}
	}
	w := plan.WaveOptions{Canary: o.canary, Mode: plan.Mode(o.mode)}
	if w.Waves, err = plan.ParseWaves(o.waves); err != nil {
		return bad(err)
	}
	if w.MaxConcurrency, err = plan.ParseQuantity(o.maxConcurrency); err != nil {
		return bad(fmt.Errorf("--max-concurrency %q: want a count of at least 1 or a percentage above 0%%", o.maxConcurrency))
	}
	if w.Tolerance, err = plan.ParseQuantity(o.tolerance); err != nil {
		return bad(fmt.Errorf("--failure-tolerance %w", err))
	}
	// The same checks a journaled plan passes on resume.
	if err := w.Check(); err != nil {
		return bad(err)
	}
	o.waveOpts = w
	if o.stackTimeout < 0 {
		return bad(fmt.Errorf("--stack-timeout %s: want a duration above 0 (e.g. 45m), or 0 for no limit", o.stackTimeout))
	}
	if err := plan.CheckRef(o.changedSince); err != nil {
		return bad(fmt.Errorf("--changed-since: %w", err))
	}
	if o.attempts < 1 {
		return bad(fmt.Errorf("--attempts %d: want at least 1", o.attempts))
	}
	if o.parallel < 0 {
		return bad(fmt.Errorf("--parallel %d: want 0 or more", o.parallel))
	}
	if o.output != "text" && o.output != "json" {
		return bad(fmt.Errorf("--output %q: want text or json", o.output))
	}
	return o.endpoint.validate()
}

// checkSecrets fails early, before any stack runs, when a self-managed backend
// has no way to encrypt secrets.
func (o *fanoutOptions) checkSecrets() error {
	if strings.HasPrefix(o.backend, "https://") {
		return nil // Pulumi Cloud encrypts with its own key by default
	}
	if o.secretsProvider != "" && o.secretsProvider != "passphrase" {
		return nil
	}
	if env := o.engineEnv(); env["PULUMI_CONFIG_PASSPHRASE"] == "" && env["PULUMI_CONFIG_PASSPHRASE_FILE"] == "" {
		return withCode(ExitInvalid, fmt.Errorf("the backend %s needs a secrets provider: set PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE), or pass --secrets-provider awskms://<key>", o.backend))
	}
	return nil
}

// run is a new fan-out from the flags: complete, validate, plan, execute.
func (o *fanoutOptions) run(ctx context.Context) error {
	if err := o.complete(); err != nil {
		return err
	}
	if err := o.validate(); err != nil {
		return err
	}
	f, p, err := o.plan(ctx)
	if err != nil {
		return err
	}
	return o.execute(ctx, f, p, nil)
}

// plan loads the fleet and plans the waves of a new rollout.
func (o *fanoutOptions) plan(ctx context.Context) (*spec.Fleet, *plan.Plan, error) {
	f, err := o.loadFleet()
	if err != nil {
		return nil, nil, err
	}
	if o.changedSince != "" {
		cs, err := plan.ChangedSince(ctx, o.g.dir, o.changedSince)
		if err != nil {
			return nil, nil, withCode(ExitInvalid, err)
		}
		o.sel.Changed = cs
	}
	sel, err := plan.Select(f, o.sel)
	if err != nil {
		return nil, nil, usageError(err)
	}
	waves, err := plan.PlanWaves(sel.Targets, o.waveOpts)
	if err != nil {
		return nil, nil, usageError(err)
	}
	now := time.Now()
	return f, &plan.Plan{
		ID: plan.NewID(now), Op: o.op, Drift: o.drift, Release: o.release, Created: now.UTC(),
		Fleet: o.fleetDir, Backend: o.backend, Selection: o.describe(), Waves: waves, Skipped: sel.Skipped,
	}, nil
}

// loadFleet loads the fleet of --dir; an invalid one is ExitInvalid.
func (o *fanoutOptions) loadFleet() (*spec.Fleet, error) {
	f, err := loadFleet(o.g.dir)
	if err != nil {
		return nil, withCode(ExitInvalid, fmt.Errorf("the fleet in %s is invalid (see `tenantctl validate`):\n%w", o.g.dir, err))
	}
	return f, nil
}

// describe is the selection as a command line, for the journal.
func (o *fanoutOptions) describe() string {
	var parts []string
	add := func(flag string, vals ...string) {
		for _, v := range vals {
			if v != "" {
				parts = append(parts, flag+"="+v)
			}
		}
	}
	add("--tenant", o.tenants...)
	add("--tier", o.tiers...)
	add("--model", o.models...)
	add("--label", o.labels...)
	add("--changed-since", o.changedSince)
	add("--shard", o.shard)
	add("--release", o.release)
	if o.platform {
		parts = append(parts, "--platform")
	}
	if len(parts) == 0 {
		return "all tenants"
	}
	return strings.Join(parts, " ")
}

// execute runs a plan (new, or resumed with prior) under the rollout lock and
// reports it; the returned error carries the exit code.
func (o *fanoutOptions) execute(ctx context.Context, f *spec.Fleet, p *plan.Plan, prior *journal.State) error {
	g := o.g
	if p.Stacks() == 0 {
		fmt.Fprintf(g.stderr, "%s: no stacks selected (%s)\n", o.op, textsafe.Escape(p.Selection))
		for _, s := range p.Skipped {
			fmt.Fprintf(g.stderr, "  skipped %s: %s\n", textsafe.Escape(s.Stack), textsafe.Escape(s.Reason))
		}
		return o.report(report.New(p, outcome.StatusSucceeded, "", nil, p.Created, time.Now()))
	}
	progs, err := programsFor(o, f)
	if err != nil {
		return withCode(ExitInvalid, err)
	}
	if err := o.checkSecrets(); err != nil {
		return err
	}
	// The plan's fleet and backend: the flags' for a new rollout, the journal's
	// on resume.
	lockPath, err := journal.LockPath(p.Backend, p.Fleet)
	if err != nil {
		return withCode(ExitInvalid, err)
	}
	host, _ := os.Hostname()
	lock, err := journal.Acquire(lockPath, journal.LockInfo{
		Rollout: p.ID, PID: os.Getpid(), Host: host, Started: time.Now().UTC(), Backend: p.Backend, Fleet: p.Fleet})
	if err != nil {
		var locked *journal.LockedError
		if errors.As(err, &locked) {
			return withCode(ExitLocked, err)
		}
		return withCode(ExitInvalid, err)
	}
	defer lock.Release()

	// The engine is set up (CLI found, plugins installed) before the journal
	// exists, so a failure here leaves no journal without a plan.
	dep, err := newDeployer(ctx, o, f, progs)
	if err != nil {
		return withCode(ExitInvalid, err)
	}

	path, err := journal.Path(o.stateDir, p.ID)
	if err != nil {
		return withCode(ExitInvalid, err)
	}
	var jl *journal.Journal
	if prior == nil {
		jl, err = journal.Create(path)
	} else {
		jl, err = journal.Reopen(path)
	}
	if err != nil {
		return withCode(ExitInvalid, err)
	}
	defer jl.Close()

	logDir := filepath.Join(o.stateDir, "rollouts", p.ID)
	fmt.Fprintf(g.stderr, "%s %s: %d stacks in %d waves (%s); journal %s, engine logs %s/\n",
		o.op, textsafe.Escape(p.ID), p.Stacks(), len(p.Waves), textsafe.Escape(p.Selection), textsafe.Escape(path), textsafe.Escape(logDir))
	pr := newProgressPrinter(g.stderr)
	rn := &runner.Runner{
		Deployer: dep, Journal: jl, Logs: runner.FileLogs(logDir), Observe: pr.handle, StackTimeout: o.stackTimeout,
		Retry: runner.Retry{Attempts: o.attempts, Base: runner.DefaultRetry.Base, Max: runner.DefaultRetry.Max},
	}
	started := time.Now()
	out, runErr := rn.Run(ctx, p, prior)
	pr.finish()
	if out == nil {
		if errors.Is(runErr, runner.ErrStacksLocked) {
			return withCode(ExitLocked, runErr)
		}
		return withCode(ExitInvalid, runErr)
	}
	rep := report.New(p, out.Status, out.Reason, out.Rows, started, time.Now())
	rep.Journal, rep.Logs = path, logDir
	if err := o.report(rep); err != nil {
		return err
	}
	if runErr != nil {
		return withCode(ExitInvalid, fmt.Errorf("the journal %s could not be written, so no stack was started after the failure: %w", path, runErr))
	}
	return outcomeError(rep)
}

// outcomeError maps the report to the documented exit codes. The reason holds
// stack names and engine errors: it is escaped like every text report.
func outcomeError(rep *report.Report) error {
	resume := fmt.Sprintf("; run `tenantctl %s` again", rep.Op)
	if rep.Op == plan.OpUp {
		resume = fmt.Sprintf("; `tenantctl rollout --resume %s` re-runs what did not succeed", textsafe.Escape(rep.ID))
	}
	reason := textsafe.Escape(rep.Reason)
	switch rep.Status {
	case outcome.StatusCancelled:
		return withCode(ExitCancelled, errors.New(reason+resume))
	case outcome.StatusHalted:
		return withCode(ExitHalted, errors.New(reason+resume))
	case outcome.StatusFailed:
		return withCode(ExitInvalid, fmt.Errorf("%d stacks failed (%s)", rep.Totals.Failed, reason))
	}
	if rep.Drift && rep.Totals.Changed > 0 {
		return withCode(ExitDrift, fmt.Errorf("%d stacks drifted from their recorded state", rep.Totals.Changed))
	}
	return nil
}

// report writes the final table or JSON to stdout and the markdown summary.
func (o *fanoutOptions) report(rep *report.Report) error {
	var err error
	if o.output == "json" {
		err = rep.WriteJSON(o.g.stdout)
	} else {
		err = rep.WriteTable(o.g.stdout)
	}
	if err != nil {
		return withCode(ExitInvalid, err)
	}
	if o.summaryMD != "" {
		if err := os.WriteFile(o.summaryMD, []byte(rep.Markdown(report.MarkdownLimit)), 0o644); err != nil {
			return withCode(ExitInvalid, fmt.Errorf("--summary-md: %w", err))
		}
	}
	return nil
}

// progressPrinter shows the rollout as it moves: on a terminal a progress line
// kept at the bottom under per-stack status lines; elsewhere (CI) plain lines.
type progressPrinter struct {
	mu  sync.Mutex
	w   io.Writer
	tty bool
}

func newProgressPrinter(w io.Writer) *progressPrinter {
	return &progressPrinter{w: w, tty: isTerminal(w) && os.Getenv("CI") == ""}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// handle prints one event. Stack names, wave names, errors and reasons are
// escaped (textsafe.Escape): they come from tenant files, the engine and the
// journal, and a control character must not drive the terminal.
func (p *progressPrinter) handle(ev runner.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var line string
	esc := textsafe.Escape
	switch ev.Kind {
	case "wave":
		line = fmt.Sprintf("== %s: %d stacks, up to %d at once, tolerates %d failures (%s)", esc(ev.Wave.Name), len(ev.Wave.Stacks), ev.Wave.Limit(0), ev.Wave.Tolerance, esc(string(ev.Wave.Mode)))
	case "start":
		if p.tty {
			break // the progress line shows what runs
		}
		line = fmt.Sprintf("[%d/%d] %s started", ev.Done, ev.Total, esc(ev.Stack))
	case "retry":
		line = fmt.Sprintf("[%d/%d] %s attempt %d failed (%s), retrying in %s", ev.Done, ev.Total, esc(ev.Stack), ev.Attempt, outcome.ClassOf(ev.Err), ev.Delay.Round(time.Second))
	case "done":
		r := ev.Row
		line = fmt.Sprintf("[%d/%d] %s %s %s (%s)", ev.Done, ev.Total, esc(r.Stack), r.Result, r.Changes.Counts(), r.Duration.Round(100*time.Millisecond))
		if r.Error != "" {
			line += ": " + esc(r.Error)
		}
	case "halt":
		line = "HALT " + esc(ev.Reason)
	}
	if p.tty {
		fmt.Fprint(p.w, "\r\033[K")
		if line != "" {
			fmt.Fprintln(p.w, line)
		}
		if ev.Kind != "end" {
			fmt.Fprint(p.w, bar(ev))
		}
		return
	}
	if line != "" {
		fmt.Fprintln(p.w, line)
	}
}

func (p *progressPrinter) finish() {
	if p.tty {
		p.mu.Lock()
		fmt.Fprint(p.w, "\r\033[K")
		p.mu.Unlock()
	}
}

// bar is the live progress line: [#####.....] done/total, running, failed.
func bar(ev runner.Progress) string {
	const width = 30
	filled := 0
	if ev.Total > 0 {
		filled = ev.Done * width / ev.Total
	}
	return fmt.Sprintf("[%s%s] %d/%d done, %d running, %d failed", strings.Repeat("#", filled), strings.Repeat(".", width-filled), ev.Done, ev.Total, ev.Running, ev.Failed)
}
