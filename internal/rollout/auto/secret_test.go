package auto

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	pauto "github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/tenantctl/tenantctl/internal/rollout/plan"
)

// argvRecorder is the Pulumi CLI with every command line it ran kept.
type argvRecorder struct {
	pauto.PulumiCommand
	mu    sync.Mutex
	argvs [][]string
}

func (r *argvRecorder) Run(ctx context.Context, dir string, stdin io.Reader, out, errOut []io.Writer, env []string, args ...string) (string, string, int, error) {
	r.mu.Lock()
	r.argvs = append(r.argvs, slices.Clone(args))
	r.mu.Unlock()
	return r.PulumiCommand.Run(ctx, dir, stdin, out, errOut, env, args...)
}

// secretConfig is a Programs whose stack's program checks it reads back the
// exact values the deployer wrote.
type secretConfig struct{ cfg map[string]pauto.ConfigValue }

func (s secretConfig) Config(string) (map[string]pauto.ConfigValue, error) { return s.cfg, nil }

func (s secretConfig) Program(string) (pulumi.RunFunc, error) {
	return func(ctx *pulumi.Context) error {
		for k, v := range s.cfg {
			if got, ok := ctx.GetConfig(k); !ok || got != v.Value {
				return errors.New("the program read " + k + " back changed")
			}
		}
		return nil
	}, nil
}

// Secret configuration (an account stack's external id) never travels on the
// Pulumi CLI's command line, where any local user could read it; the stack
// still holds it as a secret with the exact value, and plain values still
// reach it.
func TestSecretConfigNeverOnTheCommandLine(t *testing.T) {
	const externalID = "-tenantctl ext=id 7f3a9c\n" // a leading dash, '=', a space and a trailing newline, all kept
	progs := secretConfig{cfg: map[string]pauto.ConfigValue{
		"tenantctl:externalId": {Value: externalID, Secret: true},
		"tenantctl:dbPassword": {Value: "pa ss", Secret: true},
		"tenantctl:tier":       {Value: "standard"},
		"aws:region":           {Value: "eu-west-1"},
	}}
	d := newDeployer(t, progs, fileBackend(t))
	rec := &argvRecorder{PulumiCommand: d.cmd}
	d.cmd = rec
	run(t, d, plan.OpUp, "acme", false)

	for _, argv := range rec.argvs {
		line := strings.Join(argv, " ")
		for k, v := range progs.cfg {
			if v.Secret && strings.Contains(line, strings.TrimSpace(v.Value)) {
				t.Errorf("the secret %s is on the command line: pulumi %s", k, line)
			}
		}
	}
	if !slices.ContainsFunc(rec.argvs, func(a []string) bool {
		return slices.Contains(a, "set-all") && slices.Contains(a, "tenantctl:tier=standard")
	}) {
		t.Errorf("plain config was not written with set-all: %q", rec.argvs)
	}

	stk, err := pauto.SelectStackInlineSource(context.Background(), "acme", "tenantctl", func(*pulumi.Context) error { return nil },
		d.workspaceOptions(filepath.Join(d.opts.WorkRoot, "acme"))...)
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range progs.cfg {
		got, err := stk.GetConfig(context.Background(), k)
		if err != nil || got != want {
			t.Errorf("config %s = %+v, %v; want %+v", k, got, err, want)
		}
	}
}
