// Package auto runs rollout operations on the Pulumi Automation API: one
// LocalWorkspace per stack with the isolation model's inline program, so no Go
// compile per stack and no shared workspace.json for parallel runs to corrupt.
package auto

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"

	pauto "github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/tenantctl/tenantctl/internal/rollout/outcome"
	"github.com/tenantctl/tenantctl/internal/rollout/plan"
	"github.com/tenantctl/tenantctl/internal/rollout/runner"
)

// Plugin is a resource plugin the programs need, installed before the fan-out.
type Plugin struct {
	Name    string
	Version string
}

// Options configure the Automation API deployer.
type Options struct {
	// Project is the Pulumi project name (tenantctl's Pulumi.yaml name).
	Project string
	// WorkRoot holds one workspace directory per stack (WorkRoot/<stack>).
	WorkRoot string
	// Backend is the state backend URL (file://, s3://, https://api.pulumi.com, …).
	Backend string
	// SecretsProvider is "passphrase" (the default; PULUMI_CONFIG_PASSPHRASE in
	// Env) or a KMS URL such as awskms://alias/tenantctl?region=us-east-1.
	SecretsProvider string
	// Env is passed to every workspace through auto.EnvVars (passphrase, AWS
	// settings); the process environment is never modified.
	Env map[string]string
	// Parallel is the engine's --parallel per operation (0: the engine's default).
	Parallel int
	// PulumiBin is the Pulumi CLI to run; the one on PATH when empty.
	PulumiBin string
	// PulumiHome overrides PULUMI_HOME (plugins, credentials); optional.
	PulumiHome string
	// Plugins are installed once, serially, by New.
	Plugins []Plugin
}

// Deployer implements runner.Deployer on the Automation API.
type Deployer struct {
	opts     Options
	programs runner.Programs
	cmd      pauto.PulumiCommand
	// stacks serialises operations on one stack within this process: its
	// workspace directory is not safe for two at once. Different stacks run freely.
	stacks sync.Map // stack → *sync.Mutex
}

// New checks the Pulumi CLI, creates the work root and installs the plugins.
func New(ctx context.Context, programs runner.Programs, o Options) (*Deployer, error) {
	if o.Project == "" {
		return nil, errors.New("auto: a project name is required")
	}
	if o.WorkRoot == "" || o.Backend == "" {
		return nil, errors.New("auto: a work root and a backend URL are required")
	}
	cmd, err := pulumiCommand(o.PulumiBin)
	if err != nil {
		return nil, err
	}
	if path, ok := strings.CutPrefix(o.Backend, "file://"); ok {
		if err := os.MkdirAll(path, 0o755); err != nil {
			return nil, fmt.Errorf("creating the state backend directory: %w", err)
		}
	}
	if err := os.MkdirAll(o.WorkRoot, 0o755); err != nil {
		return nil, fmt.Errorf("creating the workspace root: %w", err)
	}
	d := &Deployer{opts: o, programs: programs, cmd: cmd}
	if err := d.installPlugins(ctx); err != nil {
		return nil, err
	}
	return d, nil
}

// pulumiCommand finds the CLI and checks that its version is one the SDK
// supports (`make pulumi` stamps the version into the CLI it builds).
func pulumiCommand(bin string) (pauto.PulumiCommand, error) {
	opts := &pauto.PulumiCommandOptions{}
	if bin != "" {
		abs, err := filepath.Abs(bin)
		if err != nil {
			return nil, err
		}
		// NewPulumiCommand looks for <Root>/bin/pulumi.
		if filepath.Base(abs) != "pulumi" || filepath.Base(filepath.Dir(abs)) != "bin" {
			return nil, fmt.Errorf("auto: the Pulumi CLI must be at <dir>/bin/pulumi, got %s", bin)
		}
		opts.Root = filepath.Dir(filepath.Dir(abs))
	}
	cmd, err := pauto.NewPulumiCommand(opts)
	if err != nil {
		where := "on PATH"
		if bin != "" {
			where = "at " + bin
		}
		return nil, fmt.Errorf("the Pulumi CLI is not usable %s (build it with `make pulumi`, or install it from pulumi.com): %w", where, err)
	}
	return cmd, nil
}

func (d *Deployer) env() map[string]string {
	env := map[string]string{
		"PULUMI_BACKEND_URL":       d.opts.Backend,
		"PULUMI_SKIP_UPDATE_CHECK": "true",
	}
	for k, v := range d.opts.Env {
		env[k] = v
	}
	return env
}

func (d *Deployer) workspaceOptions(dir string) []pauto.LocalWorkspaceOption {
	opts := []pauto.LocalWorkspaceOption{
		pauto.WorkDir(dir),
		pauto.Pulumi(d.cmd),
		pauto.EnvVars(d.env()),
		pauto.Project(workspace.Project{
			Name:    tokens.PackageName(d.opts.Project),
			Runtime: workspace.NewProjectRuntimeInfo("go", nil),
		}),
	}
	if d.opts.PulumiHome != "" {
		opts = append(opts, pauto.PulumiHome(d.opts.PulumiHome))
	}
	if sp := d.opts.SecretsProvider; sp != "" && sp != "passphrase" {
		opts = append(opts, pauto.SecretsProvider(sp))
	}
	return opts
}

// installPlugins installs every plugin once before any stack runs: engines
// starting in parallel would otherwise all download the same plugin into the
// same plugin cache at once.
func (d *Deployer) installPlugins(ctx context.Context) error {
	if len(d.opts.Plugins) == 0 {
		return nil
	}
	dir := filepath.Join(d.opts.WorkRoot, ".plugins")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	ws, err := pauto.NewLocalWorkspace(ctx, d.workspaceOptions(dir)...)
	if err != nil {
		return fmt.Errorf("preparing plugin installation: %w", err)
	}
	for _, p := range d.opts.Plugins {
		if err := ws.InstallPlugin(ctx, p.Name, p.Version); err != nil {
			return fmt.Errorf("installing the %s plugin %s: %w", p.Name, p.Version, err)
		}
	}
	return nil
}

// Run runs one operation on one stack: upsert the stack in its own workspace
// with the inline program, write its configuration, run, and count changes from
// the engine's summary.
func (d *Deployer) Run(ctx context.Context, op plan.Op, stack string, s runner.Stream) (outcome.Changes, error) {
	mu, _ := d.stacks.LoadOrStore(stack, &sync.Mutex{})
	mu.(*sync.Mutex).Lock()
	defer mu.(*sync.Mutex).Unlock()

	log := s.Log
	if log == nil {
		log = io.Discard
	}
	prog, err := d.programs.Program(stack)
	if err != nil {
		return outcome.Changes{}, outcome.Classify(outcome.ClassProgram, fmt.Errorf("program of stack %s: %w", stack, err))
	}
	recordRelease := op == plan.OpUp && s.Release != ""
	if recordRelease {
		prog = withRelease(prog, s.Release)
	}
	cfg, err := d.programs.Config(stack)
	if err != nil {
		return outcome.Changes{}, outcome.Classify(outcome.ClassProgram, fmt.Errorf("configuration of stack %s: %w", stack, err))
	}
	dir := filepath.Join(d.opts.WorkRoot, stack)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return outcome.Changes{}, err
	}
	stk, err := pauto.UpsertStackInlineSource(ctx, stack, d.opts.Project, prog, d.workspaceOptions(dir)...)
	if err != nil {
		return outcome.Changes{}, d.fail(ctx, log, "selecting the stack", err)
	}
	if err := setConfig(ctx, stk, cfg); err != nil {
		return outcome.Changes{}, d.fail(ctx, log, "writing the stack configuration", err)
	}

	// The Automation API closes the event channel when the engine's stream ends,
	// but not when the operation fails before the engine connects; so the relay
	// also stops when told, after draining what was sent. The channel is never
	// closed here (a late close by the API must not hit a closed channel).
	ch := make(chan events.EngineEvent, 256)
	stop := make(chan struct{})
	counted := make(chan map[string]int, 1)
	go func() { counted <- relay(ch, stop, s.Event) }()
	summary, err := d.run(ctx, op, &stk, s, log, ch)
	close(stop)
	fromEvents := <-counted
	if summary == nil {
		summary = fromEvents
	}
	changes := outcome.FromSummary(summary)
	if err != nil {
		return changes, d.fail(ctx, log, string(op), err)
	}
	if recordRelease {
		// The output is the record; the tag shows the release in the
		// backend's stack list. A tag that cannot be set fails nothing.
		if err := stk.SetTag(ctx, ReleaseKey, s.Release); err != nil {
			fmt.Fprintf(log, "\ntenantctl: tagging the stack %s=%s failed: %v\n", ReleaseKey, s.Release, err)
		}
	}
	return changes, nil
}

// ReleaseKey names the stack output and stack tag that hold the release a
// stack runs.
const ReleaseKey = "tenantctl:release"

// withRelease is prog that also exports the release it is deployed as, so
// the stack's state says which release it runs.
func withRelease(prog pulumi.RunFunc, release string) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		if err := prog(ctx); err != nil {
			return err
		}
		ctx.Export(ReleaseKey, pulumi.String(release))
		return nil
	}
}

func (d *Deployer) run(ctx context.Context, op plan.Op, stk *pauto.Stack, s runner.Stream, log io.Writer, ch chan events.EngineEvent) (map[string]int, error) {
	p := d.opts.Parallel
	// stderr gets a line buffer of its own, so the two copiers' lines stay whole.
	errLog := runner.SecondStream(log)
	switch op {
	case plan.OpPreview:
		opts := []optpreview.Option{optpreview.ProgressStreams(log), optpreview.ErrorProgressStreams(errLog), optpreview.EventStreams(ch), optpreview.Color("never")}
		if p > 0 {
			opts = append(opts, optpreview.Parallel(p))
		}
		res, err := stk.Preview(ctx, opts...)
		return opsSummary(res.ChangeSummary), err
	case plan.OpUp:
		opts := []optup.Option{optup.ProgressStreams(log), optup.ErrorProgressStreams(errLog), optup.EventStreams(ch), optup.Color("never")}
		if p > 0 {
			opts = append(opts, optup.Parallel(p))
		}
		res, err := stk.Up(ctx, opts...)
		return derefSummary(res.Summary.ResourceChanges), err
	case plan.OpRefresh:
		opts := []optrefresh.Option{optrefresh.ProgressStreams(log), optrefresh.ErrorProgressStreams(errLog), optrefresh.EventStreams(ch), optrefresh.Color("never")}
		if p > 0 {
			opts = append(opts, optrefresh.Parallel(p))
		}
		if s.PreviewOnly {
			res, err := stk.PreviewRefresh(ctx, opts...)
			return opsSummary(res.ChangeSummary), err
		}
		res, err := stk.Refresh(ctx, opts...)
		return derefSummary(res.Summary.ResourceChanges), err
	case plan.OpDestroy:
		opts := []optdestroy.Option{optdestroy.ProgressStreams(log), optdestroy.ErrorProgressStreams(errLog), optdestroy.EventStreams(ch), optdestroy.Color("never")}
		if p > 0 {
			opts = append(opts, optdestroy.Parallel(p))
		}
		res, err := stk.Destroy(ctx, opts...)
		return derefSummary(res.Summary.ResourceChanges), err
	}
	return nil, fmt.Errorf("unknown operation %q", op)
}

// setConfig writes a stack's configuration. Plain values go in one `config
// set-all`; each secret goes through `config set --secret` with its value on
// the CLI's stdin, never on its command line, where any local user could read
// it (/proc/<pid>/cmdline, ps). The CLI reads the value from stdin when the
// command line has none and stdin is not a terminal; --raw keeps it exactly
// as given (no trailing newline is trimmed, and none is added here).
func setConfig(ctx context.Context, stk pauto.Stack, cfg map[string]pauto.ConfigValue) error {
	plain := pauto.ConfigMap{}
	var secrets []string
	for k, v := range cfg {
		if v.Secret {
			secrets = append(secrets, k)
		} else {
			plain[k] = v
		}
	}
	if len(plain) > 0 {
		if err := stk.SetAllConfig(ctx, plain); err != nil {
			return err
		}
	}
	slices.Sort(secrets)
	ws := stk.Workspace()
	// The workspace's own environment, as LocalWorkspace gives every command.
	var env []string
	if h := ws.PulumiHome(); h != "" {
		env = append(env, "PULUMI_HOME="+h)
	}
	for k, v := range ws.GetEnvVars() {
		env = append(env, k+"="+v)
	}
	for _, key := range secrets {
		// "--" ends the flags: the key is the only argument, so the value comes from stdin.
		stdout, stderr, code, err := ws.PulumiCommand().Run(ctx, ws.WorkDir(), strings.NewReader(cfg[key].Value), nil, nil, env,
			"config", "set", "--stack", stk.Name(), "--secret", "--raw", "--", key)
		if err != nil {
			return fmt.Errorf("setting the secret %s (exit %d): %w\nstdout: %s\nstderr: %s", key, code, err, stdout, stderr)
		}
	}
	return nil
}

// relay passes engine events on as rollout events and counts finished steps by
// operation, the change counts of an operation that failed before its summary.
func relay(ch <-chan events.EngineEvent, stop <-chan struct{}, emit func(runner.Event)) map[string]int {
	counts := map[string]int{}
	for {
		var e events.EngineEvent
		select {
		case ev, ok := <-ch:
			if !ok {
				return counts
			}
			e = ev
		case <-stop:
			select {
			case ev, ok := <-ch:
				if !ok {
					return counts
				}
				e = ev
			default:
				return counts
			}
		}
		switch {
		case e.ResourcePreEvent != nil:
			if emit != nil {
				emit(runner.Event{Kind: "pre", Op: string(e.ResourcePreEvent.Metadata.Op), URN: e.ResourcePreEvent.Metadata.URN})
			}
		case e.ResOutputsEvent != nil:
			m := e.ResOutputsEvent.Metadata
			if !strings.HasSuffix(m.URN, "::pulumi:pulumi:Stack") || m.Op != apitype.OpSame {
				counts[string(m.Op)]++
			}
			if emit != nil {
				emit(runner.Event{Kind: "done", Op: string(m.Op), URN: m.URN})
			}
		case e.DiagnosticEvent != nil && emit != nil:
			emit(runner.Event{Kind: "diag", Message: strings.TrimSpace(e.DiagnosticEvent.Message)})
		}
	}
}

func opsSummary(m map[apitype.OpType]int) map[string]int {
	if m == nil {
		return nil
	}
	out := make(map[string]int, len(m))
	for k, v := range m {
		out[string(k)] = v
	}
	return out
}

func derefSummary(m *map[string]int) map[string]int {
	if m == nil {
		return nil
	}
	return *m
}

// fail writes the engine's full error to the stack's log and returns a short,
// classified error. Classification looks at the Automation API's own error
// value, so it must happen here, before anything wraps it.
func (d *Deployer) fail(ctx context.Context, log io.Writer, what string, err error) error {
	fmt.Fprintf(log, "\ntenantctl: %s failed:\n%v\n", what, err)
	class := classify(err)
	if ctx.Err() != nil {
		class = outcome.ClassCancelled
	}
	return outcome.Classify(class, fmt.Errorf("%s: %s", what, summarize(err)))
}

var (
	throttled = regexp.MustCompile(`(?i)throttl|rate exceeded|too many requests|toomanyrequests|requestlimitexceeded|slowdown|\b429\b`)
	network   = regexp.MustCompile(`(?i)connection reset|connection refused|i/o timeout|tls handshake timeout|no such host|network is unreachable|unexpected eof|broken pipe|dial tcp|context deadline exceeded \(client\.timeout|\b50[234]\b (bad gateway|service unavailable|gateway timeout)`)
)

func classify(err error) outcome.Class {
	switch {
	case pauto.IsConcurrentUpdateError(err):
		return outcome.ClassConcurrentUpdate
	case pauto.IsCompilationError(err), pauto.IsRuntimeError(err):
		return outcome.ClassProgram
	}
	msg := err.Error()
	switch {
	case throttled.MatchString(msg):
		return outcome.ClassThrottled
	case network.MatchString(msg):
		return outcome.ClassNetwork
	}
	return outcome.ClassFailed
}

var errorLine = regexp.MustCompile(`(?m)^(?:\s*|std(?:out|err): )error: (.+)$`)

// summarize picks the engine's own "error: …" lines out of the Automation API's
// error text (which embeds the whole stdout and stderr).
func summarize(err error) string {
	msg := err.Error()
	var picked []string
	seen := map[string]bool{}
	for _, m := range errorLine.FindAllStringSubmatch(msg, -1) {
		line := strings.TrimSpace(m[1])
		if !seen[line] && !strings.HasPrefix(line, "update failed") && !strings.HasPrefix(line, "preview failed") {
			seen[line] = true
			picked = append(picked, line)
		}
	}
	if len(picked) == 0 {
		first, _, _ := strings.Cut(msg, "\n")
		return first
	}
	return strings.Join(picked, "; ")
}

// MissingPlugins returns the plugins of o.Plugins the engine does not have
// installed (in PULUMI_HOME, or o.PulumiHome), without installing anything:
// a command that must not reach the internet asks this before the fan-out.
func MissingPlugins(ctx context.Context, o Options) ([]Plugin, error) {
	if len(o.Plugins) == 0 {
		return nil, nil
	}
	cmd, err := pulumiCommand(o.PulumiBin)
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(o.WorkRoot, ".plugins")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	d := &Deployer{opts: o, cmd: cmd}
	ws, err := pauto.NewLocalWorkspace(ctx, d.workspaceOptions(dir)...)
	if err != nil {
		return nil, fmt.Errorf("preparing the plugin check: %w", err)
	}
	have, err := ws.ListPlugins(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing the engine's plugins: %w", err)
	}
	var missing []Plugin
	for _, p := range o.Plugins {
		found := false
		for _, h := range have {
			if h.Kind == apitype.ResourcePlugin && h.Name == p.Name && h.Version != nil && "v"+h.Version.String() == "v"+strings.TrimPrefix(p.Version, "v") {
				found = true
			}
		}
		if !found {
			missing = append(missing, p)
		}
	}
	return missing, nil
}
