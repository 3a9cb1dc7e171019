package lifecycle

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/tenantctl/tenantctl/internal/lifecycle/identity"
	"github.com/tenantctl/tenantctl/internal/lifecycle/items"
	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/internal/testutil/moto"
	"github.com/tenantctl/tenantctl/internal/workflow"
)

// killChild names the directory of the kill -9 test's child process, which
// uses the parent's emulator (AWS_ENDPOINT_URL) instead of starting one.
const killChild = "TENANTCTL_TEST_LIFECYCLE_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(killChild) != "" {
		os.Exit(m.Run())
	}
	os.Exit(moto.Main(m))
}

func start(t *testing.T, w *world, def workflow.Definition, tenant string, input workflow.Values) *workflow.State {
	t.Helper()
	if input == nil {
		input = workflow.Values{}
	}
	input[ValStarted] = "20260301T100000Z"
	st, err := workflow.Start(context.Background(), def, tenant, input, workflow.Options{Dir: t.TempDir(), Attempts: 1})
	if err != nil {
		t.Fatalf("%s: %v\n%s", def.Kind, err, strings.Join(w.said, "\n"))
	}
	return st
}

const probe = `id: probe
name: Probe Inc
tier: standard
model: application
status: onboarding # until tenantctl onboard makes it active
costCenter: CC-9
owner: ops@probe.example.com
`

func TestOnboardDeploysVerifiesAndActivates(t *testing.T) {
	moto.Shared(t)
	w := newWorld(t, t.TempDir(), map[string]string{"probe.yaml": probe})
	st, err := workflow.Start(context.Background(), Onboard(w.env, "probe"), "probe", workflow.Values{ValStarted: "x"}, workflow.Options{Dir: t.TempDir()})
	if err != nil || st.Status != workflow.StatusSucceeded {
		t.Fatalf("onboard: %+v, %v", st, err)
	}
	if got := w.file(t, "probe"); !strings.Contains(got, "status: active # until tenantctl onboard makes it active\n") {
		t.Errorf("the file:\n%s", got)
	}
	if got := w.runs(t); got != "up probe, up probe" {
		t.Errorf("stack runs: %s", got)
	}
	it, _ := registryItem(context.Background(), w.db, w.p, "probe")
	if it["status"] != "active" || it["model"] != "application" {
		t.Errorf("registry item %v", it)
	}
	// Run again: every step is idempotent; the file is not touched.
	st, err = workflow.Start(context.Background(), Onboard(w.env, "probe"), "probe", workflow.Values{ValStarted: "y"}, workflow.Options{Dir: t.TempDir()})
	if err != nil || st.Status != workflow.StatusSucceeded {
		t.Fatalf("onboard again: %+v, %v", st, err)
	}
}

func TestOnboardFailsWhenTheStackMadeNoRegistryItem(t *testing.T) {
	moto.Shared(t)
	w := newWorld(t, t.TempDir(), map[string]string{"probe.yaml": probe})
	w.env.Stacks = noopStacks{}
	st, err := workflow.Start(context.Background(), Onboard(w.env, "probe"), "probe", nil, workflow.Options{Dir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "step verify: tenant probe: no registry item") || st.Status != workflow.StatusFailed {
		t.Fatalf("onboard without a deployed stack: %v", err)
	}
	if got := w.file(t, "probe"); !strings.Contains(got, "status: onboarding") {
		t.Errorf("the file changed though the onboarding failed:\n%s", got)
	}
}

type noopStacks struct{}

func (noopStacks) Up(context.Context, string) error      { return nil }
func (noopStacks) Destroy(context.Context, string) error { return nil }

// offboardWorld is vandelay (application model, pooled) deployed with 40
// items (30 in its partition, 10 in a shard), 3 users, and a neighbour
// whose items must survive.
func offboardWorld(t *testing.T, dir string) *world {
	t.Helper()
	w := newWorld(t, dir, nil)
	ctx := context.Background()
	if err := w.stacks.Up(ctx, "vandelay"); err != nil {
		t.Fatal(err)
	}
	w.putItems(t, w.p.PoolTable, "vandelay", 30)
	w.putItems(t, w.p.PoolTable, "vandelay#2026", 10)
	w.putItems(t, w.p.PoolTable, "wonka", 5)
	for _, u := range []string{"art", "george", "kramer"} {
		if _, err := w.users.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(w.p.UserPoolID), Username: aws.String(u)}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.users.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: aws.String(w.p.UserPoolID), Username: aws.String(u), GroupName: aws.String("vandelay")}); err != nil {
			t.Fatal(err)
		}
	}
	os.Remove(w.stacks.runs)
	return w
}

func TestOffboardArchivesPurgesAndLeavesNothing(t *testing.T) {
	moto.Shared(t)
	w := offboardWorld(t, t.TempDir())
	st := start(t, w, Offboard(w.env, "vandelay"), "vandelay", nil)
	if st.Status != workflow.StatusSucceeded {
		t.Fatalf("offboard: %+v", st)
	}
	v := st.Values
	if v[ValExported] != "40" || v[ValPurged] != "40" || v[ValUsers] != "3" || v[ValExport] != "s3://"+w.p.ArchiveBucket+"/tenants/vandelay/offboard-20260301T100000Z.jsonl" {
		t.Errorf("values %v", v)
	}
	obj, err := w.s3.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(w.p.ArchiveBucket), Key: aws.String("tenants/vandelay/offboard-20260301T100000Z.jsonl")})
	if err != nil {
		t.Fatal(err)
	}
	lines := 0
	for sc := bufio.NewScanner(obj.Body); sc.Scan(); lines++ {
	}
	obj.Body.Close()
	if lines != 40 {
		t.Errorf("the archive holds %d items, want 40", lines)
	}
	if n := w.count(t, items.Pooled(w.p.PoolTable, "vandelay")); n != 0 {
		t.Errorf("%d items left in the pool", n)
	}
	if n := w.count(t, items.Pooled(w.p.PoolTable, "wonka")); n != 5 {
		t.Errorf("the neighbour has %d items, want 5", n)
	}
	if groups, _ := identity.Existing(context.Background(), w.users, w.p.UserPoolID, "vandelay"); len(groups) != 0 {
		t.Errorf("groups left %v", groups)
	}
	if got := w.runs(t); got != "up vandelay, destroy vandelay" {
		t.Errorf("stack runs: %s", got)
	}
	if got := w.file(t, "vandelay"); !strings.Contains(got, "model: application\nstatus: suspended\n") {
		t.Errorf("the file:\n%s", got)
	}
}

// TestOffboardChild is not a test: TestKilledOffboardResumes runs it as a
// child process, to be killed in the middle of the destroy step.
func TestOffboardChild(t *testing.T) {
	dir := os.Getenv(killChild)
	if dir == "" {
		return
	}
	w := newWorld(t, filepath.Join(dir, "tenants"), nil)
	w.stacks.slow = 5 * time.Second
	workflow.Start(context.Background(), Offboard(w.env, "vandelay"), "vandelay", workflow.Values{ValStarted: "20260301T100000Z"}, workflow.Options{Dir: dir})
}

// A SIGKILLed offboard, killed while its stack is being destroyed, resumes:
// the steps done before do not run again (one export, one suspend), the
// destroy runs again, and every step ends done exactly once in the journal.
func TestKilledOffboardResumes(t *testing.T) {
	s := moto.Shared(t)
	dir := t.TempDir()
	w := offboardWorld(t, filepath.Join(dir, "tenants"))
	cmd := exec.Command(os.Args[0], "-test.run=^TestOffboardChild$")
	cmd.Env = append(os.Environ(), killChild+"="+dir, "AWS_ENDPOINT_URL="+s.URL)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(w.runs(t), "destroy") {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("the child never reached the destroy step; runs: %s", w.runs(t))
		}
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()

	entries, _ := os.ReadDir(filepath.Join(dir, "workflows"))
	var id string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".jsonl") {
			id = strings.TrimSuffix(e.Name(), ".jsonl")
		}
	}
	st, err := workflow.Read(dir, id)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]workflow.StepStatus{}
	for _, s := range st.Steps {
		byName[s.Name] = s.Status
	}
	if byName["purge-users"] != workflow.StepDone || byName["destroy"] != workflow.StepInterrupted || byName["purge-data"] != workflow.StepPending {
		t.Fatalf("after the kill: %v", byName)
	}
	st, err = workflow.Resume(context.Background(), Offboard(w.env, "vandelay"), id, workflow.Options{Dir: dir})
	if err != nil || st.Status != workflow.StatusSucceeded || st.Runs != 2 {
		t.Fatalf("resume: %+v, %v", st, err)
	}
	if got := w.runs(t); got != "up vandelay, destroy vandelay, destroy vandelay" {
		t.Errorf("stack runs %s; want the suspend's up once and the destroy again after the kill", got)
	}
	if st.Values[ValExported] != "40" || st.Values[ValPurged] != "40" {
		t.Errorf("values %v", st.Values)
	}
	data, _ := os.ReadFile(st.Journal)
	done := map[string]int{}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.Contains(line, `"type":"done"`) {
			for _, s := range st.Steps {
				if strings.Contains(line, `"step":"`+s.Name+`"`) {
					done[s.Name]++
				}
			}
		}
	}
	for _, s := range st.Steps {
		if done[s.Name] != 1 {
			t.Errorf("step %s journaled done %d times", s.Name, done[s.Name])
		}
	}
}

// migrated is vandelay's file moved to the container model with the marker.
func migrated(t *testing.T) string {
	data, err := os.ReadFile(filepath.Join("../../tenants", "vandelay.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	head, _, _ := strings.Cut(string(data), "limits:")
	return strings.Replace(head, "model: application", "model: container\nmigration: {from: application, to: container}\nservice: {listenerPriority: 977}", 1)
}

// TestMigratePooledToSiloAndBack moves vandelay's 40 items from the pool to
// a table of its own (application → container) and back, counting them
// before and after each move.
func TestMigratePooledToSiloAndBack(t *testing.T) {
	moto.Shared(t)
	dir := t.TempDir()
	w := offboardWorld(t, dir)
	writeFile(t, filepath.Join(dir, "vandelay.yaml"), migrated(t))
	before := w.count(t, items.Pooled(w.p.PoolTable, "vandelay"))

	st := start(t, w, Migrate(w.env, "vandelay"), "vandelay", workflow.Values{ValTo: "container"})
	v := st.Values
	t.Logf("application → container: %s items before, %s after (%s → %s); export %s", v[ValBefore], v[ValAfter], v[ValSource], v[ValDestination], v[ValExport])
	if v[ValBefore] != strconv.Itoa(before) || v[ValAfter] != v[ValBefore] || v[ValSource] != "pooled" || v[ValDestination] != "table" || v[ValExported] != "40" {
		t.Fatalf("values %v", v)
	}
	own := items.Own(ownTable(&spec.Settings{NamePrefix: "saas"}, "vandelay"))
	if n := w.count(t, own); n != 40 {
		t.Errorf("own table holds %d", n)
	}
	if n := w.count(t, items.Pooled(w.p.PoolTable, "vandelay")); n != 0 {
		t.Errorf("%d items left in the pool after the retire", n)
	}
	if n := w.count(t, items.Pooled(w.p.PoolTable, "wonka")); n != 5 {
		t.Errorf("the neighbour has %d items", n)
	}
	if got := w.file(t, "vandelay"); strings.Contains(got, "migration:") || !strings.Contains(got, "model: container\nservice: {listenerPriority: 977}") {
		t.Errorf("the file after the migration:\n%s", got)
	}
	if got := w.runs(t); got != "up vandelay, up vandelay" {
		t.Errorf("stack runs: %s (the switch, the retire)", got)
	}

	// And back to the pool.
	os.Remove(w.stacks.runs)
	back := strings.Replace(w.file(t, "vandelay"), "model: container\nservice: {listenerPriority: 977}", "model: application\nmigration: {from: container, to: application}", 1)
	writeFile(t, filepath.Join(dir, "vandelay.yaml"), back)
	st = start(t, w, Migrate(w.env, "vandelay"), "vandelay", workflow.Values{ValTo: "application"})
	v = st.Values
	t.Logf("container → application: %s items before, %s after (%s → %s)", v[ValBefore], v[ValAfter], v[ValSource], v[ValDestination])
	if v[ValBefore] != "40" || v[ValAfter] != "40" || v[ValSource] != "table" || v[ValDestination] != "pooled" {
		t.Fatalf("values %v", v)
	}
	if n := w.count(t, items.Pooled(w.p.PoolTable, "vandelay")); n != 40 {
		t.Errorf("the pool holds %d of vandelay's items", n)
	}
	if _, err := items.Count(context.Background(), w.db, own); err == nil {
		t.Error("the own table outlived the migration's retire")
	}
}

func TestMigrateRefusesWithoutAMatchingMarker(t *testing.T) {
	moto.Shared(t)
	dir := t.TempDir()
	w := offboardWorld(t, dir)
	noMarker := strings.Replace(migrated(t), "migration: {from: application, to: container}\n", "", 1)
	writeFile(t, filepath.Join(dir, "vandelay.yaml"), noMarker)
	_, err := workflow.Start(context.Background(), Migrate(w.env, "vandelay"), "vandelay", workflow.Values{ValTo: "container"}, workflow.Options{Dir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "has no migration marker to container") {
		t.Fatalf("without a marker: %v", err)
	}
	writeFile(t, filepath.Join(dir, "vandelay.yaml"), migrated(t))
	if _, err := workflow.Start(context.Background(), Migrate(w.env, "vandelay"), "vandelay", workflow.Values{ValTo: "vpc"}, workflow.Options{Dir: t.TempDir()}); err == nil || !strings.Contains(err.Error(), "says model: container, not vpc") {
		t.Fatalf("another model: %v", err)
	}
	if w.runs(t) != "" {
		t.Errorf("a refused migration ran the stack: %s", w.runs(t))
	}
}
