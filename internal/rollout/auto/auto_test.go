package auto

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	pauto "github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/tenantctl/tenantctl/internal/rollout/outcome"
	"github.com/tenantctl/tenantctl/internal/rollout/plan"
	"github.com/tenantctl/tenantctl/internal/rollout/runner"
)

// pulumiBin finds the real Pulumi CLI: on PATH (`make test` puts bin/ there) or
// in the repository's bin/. Tests fail, never skip, without it.
func pulumiBin(t testing.TB) string {
	t.Helper()
	if p, err := exec.LookPath("pulumi"); err == nil {
		return p
	}
	dir, _ := os.Getwd()
	for ; dir != filepath.Dir(dir); dir = filepath.Dir(dir) {
		if p := filepath.Join(dir, "bin", "pulumi"); fileExists(p) {
			return p
		}
	}
	t.Fatal("the Pulumi CLI is missing: run `make pulumi` (it builds bin/pulumi from the tools module) or `make test`, which puts bin/ on PATH")
	return ""
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// components is a Programs whose stacks register only component resources and
// outputs: the engine runs them without any provider plugin or language host.
type components struct {
	mu    sync.Mutex
	count map[string]int           // components per stack
	delay map[string]time.Duration // pause before each component
	gate  map[string]chan struct{} // closed when the program starts
	hold  map[string]chan struct{} // the program waits until it is closed
}

func newComponents() *components {
	return &components{count: map[string]int{}, delay: map[string]time.Duration{}, gate: map[string]chan struct{}{}, hold: map[string]chan struct{}{}}
}

type tenantBox struct{ pulumi.ResourceState }

func (c *components) Program(stack string) (pulumi.RunFunc, error) {
	c.mu.Lock()
	n, delay, gate, hold := c.count[stack], c.delay[stack], c.gate[stack], c.hold[stack]
	c.mu.Unlock()
	if n == 0 {
		return nil, fmt.Errorf("no program for stack %s", stack)
	}
	return func(ctx *pulumi.Context) error {
		if gate != nil {
			close(gate)
		}
		if hold != nil {
			select {
			case <-hold:
			case <-time.After(2 * time.Minute): // never hang the test binary
			}
		}
		tier, ok := ctx.GetConfig("tenantctl:tier")
		if !ok {
			return errors.New("tenantctl:tier is not set")
		}
		for i := 0; i < n; i++ {
			time.Sleep(delay)
			var box tenantBox
			if err := ctx.RegisterComponentResource("tenantctl:test:Box", fmt.Sprintf("%s-box-%d", stack, i), &box); err != nil {
				return err
			}
			if err := ctx.RegisterResourceOutputs(&box, pulumi.Map{"index": pulumi.Int(i)}); err != nil {
				return err
			}
		}
		ctx.Export("tier", pulumi.String(tier))
		ctx.Export("boxes", pulumi.Int(n))
		return nil
	}, nil
}

func (c *components) Config(stack string) (map[string]pauto.ConfigValue, error) {
	return map[string]pauto.ConfigValue{"tenantctl:tier": {Value: "free"}, "tenantctl:secret": {Value: "s3cret", Secret: true}}, nil
}

func (c *components) set(stack string, n int, delay time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.count[stack], c.delay[stack] = n, delay
}

func newDeployer(t *testing.T, progs runner.Programs, backend string) *Deployer {
	t.Helper()
	home := t.TempDir()
	d, err := New(context.Background(), progs, Options{
		Project:    "tenantctl",
		WorkRoot:   filepath.Join(t.TempDir(), "workspaces"),
		Backend:    backend,
		Env:        map[string]string{"PULUMI_CONFIG_PASSPHRASE": "test-passphrase"},
		PulumiBin:  pulumiBin(t),
		PulumiHome: home,
		Parallel:   4,
	})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func fileBackend(t *testing.T) string { return "file://" + filepath.Join(t.TempDir(), "state") }

func run(t *testing.T, d *Deployer, op plan.Op, stack string, previewOnly bool) (outcome.Changes, string) {
	t.Helper()
	var log strings.Builder
	var mu sync.Mutex
	ch, err := d.Run(context.Background(), op, stack, runner.Stream{Log: &lockedWriter{&mu, &log}, PreviewOnly: previewOnly})
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", op, stack, err, log.String())
	}
	return ch, log.String()
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *strings.Builder
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestLifecycleCountsChangesFromTheEngine(t *testing.T) {
	progs := newComponents()
	progs.set("acme", 3, 0)
	d := newDeployer(t, progs, fileBackend(t))
	// The engine counts the stack resource itself besides the components.
	want := func(what string, got, want outcome.Changes) {
		t.Helper()
		if got != want {
			t.Errorf("%s: changes %+v, want %+v", what, got, want)
		}
	}
	pre, _ := run(t, d, plan.OpPreview, "acme", false)
	want("first preview", pre, outcome.Changes{Create: 4})
	up, log := run(t, d, plan.OpUp, "acme", false)
	want("first up", up, outcome.Changes{Create: 4})
	if !strings.Contains(log, "acme-box-2") {
		t.Errorf("engine log lacks the resources:\n%s", log)
	}
	again, _ := run(t, d, plan.OpUp, "acme", false)
	want("second up", again, outcome.Changes{Same: 4})

	// The stack's outputs come from the configuration written by the deployer.
	ws := filepath.Join(d.opts.WorkRoot, "acme")
	stk, err := pauto.SelectStackInlineSource(context.Background(), "acme", "tenantctl", func(*pulumi.Context) error { return nil }, d.workspaceOptions(ws)...)
	if err != nil {
		t.Fatal(err)
	}
	outs, err := stk.Outputs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if outs["tier"].Value != "free" || outs["boxes"].Value != float64(3) {
		t.Errorf("outputs %+v, want tier=free boxes=3", outs)
	}
	cfg, err := stk.GetConfig(context.Background(), "tenantctl:secret")
	if err != nil || cfg.Value != "s3cret" || !cfg.Secret {
		t.Errorf("secret config = %+v, %v; want s3cret, secret", cfg, err)
	}

	progs.set("acme", 5, 0)
	more, _ := run(t, d, plan.OpPreview, "acme", false)
	want("preview of two more", more, outcome.Changes{Create: 2, Same: 4})
	// The engine's step events name each resource a preview would create.
	var mu sync.Mutex
	var creates []string
	if _, err := d.Run(context.Background(), plan.OpPreview, "acme", runner.Stream{Log: io.Discard, Event: func(e runner.Event) {
		if e.Kind == "pre" && e.Op == "create" {
			mu.Lock()
			creates = append(creates, runner.Step(e))
			mu.Unlock()
		}
	}}); err != nil {
		t.Fatal(err)
	}
	sort.Strings(creates)
	if got := strings.Join(creates, ", "); !strings.Contains(got, "acme-box-3") || !strings.Contains(got, "acme-box-4") || len(creates) != 2 {
		t.Errorf("preview step events: %s", got)
	}
	drift, _ := run(t, d, plan.OpRefresh, "acme", true)
	want("preview-only refresh", drift, outcome.Changes{Same: 4})
	if drift.Any() {
		t.Error("components cannot drift, yet drift was reported")
	}
	gone, _ := run(t, d, plan.OpDestroy, "acme", false)
	want("destroy", gone, outcome.Changes{Delete: 4})
}

// Two updates of one stack at once, from two processes' worth of deployers on
// one backend: the engine's stack lock refuses the second, and the deployer
// classifies that as a concurrent update (which the runner retries).
func TestConcurrentUpdateIsClassified(t *testing.T) {
	backend := fileBackend(t)
	slow := newComponents()
	slow.set("hooli", 4, 0)
	gate, hold := make(chan struct{}), make(chan struct{})
	slow.gate["hooli"], slow.hold["hooli"] = gate, hold
	first := newDeployer(t, slow, backend)
	fast := newComponents()
	fast.set("hooli", 1, 0)
	second := newDeployer(t, fast, backend)
	// Create the stack first so both updates select the same one.
	run(t, second, plan.OpUp, "hooli", false)

	errs := make(chan error, 1)
	go func() {
		_, err := first.Run(context.Background(), plan.OpUp, "hooli", runner.Stream{})
		errs <- err
	}()
	<-gate // the first update holds the lock while its program runs, until hold closes
	_, err := second.Run(context.Background(), plan.OpUp, "hooli", runner.Stream{})
	close(hold)
	if err == nil {
		t.Fatal("a second update of a locked stack succeeded")
	}
	if c := outcome.ClassOf(err); c != outcome.ClassConcurrentUpdate || !c.Transient() {
		t.Errorf("class %q, want %q (transient): %v", c, outcome.ClassConcurrentUpdate, err)
	}
	if !strings.Contains(err.Error(), "locked") {
		t.Errorf("error does not say the stack is locked: %v", err)
	}
	if err := <-errs; err != nil {
		t.Errorf("the first update failed: %v", err)
	}
}

// Cancelling the context interrupts the engine: Run returns a cancelled error,
// and the stack is left unlocked so the next update works.
func TestCancellationStopsTheEngine(t *testing.T) {
	progs := newComponents()
	progs.set("initech", 40, 250*time.Millisecond)
	gate := make(chan struct{})
	progs.gate["initech"] = gate
	d := newDeployer(t, progs, fileBackend(t))
	ctx, cancel := context.WithCancel(context.Background())
	var steps atomic.Int32
	go func() {
		<-gate
		time.Sleep(time.Second)
		cancel()
	}()
	start := time.Now()
	_, err := d.Run(ctx, plan.OpUp, "initech", runner.Stream{Event: func(e runner.Event) {
		if e.Kind == "done" {
			steps.Add(1)
		}
	}})
	took := time.Since(start)
	if err == nil {
		t.Fatal("a cancelled update succeeded")
	}
	if c := outcome.ClassOf(err); c != outcome.ClassCancelled {
		t.Errorf("class %q, want cancelled: %v", c, err)
	}
	// 40 components at 250ms would take 10s; cancellation ends it well before.
	if n := steps.Load(); n >= 40 {
		t.Errorf("all %d steps ran despite the cancellation", n)
	}
	t.Logf("cancelled after %s, %d steps done", took.Round(time.Millisecond), steps.Load())
	progs.set("initech", 2, 0)
	progs.gate["initech"] = nil
	up, _ := run(t, d, plan.OpUp, "initech", false)
	if up.Create+up.Same+up.Delete == 0 {
		t.Errorf("update after cancellation changed nothing: %+v", up)
	}
}

// Several stacks in parallel through one deployer: each in its own workspace.
func TestStacksInParallel(t *testing.T) {
	progs := newComponents()
	stacks := []string{"a1", "b2", "c3", "d4"}
	for i, s := range stacks {
		progs.set(s, i+1, 0)
	}
	d := newDeployer(t, progs, fileBackend(t))
	var wg sync.WaitGroup
	got := make([]outcome.Changes, len(stacks))
	errs := make([]error, len(stacks))
	for i, s := range stacks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], errs[i] = d.Run(context.Background(), plan.OpUp, s, runner.Stream{})
		}()
	}
	wg.Wait()
	for i, s := range stacks {
		if errs[i] != nil {
			t.Errorf("%s: %v", s, errs[i])
			continue
		}
		if want := (outcome.Changes{Create: i + 2}); got[i] != want {
			t.Errorf("%s: %+v, want %+v", s, got[i], want)
		}
		if !fileExists(filepath.Join(d.opts.WorkRoot, s, "Pulumi.yaml")) {
			t.Errorf("%s has no workspace directory of its own", s)
		}
	}
}

func TestProgramErrorsAreNotTransient(t *testing.T) {
	d := newDeployer(t, newComponents(), fileBackend(t))
	_, err := d.Run(context.Background(), plan.OpPreview, "ghost", runner.Stream{})
	if c := outcome.ClassOf(err); c != outcome.ClassProgram || c.Transient() {
		t.Errorf("class %q, want program: %v", c, err)
	}
}

func TestMissingCLIFailsClearly(t *testing.T) {
	_, err := New(context.Background(), newComponents(), Options{Project: "p", WorkRoot: t.TempDir(), Backend: fileBackend(t), PulumiBin: filepath.Join(t.TempDir(), "bin", "pulumi")})
	if err == nil || !strings.Contains(err.Error(), "make pulumi") {
		t.Errorf("error %v, want one saying to run make pulumi", err)
	}
}

func TestClassify(t *testing.T) {
	for msg, want := range map[string]outcome.Class{
		"error: ThrottlingException: Rate exceeded":                    outcome.ClassThrottled,
		"error: dial tcp 1.2.3.4:443: i/o timeout":                     outcome.ClassNetwork,
		"error: read tcp: connection reset by peer":                    outcome.ClassNetwork,
		"error: InvalidParameterValue: the CIDR 10.0.0.0/8 is invalid": outcome.ClassFailed,
	} {
		if got := classify(errors.New(msg)); got != want {
			t.Errorf("classify(%q) = %s, want %s", msg, got, want)
		}
	}
}

// MissingPlugins tells which plugins the engine lacks, installing nothing.
func TestMissingPlugins(t *testing.T) {
	home := t.TempDir()
	o := Options{Project: "p", WorkRoot: t.TempDir(), Backend: fileBackend(t), PulumiBin: pulumiBin(t), PulumiHome: home,
		Plugins: []Plugin{{Name: "aws", Version: "v6.83.0"}}}
	missing, err := MissingPlugins(context.Background(), o)
	if err != nil || len(missing) != 1 || missing[0] != (Plugin{Name: "aws", Version: "v6.83.0"}) {
		t.Fatalf("empty plugin cache: missing %v, %v; want aws v6.83.0", missing, err)
	}
	// What `pulumi plugin install resource aws v6.83.0` leaves in the cache.
	dir := filepath.Join(home, "plugins", "resource-aws-v6.83.0")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "pulumi-resource-aws"), []byte("#!/bin/sh\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if missing, err := MissingPlugins(context.Background(), o); err != nil || len(missing) != 0 {
		t.Errorf("installed plugin: missing %v, %v; want none", missing, err)
	}
	o.Plugins[0].Version = "v6.84.0"
	if missing, err := MissingPlugins(context.Background(), o); err != nil || len(missing) != 1 {
		t.Errorf("another version installed: missing %v, %v; want v6.84.0", missing, err)
	}
}
