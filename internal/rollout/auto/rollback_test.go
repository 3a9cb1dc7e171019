package auto

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	pauto "github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/tenantctl/tenantctl/internal/rollout"
	"github.com/tenantctl/tenantctl/internal/rollout/journal"
	"github.com/tenantctl/tenantctl/internal/rollout/ledger"
	"github.com/tenantctl/tenantctl/internal/rollout/outcome"
	"github.com/tenantctl/tenantctl/internal/rollout/plan"
	"github.com/tenantctl/tenantctl/internal/rollout/rollback"
	"github.com/tenantctl/tenantctl/internal/rollout/runner"
)

// versioned is the program of one release: each stack registers a component
// and exports the release's version.
type versioned string

func (v versioned) Program(stack string) (pulumi.RunFunc, error) {
	return func(ctx *pulumi.Context) error {
		var box tenantBox
		if err := ctx.RegisterComponentResource("tenantctl:test:Box", stack+"-box", &box); err != nil {
			return err
		}
		ctx.Export("version", pulumi.String(string(v)))
		return nil
	}, nil
}

func (versioned) Config(string) (map[string]pauto.ConfigValue, error) { return nil, nil }

// byRelease gives each stack the program of the release a plan deploys on it.
type byRelease struct {
	p     *plan.Plan
	progs map[string]versioned
}

func (b byRelease) Program(stack string) (pulumi.RunFunc, error) {
	return b.progs[b.p.ReleaseOf(stack)].Program(stack)
}

func (byRelease) Config(string) (map[string]pauto.ConfigValue, error) { return nil, nil }

// A rollback on the real engine: release r1 exports version one, r2 version
// two; rolling r2's rollout back leaves every stack it changed with r1's
// outputs, its release output and tag r1 again.
func TestRollbackRestoresTheEarlierReleasesOutputs(t *testing.T) {
	ctx := context.Background()
	state, backend, fleet := t.TempDir(), fileBackend(t), t.TempDir()
	home := t.TempDir()
	var d *Deployer
	execute := func(p *plan.Plan, progs runner.Programs) {
		t.Helper()
		rep, err := rollout.Execute(ctx, rollout.Request{Plan: p, StateDir: state, Attempts: 1}, rollout.Deps{
			Programs: func() (runner.Programs, error) { return progs, nil },
			NewDeployer: func(ctx context.Context, progs runner.Programs, workRoot string) (runner.Deployer, error) {
				var err error
				d, err = New(ctx, progs, Options{Project: "tenantctl", WorkRoot: workRoot, Backend: backend, PulumiBin: pulumiBin(t), PulumiHome: home,
					Env: map[string]string{"PULUMI_CONFIG_PASSPHRASE": "test-passphrase"}})
				return d, err
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Status != outcome.StatusSucceeded {
			t.Fatalf("%s %s: %s %s", p.Op, p.ID, rep.Status, rep.Reason)
		}
	}
	n := 0
	newPlan := func(release string) *plan.Plan {
		waves, err := plan.PlanWaves([]plan.Target{{Stack: "alpha"}, {Stack: "beta"}}, plan.WaveOptions{Canary: 1, Mode: plan.ModeSoft, MaxConcurrency: plan.Quantity{N: 2}})
		if err != nil {
			t.Fatal(err)
		}
		n++
		now := time.Now().Add(time.Duration(n) * time.Second)
		return &plan.Plan{ID: plan.NewID(now), Op: plan.OpUp, Release: release, Created: now.UTC(), Fleet: fleet, Backend: backend, Waves: waves}
	}
	outputs := func(stack string) (version, release, tag string) {
		t.Helper()
		opts := d.workspaceOptions(filepath.Join(d.opts.WorkRoot, stack))
		stk, err := pauto.SelectStackInlineSource(ctx, stack, "tenantctl", func(*pulumi.Context) error { return nil }, opts...)
		if err != nil {
			t.Fatal(err)
		}
		outs, err := stk.Outputs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		tag, err = stk.Workspace().GetTag(ctx, stack, ReleaseKey)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(outs["version"].Value), fmt.Sprint(outs[ReleaseKey].Value), tag
	}

	execute(newPlan("r1"), versioned("one"))
	second := newPlan("r2")
	execute(second, versioned("two"))
	if v, r, tag := outputs("beta"); v != "two" || r != "r2" || tag != "r2" {
		t.Fatalf("after r2: version %s, release output %s, tag %s", v, r, tag)
	}

	l, err := ledger.Read(state)
	if err != nil {
		t.Fatal(err)
	}
	path, _ := journal.Path(state, second.ID)
	recs, err := journal.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	rb, err := rollback.Plan(l, journal.Fold(recs), plan.NewID(time.Now().Add(time.Minute)), time.Now().Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	execute(rb, byRelease{p: rb, progs: map[string]versioned{"r1": "one", "r2": "two"}})
	for _, stack := range []string{"alpha", "beta"} {
		if v, r, tag := outputs(stack); v != "one" || r != "r1" || tag != "r1" {
			t.Errorf("%s after the rollback: version %s, release output %s, tag %s; want r1's", stack, v, r, tag)
		}
	}
}
