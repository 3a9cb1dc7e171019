package workflow

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tenantctl/tenantctl/internal/backoff"
)

type notes struct {
	mu     sync.Mutex
	events []string
}

func (n *notes) Notify(_ context.Context, e Event) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	s := e.Status
	if e.Step != "" {
		s += ":" + e.Step
	}
	n.events = append(n.events, s)
	return nil
}

func (n *notes) String() string { return strings.Join(n.events, " ") }

// counted is a definition whose steps count their runs in calls.
func counted(calls map[string]int, fail map[string]error) Definition {
	step := func(name string, do func(v Values)) Step {
		return Step{Name: name, Do: func(ctx context.Context, v Values) error {
			calls[name]++
			if err := fail[name]; err != nil {
				return err
			}
			if do != nil {
				do(v)
			}
			return nil
		}}
	}
	return Definition{Kind: "onboard", Steps: []Step{
		step("validate", nil),
		step("assign-account", func(v Values) { v["account"] = "123456789012" }),
		step("deploy", func(v Values) { v["deployed-to"] = v["account"] }),
	}}
}

func TestWorkflowRunsStepsAndHandsValuesOn(t *testing.T) {
	calls, n := map[string]int{}, &notes{}
	o := Options{Dir: t.TempDir(), Attempts: 3, Notifier: n}
	st, err := Start(context.Background(), counted(calls, nil), "hooli", Values{"tier": "premium"}, o)
	if err != nil {
		t.Fatal(err)
	}
	if st.Status != StatusSucceeded || st.Values["deployed-to"] != "123456789012" || st.Values["tier"] != "premium" {
		t.Fatalf("state %+v", st)
	}
	back, err := Read(o.Dir, st.ID)
	if err != nil || back.Status != StatusSucceeded || back.Values["deployed-to"] != "123456789012" {
		t.Fatalf("journal says %+v, %v", back, err)
	}
	if n.String() != "started succeeded" {
		t.Fatalf("notifications: %s", n)
	}
}

func TestWorkflowRetriesTransientAndResumesAfterFailure(t *testing.T) {
	calls, n := map[string]int{}, &notes{}
	o := Options{Dir: t.TempDir(), Attempts: 2, Notifier: n, Backoff: backoff.Exp{Base: time.Millisecond}}
	fail := map[string]error{"deploy": Transient(errors.New("stack locked"))}
	st, err := Start(context.Background(), counted(calls, fail), "hooli", nil, o)
	if err == nil || !strings.Contains(err.Error(), "step deploy: stack locked") {
		t.Fatalf("err = %v", err)
	}
	if st.Status != StatusFailed || calls["deploy"] != 2 || st.Steps[2].Status != StepFailed {
		t.Fatalf("state %+v, deploy ran %d times", st, calls["deploy"])
	}
	if n.String() != "started retrying:deploy failed:deploy" {
		t.Fatalf("notifications: %s", n)
	}
	// The cause fixed, a resume runs only what is not done.
	delete(fail, "deploy")
	st, err = Resume(context.Background(), counted(calls, fail), st.ID, o)
	if err != nil || st.Status != StatusSucceeded || st.Runs != 2 {
		t.Fatalf("resume: %+v, %v", st, err)
	}
	if calls["validate"] != 1 || calls["assign-account"] != 1 || calls["deploy"] != 3 {
		t.Fatalf("calls %v: done steps ran again", calls)
	}
	if st.Values["deployed-to"] != "123456789012" {
		t.Fatalf("the account an earlier run assigned was not handed on: %v", st.Values)
	}
	if again, err := Resume(context.Background(), counted(calls, fail), st.ID, o); err != nil || again.Status != StatusSucceeded || calls["deploy"] != 3 {
		t.Fatalf("resuming a finished run: %+v, %v, %v", again, err, calls)
	}
}

func TestWorkflowRefusesWhatItMayNotRun(t *testing.T) {
	dir := t.TempDir()
	l, err := lock(dir, "hooli", "offboard-hooli-x")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	calls := map[string]int{}
	if _, err := Start(context.Background(), counted(calls, nil), "hooli", nil, Options{Dir: dir}); err == nil || !strings.Contains(err.Error(), "another workflow of tenant hooli") {
		t.Fatalf("a second workflow of the tenant: %v", err)
	}
	st, err := Start(context.Background(), counted(calls, nil), "wonka", nil, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	other := counted(calls, nil)
	other.Steps = other.Steps[:2]
	if _, err := Resume(context.Background(), other, st.ID, Options{Dir: dir}); err == nil || !strings.Contains(err.Error(), "other steps") {
		t.Fatalf("resume with other steps: %v", err)
	}
	if _, err := Read(dir, "../../etc/passwd"); err == nil {
		t.Fatal("a path as workflow id was read")
	}
}

const killChild = "TENANTCTL_TEST_WORKFLOW_CHILD"

// slowDefinition's steps note each run in dir (one line per run) and
// create their effect only if absent, as real steps are idempotent; the
// second step takes long enough to be killed in.
func slowDefinition(dir string) Definition {
	step := func(name string, d time.Duration) Step {
		return Step{Name: name, Do: func(ctx context.Context, v Values) error {
			f, err := os.OpenFile(filepath.Join(dir, "runs"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
			if err != nil {
				return err
			}
			fmt.Fprintln(f, name)
			f.Close()
			time.Sleep(d)
			effect := filepath.Join(dir, "effect-"+name)
			if _, err := os.Stat(effect); errors.Is(err, os.ErrNotExist) {
				return os.WriteFile(effect, nil, 0o644)
			}
			return nil
		}}
	}
	return Definition{Kind: "offboard", Steps: []Step{step("suspend", 0), step("export", 3*time.Second), step("destroy", 0)}}
}

// TestWorkflowChild is not a test: TestKilledWorkflowResumes runs it as a
// child process that starts the slow workflow, to be killed mid-step.
func TestWorkflowChild(t *testing.T) {
	dir := os.Getenv(killChild)
	if dir == "" {
		return
	}
	Start(context.Background(), slowDefinition(dir), "hooli", nil, Options{Dir: dir})
}

// A workflow killed with SIGKILL in the middle of a step resumes: done steps
// do not run again, the interrupted step runs again, and the run ends
// succeeded with every step done exactly once in its journal.
func TestKilledWorkflowResumes(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestWorkflowChild$")
	cmd.Env = append(os.Environ(), killChild+"="+dir)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		runs, _ := os.ReadFile(filepath.Join(dir, "runs"))
		if strings.Contains(string(runs), "export") {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the child never reached the export step")
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
	st, err := Read(dir, id)
	if err != nil {
		t.Fatal(err)
	}
	if st.Steps[0].Status != StepDone || st.Steps[1].Status != StepInterrupted || st.Steps[2].Status != StepPending {
		t.Fatalf("after the kill: %+v %+v %+v", st.Steps[0], st.Steps[1], st.Steps[2])
	}
	st, err = Resume(context.Background(), slowDefinition(dir), id, Options{Dir: dir})
	if err != nil || st.Status != StatusSucceeded {
		t.Fatalf("resume: %+v, %v", st, err)
	}
	runs, _ := os.ReadFile(filepath.Join(dir, "runs"))
	if got := strings.Fields(string(runs)); strings.Join(got, " ") != "suspend export export destroy" {
		t.Fatalf("runs: %v; want suspend once, export again after the kill, destroy once", got)
	}
	recs, err := read(st.Journal)
	if err != nil {
		t.Fatal(err)
	}
	done := map[string]int{}
	for _, r := range recs {
		if r.Type == recDone {
			done[r.Step]++
		}
	}
	if done["suspend"] != 1 || done["export"] != 1 || done["destroy"] != 1 {
		t.Fatalf("done records %v, want each step once", done)
	}
}
