package auto

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	pauto "github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/tenantctl/tenantctl/internal/rollout"
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
}

func newComponents() *components {
	return &components{count: map[string]int{}, delay: map[string]time.Duration{}, gate: map[string]chan struct{}{}}
}

type tenantBox struct{ pulumi.ResourceState }

func (c *components) Program(stack string) (pulumi.RunFunc, error) {
	c.mu.Lock()
	n, delay, gate := c.count[stack], c.delay[stack], c.gate[stack]
	c.mu.Unlock()
	if n == 0 {
		return nil, fmt.Errorf("no program for stack %s", stack)
	}
	return func(ctx *pulumi.Context) error {
		if gate != nil {
			close(gate)
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

func newDeployer(t *testing.T, progs rollout.Programs, backend string) *Deployer {
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

func run(t *testing.T, d *Deployer, op rollout.Op, stack string, previewOnly bool) (rollout.Changes, string) {
	t.Helper()
	var log strings.Builder
	var mu sync.Mutex
	ch, err := d.Run(context.Background(), op, stack, rollout.Stream{Log: &lockedWriter{&mu, &log}, PreviewOnly: previewOnly})
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

	pre, _ := run(t, d, rollout.OpPreview, "acme", false)
	t.Logf("preview %+v", pre)
	up, log := run(t, d, rollout.OpUp, "acme", false)
	t.Logf("up %+v", up)
	if !strings.Contains(log, "acme-box-2") {
		t.Errorf("engine log lacks the resources:\n%s", log)
	}
	again, _ := run(t, d, rollout.OpUp, "acme", false)
	t.Logf("again %+v", again)
	progs.set("acme", 5, 0)
	more, _ := run(t, d, rollout.OpPreview, "acme", false)
	t.Logf("more %+v", more)
	drift, _ := run(t, d, rollout.OpRefresh, "acme", true)
	t.Logf("drift %+v", drift)
	gone, _ := run(t, d, rollout.OpDestroy, "acme", false)
	t.Logf("destroy %+v", gone)
}

var _ = errors.New
var _ atomic.Int32
