package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/tenantctl/tenantctl/internal/rollout/auto"
	"github.com/tenantctl/tenantctl/internal/rollout/report"
	"github.com/tenantctl/tenantctl/internal/rollout/runner"
	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/internal/stackconfig"
)

// componentProgram stands in for models.Program: each tenant stack registers
// one component per tier rank plus one, and exports its tier and the
// configuration the rollout wrote from the spec.
func componentProgram(f *spec.Fleet, stack string) (pulumi.RunFunc, error) {
	t := f.Tenant(stack)
	if t == nil {
		return nil, fmt.Errorf("no tenant %s", stack)
	}
	n := f.TierOf(t).Rank + 1
	return func(ctx *pulumi.Context) error {
		if got, _ := ctx.GetConfig("tenantctl:tenant"); got != stack {
			return fmt.Errorf("config tenantctl:tenant = %q, want %q", got, stack)
		}
		region := t.Region
		if region == "" {
			region = f.Settings.PlatformRegion
		}
		if got, _ := ctx.GetConfig("aws:region"); got != region {
			return fmt.Errorf("config aws:region = %q, want %q", got, region)
		}
		for i := 0; i < n; i++ {
			var c tenantComponent
			if err := ctx.RegisterComponentResource("tenantctl:test:Tenant", fmt.Sprintf("%s-%d", stack, i), &c); err != nil {
				return err
			}
		}
		ctx.Export("tier", pulumi.String(t.Tier))
		return nil
	}, nil
}

type tenantComponent struct{ pulumi.ResourceState }

// pulumiOnPath makes sure the real Pulumi CLI is reachable: on PATH (`make
// test`), or the repository's bin/pulumi. It fails, never skips, without one.
func pulumiOnPath(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("pulumi"); err == nil {
		return
	}
	bin, _ := filepath.Abs("../../bin")
	if _, err := os.Stat(filepath.Join(bin, "pulumi")); err != nil {
		t.Fatal("the Pulumi CLI is missing: run `make pulumi` (builds bin/pulumi) or `make test`, which puts bin/ on PATH")
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
}

// The fan-out commands end to end on the real engine: preview, rollout, a
// second rollout with nothing to change, drift check and destroy, with change
// counts read from the engine.
func TestCommandsOnTheRealEngine(t *testing.T) {
	pulumiOnPath(t)
	dir := project(t)
	t.Setenv("PULUMI_CONFIG_PASSPHRASE", "test")
	t.Setenv("PULUMI_BACKEND_URL", "")
	t.Setenv("PULUMI_HOME", t.TempDir())
	t.Setenv("CI", "true")
	oldP, oldPl := programsFor, pluginsFor
	programsFor = func(_ *engineOptions, f *spec.Fleet) (runner.Programs, error) {
		return stackconfig.ModelPrograms(f, componentProgram), nil
	}
	pluginsFor = func() []auto.Plugin { return nil }
	t.Cleanup(func() { programsFor, pluginsFor = oldP, oldPl })

	sel := []string{"--dir", dir, "--tenant", "wonka,tyrell,globex", "--output", "json", "--max-concurrency", "3"}
	run := func(args ...string) report.Report {
		t.Helper()
		out, errs, code := runCLI(t, append(args, sel...)...)
		if code != ExitOK && !(args[0] == "refresh" && code == ExitDrift) {
			t.Fatalf("%v: exit %d\n%s\n%s", args, code, out, errs)
		}
		var rep report.Report
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
		return rep
	}
	creates := func(rep report.Report) string {
		var parts []string
		for _, r := range rep.Stacks {
			parts = append(parts, fmt.Sprintf("%s:+%d=%d", r.Stack, r.Changes.Create, r.Changes.Same))
		}
		return strings.Join(parts, " ")
	}
	// wonka (free, rank 0): 1 component + the stack; tyrell (standard): 2 + 1; globex (enterprise): 4 + 1.
	if got := creates(run("preview")); got != "wonka:+2=0 tyrell:+3=0 globex:+5=0" {
		t.Errorf("preview: %s", got)
	}
	if got := creates(run("rollout")); got != "wonka:+2=0 tyrell:+3=0 globex:+5=0" {
		t.Errorf("rollout: %s", got)
	}
	// The second rollout leaves wonka and tyrell alone: their desired state
	// is the one they were deployed with. globex's account-model
	// configuration needs an account the test never assigned, so it cannot
	// be fingerprinted and runs; --force runs them all.
	if rep := run("rollout"); creates(rep) != "globex:+0=5" || rep.Totals.Unchanged != 2 {
		t.Errorf("second rollout: %s, %d unchanged", creates(rep), rep.Totals.Unchanged)
	}
	if got := creates(run("rollout", "--force")); got != "wonka:+0=2 tyrell:+0=3 globex:+0=5" {
		t.Errorf("rollout --force: %s", got)
	}
	if rep := run("refresh", "--drift"); rep.Totals.Changed != 0 || rep.Totals.Succeeded != 3 {
		t.Errorf("drift on components: %+v", rep.Totals)
	}
	out, errs, code := runCLI(t, "destroy", "--dir", dir, "--tenant", "globex", "--yes")
	if code != ExitOK || !strings.Contains(out, "+0 ~0 -5") {
		t.Errorf("destroy globex: exit %d\n%s\n%s", code, out, errs)
	}
	abs, _ := filepath.Abs(dir)
	logs, _ := filepath.Glob(filepath.Join(filepath.Dir(abs), ".tenantctl", "rollouts", "*", "globex.log"))
	if len(logs) != 6 {
		t.Errorf("%d engine logs of globex, want one per command (6)", len(logs))
	}
}
