package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/tenantctl/tenantctl/internal/objstore"
	"github.com/tenantctl/tenantctl/internal/rollout/auto"
	"github.com/tenantctl/tenantctl/internal/rollout/journal"
	"github.com/tenantctl/tenantctl/internal/rollout/outcome"
	"github.com/tenantctl/tenantctl/internal/rollout/rollouttest"
	"github.com/tenantctl/tenantctl/internal/rollout/runner"
	"github.com/tenantctl/tenantctl/internal/rollout/shared"
	"github.com/tenantctl/tenantctl/internal/spec"
)

// simChild makes the test binary run tenantctl's main over a simulated
// engine; its value is the command line, one argument per line.
// simLatency is each stack's time in ms, simFail the stacks that fail.
const (
	simChild   = "TENANTCTL_TEST_SIM_CHILD"
	simLatency = "TENANTCTL_TEST_SIM_LATENCY_MS"
	simFail    = "TENANTCTL_TEST_SIM_FAIL"
)

// TestSimChildMain is not a test: the shared-rollout tests run it as the
// runner processes of a CI matrix, each tenantctl over its own simulated engine.
func TestSimChildMain(t *testing.T) {
	args := os.Getenv(simChild)
	if args == "" {
		return
	}
	ms, _ := strconv.Atoi(os.Getenv(simLatency))
	sim := &rollouttest.Sim{Latency: time.Duration(ms) * time.Millisecond, Changes: outcome.Changes{Update: 1}, Fail: map[string]outcome.Class{}}
	for _, s := range strings.Fields(os.Getenv(simFail)) {
		sim.Fail[s] = outcome.ClassFailed
	}
	programsFor = func(*engineOptions, *spec.Fleet) (runner.Programs, error) { return nil, nil }
	newDeployer = func(context.Context, runner.Programs, auto.Options) (runner.Deployer, error) { return sim, nil }
	stacksUpdated = func(ctx context.Context, _ auto.Options) (map[string]time.Time, error) { return sim.Updated(ctx) }
	os.Args = append([]string{"tenantctl"}, strings.Split(args, "\n")...)
	main()
}

// runner starts one runner process of the matrix.
func startRunner(t *testing.T, env []string, failing string, args ...string) (*exec.Cmd, *strings.Builder) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestSimChildMain$", "-test.v=false")
	cmd.Env = append(append(os.Environ(), env...), simChild+"="+strings.Join(args, "\n"), simLatency+"=150", simFail+"="+failing)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) })
	return cmd, &out
}

func procExit(err error) int {
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

// One rollout on an S3 backend (moto), planned once by `rollout matrix` and
// run by runner processes of the real CLI over simulated engines: three
// runners end as one would (every stack once); a runner killed mid-wave is
// replaced by another that finishes its share while the rest wait; and two
// failures run by different runners halt a wave that tolerates one.
func TestSharedRolloutOnS3(t *testing.T) {
	s, cfg := withMoto(t)
	dir := project(t)
	withSim(t, &rollouttest.Sim{})
	backend := "s3://tenantctl-state/prod"
	client := objstore.NewS3Client(cfg)
	if _, err := client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String("tenantctl-state")}); err != nil {
		t.Fatal(err)
	}
	var env []string
	for k, v := range s.Env() {
		env = append(env, k+"="+v)
	}
	env = append(env, "PULUMI_CONFIG_PASSPHRASE=test", "CI=true", "PULUMI_BACKEND_URL=")
	loc, _, _ := objstore.ParseS3URL(backend)
	store := loc.Under(client, ".tenantctl")

	plan := func(args ...string) matrix {
		t.Helper()
		out, errs, code := runCLI(t, append([]string{"rollout", "matrix", "--dir", dir, "--backend", backend}, args...)...)
		var m matrix
		if code != ExitOK || json.Unmarshal([]byte(out), &m) != nil {
			t.Fatalf("matrix: exit %d\n%s\n%s", code, out, errs)
		}
		return m
	}
	runAll := func(m matrix, failing string) (codes []int, outs []string) {
		t.Helper()
		var cmds []*exec.Cmd
		var bufs []*strings.Builder
		for _, inc := range m.Include {
			c, b := startRunner(t, env, failing, "rollout", "--resume", m.Rollout, "--shard", inc.Shard, "--dir", dir, "--backend", backend)
			cmds, bufs = append(cmds, c), append(bufs, b)
		}
		for i, c := range cmds {
			codes = append(codes, procExit(c.Wait()))
			outs = append(outs, bufs[i].String())
		}
		return codes, outs
	}
	state := func(id string) *journal.State {
		t.Helper()
		b, _ := shared.Open(store, id, "")
		st, err := b.State(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	startsOf := func(id string) map[string]int {
		b, _ := shared.Open(store, id, "")
		recs, _ := b.Records(context.Background())
		n := map[string]int{}
		for _, r := range recs {
			if r.Type == journal.RecStart {
				n[r.Stack]++
			}
		}
		return n
	}

	// Three runners, one rollout.
	m := plan("--shards", "3", "--canary", "2")
	if len(m.Include) != 3 || m.Stacks != 12 {
		t.Fatalf("matrix %+v", m)
	}
	codes, outs := runAll(m, "")
	for i, c := range codes {
		if c != ExitOK {
			t.Fatalf("runner %d: exit %d\n%s", i+1, c, outs[i])
		}
	}
	st := state(m.Rollout)
	if settled, failed := shared.Settled(st, st.Plan.StackNames()); !settled || failed != 0 {
		t.Fatalf("after three runners: %v", st.Rows)
	}
	for stack, n := range startsOf(m.Rollout) {
		if n != 1 {
			t.Errorf("%s started %d times, want once", stack, n)
		}
	}

	// A runner killed mid-wave, replaced by another for its shard.
	m = plan("--shards", "2", "--force")
	one, oneOut := startRunner(t, env, "", "rollout", "--resume", m.Rollout, "--shard", "1/2", "--dir", dir, "--backend", backend)
	two, _ := startRunner(t, env, "", "rollout", "--resume", m.Rollout, "--shard", "2/2", "--dir", dir, "--backend", backend)
	deadline := time.Now().Add(60 * time.Second)
	for len(startsOf(m.Rollout)) < 4 {
		if time.Now().After(deadline) {
			t.Fatal("the runners never started")
		}
		time.Sleep(50 * time.Millisecond)
	}
	_ = syscall.Kill(-two.Process.Pid, syscall.SIGKILL)
	_ = two.Wait()
	heir, heirOut := startRunner(t, env, "", "rollout", "--resume", m.Rollout, "--shard", "2/2", "--dir", dir, "--backend", backend)
	if c := procExit(heir.Wait()); c != ExitOK {
		t.Fatalf("the replacement runner: exit %d\n%s", c, heirOut)
	}
	if c := procExit(one.Wait()); c != ExitOK {
		t.Fatalf("runner 1, which waited for the replacement: exit %d\n%s", c, oneOut)
	}
	st = state(m.Rollout)
	if settled, failed := shared.Settled(st, st.Plan.StackNames()); !settled || failed != 0 || st.Status != outcome.StatusSucceeded {
		t.Fatalf("after the replacement: %s %v", st.Status, st.Rows)
	}

	// Tolerance counted once across runners.
	m = plan("--shards", "2", "--force", "--failure-tolerance", "1")
	wave := st.Plan.Waves[0].Stacks // one wave of 12: stacks 0 and 1 go to runners 1 and 2
	codes, outs = runAll(m, wave[0]+" "+wave[1])
	for i, c := range codes {
		if c != ExitHalted {
			t.Errorf("runner %d with 2 failures against a tolerance of 1: exit %d\n%s", i+1, c, outs[i])
		}
	}
	if st := state(m.Rollout); st.Status != outcome.StatusHalted {
		t.Errorf("the board says %s", st.Status)
	}

	// A file backend has no shared rollouts.
	if _, errs, code := runCLI(t, "rollout", "matrix", "--dir", dir, "--shards", "2"); code != ExitUsage || !strings.Contains(errs, "S3 backend") {
		t.Errorf("matrix on a file backend: exit %d\n%s", code, errs)
	}

}
