package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tenantctl/tenantctl/internal/rollout"
	"github.com/tenantctl/tenantctl/internal/rollout/gate"
	"github.com/tenantctl/tenantctl/internal/rollout/journal"
	"github.com/tenantctl/tenantctl/internal/rollout/outcome"
	"github.com/tenantctl/tenantctl/internal/rollout/plan"
	"github.com/tenantctl/tenantctl/internal/rollout/release"
	"github.com/tenantctl/tenantctl/internal/rollout/report"
	"github.com/tenantctl/tenantctl/internal/rollout/runner"
	"github.com/tenantctl/tenantctl/internal/rollout/unchanged"
	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/internal/textsafe"
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

// loadFleet loads and validates the fleet of the fan-out commands; tests
// replace it to hand the selection a fleet validation would refuse.
var loadFleet = spec.LoadDir

// runOptions are how a plan runs and where its report goes: what the fan-out
// commands and the dev loop hand the rollout driver beside the plan.
type runOptions struct {
	g            *globalOptions
	engine       engineOptions
	stateDir     string
	attempts     int
	stackTimeout time.Duration
	// runnerIndex of runnerCount: this process's part of a rollout shared
	// by several runners (0 of 0: the whole of it).
	runnerIndex, runnerCount int

	output, summaryMD string
}

// execute runs a plan (new, or resumed with prior) through the rollout driver
// with the programs of the fleet f, prints its report and returns the error
// that carries the exit code. A rollout that halts with --on-halt rollback is
// rolled back at once, and the rollback's report comes with its own.
func (r *runOptions) execute(ctx context.Context, f *spec.Fleet, p *plan.Plan, prior *journal.State) error {
	rep, err := r.run(ctx, f, p, prior)
	if err == nil && rep != nil && rep.Status == outcome.StatusHalted && p.OnHalt == plan.OnHaltRollback {
		fmt.Fprintf(r.g.stderr, "on halt: rolling %s back\n", textsafe.Escape(rep.ID))
		rb, rbErr := r.rollbackOf(ctx, rep.ID, false)
		rep.Rollback = rb
		if rbErr != nil {
			fmt.Fprintf(r.g.stderr, "on halt: the rollback of %s did not run: %s\n", textsafe.Escape(rep.ID), textsafe.Escape(rbErr.Error()))
		}
	}
	return r.finish(rep, err)
}

// finish prints a run's report and gives its outcome the exit code.
func (r *runOptions) finish(rep *report.Report, err error) error {
	if rep != nil {
		if err := r.report(rep); err != nil {
			return err
		}
	}
	if err != nil {
		return executeError(err)
	}
	return outcomeError(rep)
}

// run runs a plan through the rollout driver with the fleet's programs and
// the engine the flags say, progress on stderr, and returns its report (with
// the tenants' URLs) unprinted: the fan-out commands print it, the lifecycle
// workflows judge it.
func (r *runOptions) run(ctx context.Context, f *spec.Fleet, p *plan.Plan, prior *journal.State) (*report.Report, error) {
	return r.runPlan(ctx, f, p, prior, func() (runner.Programs, error) {
		progs, err := programsFor(&r.engine, f)
		if err != nil {
			return nil, withCode(ExitInvalid, err)
		}
		return progs, r.engine.checkSecrets()
	})
}

// runPlan runs a plan through the rollout driver with the stacks' programs,
// showing its progress, and returns the report (nil when nothing ran) and
// the driver's error. f, when set, gives the tenants' URLs.
func (r *runOptions) runPlan(ctx context.Context, f *spec.Fleet, p *plan.Plan, prior *journal.State, programs func() (runner.Programs, error)) (*report.Report, error) {
	stderr := r.g.stderr
	if p.Stacks() == 0 {
		fmt.Fprintf(stderr, "%s: no stacks to run (%s)\n", p.Op, textsafe.Escape(p.Selection))
		unchanged := 0
		for _, s := range p.Skipped {
			if s.Unchanged {
				unchanged++
				continue
			}
			fmt.Fprintf(stderr, "  skipped %s: %s\n", textsafe.Escape(s.Stack), textsafe.Escape(s.Reason))
		}
		if unchanged > 0 {
			fmt.Fprintf(stderr, "  %d stacks unchanged since their last rollout (--force runs them)\n", unchanged)
		}
	}
	pr := newProgressPrinter(stderr)
	req := rollout.Request{Plan: p, Prior: prior, StateDir: r.stateDir, Attempts: r.attempts, StackTimeout: r.stackTimeout}
	if p.Stacks() > 0 {
		sr, err := r.sharedRun(ctx)
		if err != nil {
			return nil, withCode(ExitInvalid, err)
		}
		req.Shared = sr
	}
	var g gate.Gate
	if p.Gate != "" && p.Stacks() > 0 {
		g = newGate(ctx, &r.engine, f, p.Gate)
	}
	rep, err := rollout.Execute(ctx, req, rollout.Deps{
		Gate:     g,
		Programs: programs,
		NewDeployer: func(ctx context.Context, progs runner.Programs, workRoot string) (runner.Deployer, error) {
			dep, err := newDeployer(ctx, progs, r.engine.autoOptions(workRoot))
			if err != nil {
				return nil, err
			}
			store, err := r.fingerprintStore(ctx)
			if err != nil {
				return nil, err
			}
			// The records follow every operation, whatever the command.
			return &unchanged.Recording{Deployer: dep, Store: store, Plan: p}, nil
		},
		Begin: func(journalPath, logDir string) {
			fmt.Fprintf(stderr, "%s %s: %d stacks in %d waves (%s); journal %s, engine logs %s/\n",
				p.Op, textsafe.Escape(p.ID), p.Stacks(), len(p.Waves), textsafe.Escape(p.Selection), textsafe.Escape(journalPath), textsafe.Escape(logDir))
		},
		Observe: pr.handle,
	})
	pr.finish()
	if rep != nil && f != nil {
		rep.URLs = tenantURLs(f, rep)
	}
	return rep, err
}

// tenantURLs are the URLs of the report's tenant stacks.
func tenantURLs(f *spec.Fleet, rep *report.Report) map[string]string {
	urls, byID := map[string]string{}, spec.ByID(f.Tenants)
	for _, row := range rep.Stacks {
		if t := byID(row.Stack); t != nil {
			urls[row.Stack] = f.Settings.URL(t)
		}
	}
	if len(urls) == 0 {
		return nil
	}
	return urls
}

// executeError gives what the rollout driver refused or failed with its exit
// code: another rollout's lock, or an engine lock a resume may not clear, is
// ExitLocked; an error that carries its code keeps it; anything else (a
// journal that could not be written among them) is ExitInvalid.
func executeError(err error) error {
	var locked *journal.LockedError
	if errors.As(err, &locked) || errors.Is(err, runner.ErrStacksLocked) {
		return withCode(ExitLocked, err)
	}
	var coded *exitError
	if errors.As(err, &coded) {
		return err
	}
	return withCode(ExitInvalid, err)
}

// outcomeError maps the report to the documented exit codes. The reason holds
// stack names and engine errors: it is escaped like every text report.
func outcomeError(rep *report.Report) error {
	resume := fmt.Sprintf("; run `tenantctl %s` again", rep.Op)
	if rep.Op.Deploys() {
		resume = fmt.Sprintf("; `tenantctl rollout --resume %s` re-runs what did not succeed", textsafe.Escape(rep.ID))
	}
	if rb := rep.Rollback; rb != nil {
		resume = fmt.Sprintf("; rolled back by %s: %s", textsafe.Escape(rb.ID), textsafe.Escape(string(rb.Status)))
		if rb.Status != outcome.StatusSucceeded {
			resume += fmt.Sprintf(" (`tenantctl rollout --resume %s` continues the rollback)", textsafe.Escape(rb.ID))
		}
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
func (r *runOptions) report(rep *report.Report) error {
	var err error
	if r.output == "json" {
		err = rep.WriteJSON(r.g.stdout)
	} else {
		err = rep.WriteTable(r.g.stdout)
	}
	if err != nil {
		return withCode(ExitInvalid, err)
	}
	if r.summaryMD != "" {
		if err := os.WriteFile(r.summaryMD, []byte(rep.Markdown(report.MarkdownLimit)), 0o644); err != nil {
			return withCode(ExitInvalid, fmt.Errorf("--summary-md: %w", err))
		}
	}
	return nil
}

// newPlan selects the stacks of f, plans them into waves and completes head
// (the operation, fleet, backend, …) into the plan of a new rollout. A
// selection or waves no rollout may run is a usage error.
//
// narrow, when set, may take stacks out of the selection before the waves
// are planned (a rollout's unchanged stacks) and returns the fingerprints
// the plan records.
func newPlan(f *spec.Fleet, s plan.Selector, w plan.WaveOptions, head plan.Plan, narrow func(*plan.Selection) (map[string]string, error)) (*plan.Plan, error) {
	sel, err := plan.Select(f, s)
	if err != nil {
		return nil, usageError(err)
	}
	waves, err := plan.PlanWaves(sel.Targets, w)
	if err != nil {
		return nil, usageError(err)
	}
	if narrow != nil {
		// After the waves are checked: a flag mistake is reported before
		// any stack is fingerprinted.
		n := len(sel.Targets)
		if head.Fingerprints, err = narrow(sel); err != nil {
			return nil, err
		}
		if len(sel.Targets) != n {
			if waves, err = plan.PlanWaves(sel.Targets, w); err != nil {
				return nil, usageError(err)
			}
		}
	}
	now := time.Now()
	head.ID, head.Created, head.Waves, head.Skipped = plan.NewID(now), now.UTC(), waves, sel.Skipped
	return &head, nil
}

// fleetPath is the fleet directory as plans and the rollout lock name it:
// its real path, so a symlink to it is the same fleet. A directory that does
// not exist keeps its absolute path; the fleet loader reports it.
func fleetPath(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if real, err := plan.RealPath(abs); err == nil {
		return real, nil
	}
	return abs, nil
}

// fanoutOptions are the flags the fan-out commands share.
type fanoutOptions struct {
	runOptions

	tenants, tiers, models, labels []string
	changedSince, shard, release   string
	platform                       bool

	canary                                 int
	waves, maxConcurrency, tolerance, mode string
	drift, many, offboarding, dryRun, yes  bool
	// force runs every selected stack, unchanged ones too (rollout).
	force bool

	safe safeReleaseOptions

	// resolved by complete and validate
	sel      plan.Selector
	waveOpts plan.WaveOptions
	fleetDir string
}

func newFanoutOptions(g *globalOptions, op plan.Op) *fanoutOptions {
	return &fanoutOptions{runOptions: runOptions{g: g, engine: engineOptions{op: op}}}
}

func (o *fanoutOptions) addSelectionFlags(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.StringSliceVar(&o.tenants, "tenant", nil, "select tenants by id (repeatable, comma-separated)")
	fs.StringSliceVar(&o.tiers, "tier", nil, "select tenants of these tiers")
	fs.StringSliceVar(&o.models, "model", nil, "select tenants of these isolation models")
	fs.StringArrayVar(&o.labels, "label", nil, "select tenants carrying label key=value (repeatable; all must match)")
	fs.StringVar(&o.changedSince, "changed-since", "", "select tenants whose files changed since this git ref (every tenant when models, programs, internal, fleet.yaml or go.mod changed)")
	fs.StringVar(&o.shard, "shard", "", "run shard i/n of the selection (split by a stable hash of the tenant id)")
	fs.StringVar(&o.release, "release", "", "the release being rolled out, recorded on every stack (rollout's default: the fleet's git revision, HEAD with -dirty when tenants/ or stacks/ differ, else unknown); tenants pinned to another release are skipped")
	fs.BoolVar(&o.platform, "platform", false, "include the platform stack (it runs first, alone)")
}

// addWaveFlags are the flags that shape the waves: what a plan needs beside
// the selection.
func (o *fanoutOptions) addWaveFlags(cmd *cobra.Command, defaultTolerance string) {
	fs := cmd.Flags()
	fs.IntVar(&o.canary, "canary", 0, "a first wave of N tenants of the lowest tier rank")
	fs.StringVar(&o.waves, "waves", "100%", "cumulative wave sizes after the canary, counts or percentages, e.g. 10%,50%,100%")
	fs.StringVar(&o.maxConcurrency, "max-concurrency", "10", "stacks run at once per wave: N or P% of the wave")
	fs.StringVar(&o.tolerance, "failure-tolerance", defaultTolerance, "failed stacks a wave absorbs before the rollout halts: N or P% of the wave")
	fs.StringVar(&o.mode, "tolerance-mode", "soft", "strict: lower concurrency as failures mount so failures never exceed tolerance+1 (StackSets STRICT_FAILURE_TOLERANCE); soft: keep max concurrency (SOFT_FAILURE_TOLERANCE)")
}

func (o *fanoutOptions) addRunFlags(cmd *cobra.Command, defaultTolerance string) {
	o.addWaveFlags(cmd, defaultTolerance)
	fs := cmd.Flags()
	e := &o.engine
	fs.BoolVar(&o.dryRun, "dry-run", false, "print the plan (waves, canary, concurrency, tolerance) and stop: no engine, backend or credentials needed")
	fs.IntVar(&o.attempts, "attempts", runner.DefaultRetry.Attempts, "most attempts per stack; only transient errors (locked stack, throttling, network) are retried, with exponential backoff and jitter")
	fs.StringVar(&e.backend, "backend", "", "state backend URL (default: $PULUMI_BACKEND_URL, else file://<project>/.tenantctl/state)")
	fs.StringVar(&e.secretsProvider, "secrets-provider", "", "secrets provider of new stacks: passphrase (PULUMI_CONFIG_PASSPHRASE) or a KMS URL such as awskms://alias/tenantctl")
	fs.IntVar(&e.parallel, "parallel", 0, "the engine's --parallel: resource operations at once within one stack (0: the engine's default)")
	fs.DurationVar(&o.stackTimeout, "stack-timeout", 0, "fail one stack's attempt that runs longer than this, e.g. 45m (0: no limit)")
	fs.StringVar(&o.stateDir, "state-dir", "", "where journals, logs, locks and workspaces go (default <project>/.tenantctl)")
	fs.StringVarP(&o.output, "output", "o", "text", "report format on stdout: text or json")
	fs.StringVar(&o.summaryMD, "summary-md", "", "also write a markdown summary for a pull request comment to this file (kept under 65,536 characters)")
	e.endpoint.addFlags(cmd)
}

// complete fills defaults from the environment and the project layout.
func (o *fanoutOptions) complete() error {
	abs, err := filepath.Abs(o.g.dir)
	if err != nil {
		return err
	}
	if o.fleetDir, err = fleetPath(abs); err != nil {
		return err
	}
	project := filepath.Dir(abs)
	if o.stateDir == "" {
		o.stateDir = filepath.Join(project, ".tenantctl")
	}
	e := &o.engine
	if e.backend == "" {
		e.backend = os.Getenv("PULUMI_BACKEND_URL")
	}
	if e.backend == "" {
		e.backend = "file://" + filepath.Join(o.stateDir, "state")
	}
	e.endpoint.complete()
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
	if o.engine.parallel < 0 {
		return bad(fmt.Errorf("--parallel %d: want 0 or more", o.engine.parallel))
	}
	if o.output != "text" && o.output != "json" {
		return bad(fmt.Errorf("--output %q: want text or json", o.output))
	}
	if err := o.safe.validate(); err != nil {
		return err
	}
	return o.engine.endpoint.validate()
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
	if o.dryRun {
		return writePlan(o.g.stdout, p, o.output)
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
	// The release a rollout records on its stacks: --release, else the fleet's
	// git revision. Pinned tenants are matched against --release alone: a pin
	// names a release, never a revision.
	rel := o.release
	if rel == "" && o.engine.op == plan.OpUp {
		rel = release.Current(ctx, o.g.dir)
	}
	var narrow func(*plan.Selection) (map[string]string, error)
	if o.engine.op == plan.OpUp && !o.dryRun {
		narrow = func(sel *plan.Selection) (map[string]string, error) { return o.leaveUnchanged(ctx, f, sel, !o.force) }
	}
	p, err := newPlan(f, o.sel, o.waveOpts, plan.Plan{
		Op: o.engine.op, Drift: o.drift, Release: rel, Fleet: o.fleetDir, Backend: o.engine.backend, Selection: o.describe(),
		Bake: o.safe.bake, Gate: o.safe.gate, OnHalt: o.safe.onHalt}, narrow)
	if err != nil {
		return nil, nil, err
	}
	return f, p, nil
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
