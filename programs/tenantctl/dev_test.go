package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/tenantctl/tenantctl/internal/devloop"
	"github.com/tenantctl/tenantctl/internal/externalid"
	"github.com/tenantctl/tenantctl/internal/rollout/auto"
	"github.com/tenantctl/tenantctl/internal/rollout/outcome"
	"github.com/tenantctl/tenantctl/internal/rollout/plan"
	"github.com/tenantctl/tenantctl/internal/rollout/runner"
	"github.com/tenantctl/tenantctl/internal/testutil/moto"
	"github.com/tenantctl/tenantctl/models/emulation"
)

// devEnv isolates a dev loop test from the machine: no endpoint or
// credentials from the environment, no ~/.aws, an empty plugin cache.
func devEnv(t *testing.T) {
	t.Helper()
	pulumiOnPath(t)
	for _, k := range []string{"AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", externalid.EnvSecret, "PULUMI_BACKEND_URL", "PULUMI_CONFIG_PASSPHRASE"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("PULUMI_HOME", t.TempDir())
	t.Setenv("CI", "true")
}

var urlPattern = regexp.MustCompile(`at (http://127\.0\.0\.1:[0-9]+)`)

// On a machine without the AWS provider plugin (this one): dev up starts the
// emulator detached, prepares the organization, reports the gaps, then stops
// with how to install the plugin; a re-run reuses what is there; status shows
// it; down stops the emulator.
func TestDevUpWithoutThePlugin(t *testing.T) {
	devEnv(t)
	dir := project(t)
	devDir := filepath.Join(filepath.Dir(dir), ".tenantctl", "dev")
	t.Cleanup(func() { runCLI(t, "--dir", dir, "dev", "down") })

	out, stderr, code := runCLI(t, "--dir", dir, "dev", "up")
	if code != ExitInvalid || !strings.Contains(stderr, "pulumi plugin install resource aws v6.83.0") || !strings.Contains(stderr, "dev down` stops the emulator") {
		t.Fatalf("dev up without the plugin: exit %d\nstderr: %s\nstdout: %s", code, stderr, out)
	}
	m := urlPattern.FindStringSubmatch(out)
	if m == nil || !strings.Contains(out, "emulator: moto_server started at") || !strings.Contains(out, "organization: created") ||
		!strings.Contains(out, "credentials: none in the environment; dummy ones") || !strings.Contains(out, "external-id secret: kept in "+devDir) {
		t.Fatalf("dev up output:\n%s", out)
	}
	url := m[1]
	for _, want := range []string{
		"skipped cost-allocation-tag (omit aws:costexplorer/costAllocationTag:CostAllocationTag) in platform: moto does not serve",
		"skipped transit-gateway-attachment (omit aws:ec2transitgateway/vpcAttachment:VpcAttachment) in platform, initech, umbrella:",
		"skipped budget-tags (omit aws:budgets/budget:Budget) in acme-corp, globex:",
		"skipped service-quota-increase (omit servicequotas:RequestServiceQuotaIncrease) in the account lifecycle",
		"skipped metric-alarm (omit aws:cloudwatch/metricAlarm:MetricAlarm) in platform, acme-corp, cyberdyne,",
		"skipped dashboard (omit aws:cloudwatch/dashboard:Dashboard) in acme-corp, cyberdyne, dunder-mifflin,",
		"skipped xray-sampling-rule (omit aws:xray/samplingRule:SamplingRule) in platform:",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("gap report lacks %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(filepath.Join(devDir, "rollouts")); err == nil {
		t.Error("a rollout journal exists: the fan-out started without the plugin")
	}
	secret, err := os.ReadFile(filepath.Join(devDir, "external-id-secret"))
	if err != nil {
		t.Fatal(err)
	}

	out, _, code = runCLI(t, "--dir", dir, "dev", "up")
	if code != ExitInvalid || !strings.Contains(out, "emulator: moto_server reused at "+url) || !strings.Contains(out, "organization: exists") {
		t.Fatalf("second dev up: exit %d\n%s", code, out)
	}
	if again, _ := os.ReadFile(filepath.Join(devDir, "external-id-secret")); string(again) != string(secret) {
		t.Error("the dev secret changed on a re-run")
	}

	out, _, code = runCLI(t, "--dir", dir, "dev", "status")
	if code != ExitOK || !strings.Contains(out, "emulator: running at "+url) || !strings.Contains(out, "stacks: none yet") {
		t.Fatalf("dev status: exit %d\n%s", code, out)
	}
	out, _, code = runCLI(t, "--dir", dir, "dev", "down")
	if code != ExitOK || !strings.Contains(out, "nothing to destroy") || !strings.Contains(out, "emulator: stopped moto_server") {
		t.Fatalf("dev down: exit %d\n%s", code, out)
	}
	out, _, _ = runCLI(t, "--dir", dir, "dev", "status")
	if !strings.Contains(out, "emulator: not started") {
		t.Errorf("status after down:\n%s", out)
	}
}

// recordingEngine stands in for the engine: it records each operation and the
// configuration the dev loop gave the stack, creates the OUs when the
// platform stack comes up (as the platform stack does), and writes the stack
// to the file backend as the engine would.
type recordingEngine struct {
	t       *testing.T
	progs   runner.Programs
	cfg     aws.Config
	backend string
	env     map[string]string

	mu     sync.Mutex
	ops    []string
	config map[string]map[string]string
}

func (e *recordingEngine) Run(ctx context.Context, op plan.Op, stack string, _ runner.Stream) (outcome.Changes, error) {
	cfg, err := e.progs.Config(stack)
	if err != nil {
		return outcome.Changes{}, err
	}
	plain := map[string]string{}
	for k, v := range cfg {
		plain[k] = v.Value
	}
	e.mu.Lock()
	e.ops = append(e.ops, string(op)+" "+stack)
	e.config[stack] = plain
	e.mu.Unlock()
	if op == plan.OpUp && stack == plan.PlatformStack {
		org := organizations.NewFromConfig(e.cfg)
		roots, err := org.ListRoots(ctx, &organizations.ListRootsInput{})
		if err != nil {
			return outcome.Changes{}, err
		}
		have, err := org.ListOrganizationalUnitsForParent(ctx, &organizations.ListOrganizationalUnitsForParentInput{ParentId: roots.Roots[0].Id})
		if err != nil {
			return outcome.Changes{}, err
		}
		if len(have.OrganizationalUnits) == 0 {
			for _, name := range []string{"Workload", "Suspended"} {
				if _, err := org.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: roots.Roots[0].Id, Name: aws.String(name)}); err != nil {
					return outcome.Changes{}, err
				}
			}
		}
	}
	resources := []any{map[string]any{"type": "pulumi:pulumi:Stack", "outputs": map[string]any{emulation.OutputGaps: []any{"ecs-managed-tags"}}}}
	if op == plan.OpDestroy {
		resources = nil
	}
	data, _ := json.Marshal(map[string]any{"checkpoint": map[string]any{"latest": map[string]any{"resources": resources}}})
	path := filepath.Join(strings.TrimPrefix(e.backend, "file://"), ".pulumi", "stacks", "tenantctl", stack+".json")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return outcome.Changes{}, err
	}
	return outcome.Changes{Create: 1}, os.WriteFile(path, data, 0o644)
}

// dev up and down drive the rollout with the dev loop's settings: every
// stack pointed at the emulator, the dev backend and passphrase, the platform
// first, the pool-drawn account tenant's account vended and assigned after it
// with its external id from the dev secret; down destroys tenants then the
// platform. The engine is recorded (the plugin cannot run here).
func TestDevUpAndDownDriveTheRollout(t *testing.T) {
	// Before devEnv: moto fails on an empty AWS_PROFILE. With AWS managed
	// policies, as dev up requires of an emulator it did not start.
	s, err := moto.Start("MOTO_IAM_LOAD_MANAGED_POLICIES=true")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	devEnv(t)
	// Credentials in the environment: the providers use them, not dummy ones.
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	cfg, _, err := devloop.EmulatorConfig(context.Background(), s.URL, "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	dir := project(t)
	devDir := filepath.Join(filepath.Dir(dir), ".tenantctl", "dev")
	eng := &recordingEngine{t: t, cfg: cfg, config: map[string]map[string]string{}}
	oldD, oldPl := newDeployer, pluginsFor
	newDeployer = func(_ context.Context, progs runner.Programs, o auto.Options) (runner.Deployer, error) {
		eng.progs, eng.backend, eng.env = progs, o.Backend, o.Env
		return eng, nil
	}
	pluginsFor = func() []auto.Plugin { return nil }
	t.Cleanup(func() { newDeployer, pluginsFor = oldD, oldPl })

	out, stderr, code := runCLI(t, "--dir", dir, "dev", "up", "--endpoint-url", s.URL)
	if code != ExitOK {
		t.Fatalf("dev up: exit %d\n%s\n%s", code, out, stderr)
	}
	m := regexp.MustCompile(`globex assigned ([0-9]{12}) \(pool enterprise\)`).FindStringSubmatch(out)
	if m == nil || !strings.Contains(out, "vended "+m[1]+" (tenant-enterprise-1) for pool enterprise: BASELINED") {
		t.Fatalf("dev up output lacks the vended and assigned account:\n%s", out)
	}
	globex := m[1]
	if eng.backend != "file://"+filepath.Join(devDir, "state") || eng.env["PULUMI_CONFIG_PASSPHRASE"] != devloop.Passphrase {
		t.Errorf("engine backend %s passphrase %q", eng.backend, eng.env["PULUMI_CONFIG_PASSPHRASE"])
	}
	if eng.ops[0] != "up platform" || len(eng.ops) != 15 {
		t.Errorf("operations %v: want the platform first, then 14 tenants", eng.ops)
	}
	for stack, c := range eng.config {
		if c["tenantctl:endpointUrl"] != s.URL || c["tenantctl:emulator"] != "moto" || c["tenantctl:emulatorCredentials"] != "environment" {
			t.Errorf("%s: emulator config %v", stack, c)
		}
	}
	secret, err := os.ReadFile(filepath.Join(devDir, "external-id-secret"))
	if err != nil {
		t.Fatal(err)
	}
	g := eng.config["globex"]
	if g["tenantctl:accountId"] != globex || g["tenantctl:externalId"] != externalid.Derive([]byte(strings.TrimSpace(string(secret))), globex) {
		t.Errorf("globex config %v, want account %s and its derived external id", g, globex)
	}
	if a := eng.config["acme-corp"]; a["tenantctl:accountId"] != "210987654321" {
		t.Errorf("acme-corp config %v, want its file's account", a)
	}

	// Again: the account is kept, nothing is vended.
	eng.ops = nil
	out, _, code = runCLI(t, "--dir", dir, "dev", "up", "--endpoint-url", s.URL)
	if code != ExitOK || !strings.Contains(out, "globex had "+globex) || strings.Contains(out, "vended") {
		t.Fatalf("second dev up: exit %d\n%s", code, out)
	}

	out, _, code = runCLI(t, "--dir", dir, "dev", "status")
	if code != ExitOK || !regexp.MustCompile(`globex\s+1\s+ecs-managed-tags`).MatchString(out) || !strings.Contains(out, "last up (") {
		t.Errorf("dev status: exit %d\n%s", code, out)
	}

	eng.ops = nil
	out, stderr, code = runCLI(t, "--dir", dir, "dev", "down", "--endpoint-url", s.URL)
	if code != ExitOK {
		t.Fatalf("dev down: exit %d\n%s\n%s", code, out, stderr)
	}
	if len(eng.ops) != 15 || eng.ops[14] != "destroy platform" {
		t.Errorf("down operations %v: want 14 tenants, then the platform", eng.ops)
	}
	for _, op := range eng.ops[:14] {
		if !strings.HasPrefix(op, "destroy ") || op == "destroy platform" {
			t.Errorf("down ran %q among the tenants", op)
		}
	}
	if !strings.Contains(out, "left running (given with --endpoint-url") {
		t.Errorf("dev down with a given endpoint must leave it running:\n%s", out)
	}
}

func TestEndpointFlagMistakesAreUsageErrors(t *testing.T) {
	devEnv(t)
	dir := project(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"rollout", "--endpoint-url", "localhost:5000"}, `--endpoint-url: endpoint "localhost:5000" is not an http(s) URL`},
		{[]string{"render", "hooli", "--endpoint-url", "http://127.0.0.1:5000", "--emulator", "azurite"}, `--emulator: unknown emulator "azurite"`},
		{[]string{"dev", "up", "--endpoint-url", "ftp://x"}, `--endpoint-url: endpoint "ftp://x" is not an http(s) URL`},
		{[]string{"dev", "down", "--stack-timeout", "-1m"}, `--stack-timeout -1m0s: want a duration above 0`},
	} {
		_, stderr, code := runCLI(t, append([]string{"--dir", dir}, c.args...)...)
		if code != ExitUsage || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and %q", c.args, code, stderr, c.want)
		}
	}
}

// dev up and dev down bound each stack's attempt by default, so a stack stuck
// on a call the emulator keeps failing fails instead of hanging the loop.
func TestDevStackTimeoutDefault(t *testing.T) {
	for _, cmd := range []string{"up", "down"} {
		out, _, code := runCLI(t, "dev", cmd, "--help")
		if code != ExitOK || !strings.Contains(out, "--stack-timeout duration") || !strings.Contains(out, "(default 10m0s)") {
			t.Errorf("dev %s --help: exit %d\n%s", cmd, code, out)
		}
	}
}

// render shows a stack as it deploys to an emulator, with the gaps it
// applied; without an endpoint, no gap line.
func TestRenderShowsEmulatorGaps(t *testing.T) {
	devEnv(t)
	out, stderr, code := runCLI(t, "--dir", "../../tenants", "render", "initech", "--stacks", "../../stacks", "--endpoint-url", "http://127.0.0.1:5000")
	if code != ExitOK || !strings.Contains(out, "emulator gaps applied: dashboard, ecs-managed-tags, metric-alarm, service-autoscaling, transit-gateway-attachment\n") ||
		!strings.Contains(out, "skipRequestingAccountId=true") || strings.Contains(out, "aws:ec2transitgateway/vpcAttachment:VpcAttachment") {
		t.Fatalf("render in emulator mode: exit %d\n%s\n%s", code, out, stderr)
	}
	out, _, code = runCLI(t, "--dir", "../../tenants", "render", "initech", "--stacks", "../../stacks")
	if code != ExitOK || strings.Contains(out, "emulator gaps") || !strings.Contains(out, "aws:ec2transitgateway/vpcAttachment:VpcAttachment") {
		t.Fatalf("render against AWS: exit %d\n%s", code, out)
	}
}

// Pointed at an emulator without AWS managed policies, dev up says what to
// set before any stack runs, instead of failing every service stack halfway.
func TestDevUpRefusesAnEmulatorWithoutManagedPolicies(t *testing.T) {
	s, err := moto.Start() // the harness's moto: no managed policies
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	devEnv(t)
	dir := project(t)
	oldD := newDeployer
	newDeployer = func(context.Context, runner.Programs, auto.Options) (runner.Deployer, error) {
		t.Error("dev up set the engine up against an emulator without managed policies")
		return nil, errors.New("no engine")
	}
	t.Cleanup(func() { newDeployer = oldD })
	_, stderr, code := runCLI(t, "--dir", dir, "dev", "up", "--endpoint-url", s.URL)
	if code != ExitInvalid || !strings.Contains(stderr, "the emulator has no AWS managed policies at "+s.URL) ||
		!strings.Contains(stderr, "restart moto_server with MOTO_IAM_LOAD_MANAGED_POLICIES=true") {
		t.Fatalf("dev up: exit %d\n%s", code, stderr)
	}
}
