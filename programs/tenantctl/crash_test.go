package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	pauto "github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/tenantctl/tenantctl/internal/rollout/auto"
	"github.com/tenantctl/tenantctl/internal/rollout/journal"
	"github.com/tenantctl/tenantctl/internal/rollout/outcome"
	"github.com/tenantctl/tenantctl/internal/rollout/report"
	"github.com/tenantctl/tenantctl/internal/rollout/runner"
	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/internal/stackconfig"
)

// crashChild makes the test binary run tenantctl's main instead of the tests;
// its value is the tenantctl command line, one argument per line.
const crashChild = "TENANTCTL_TEST_CRASH_CHILD"

// crashMarks is where the slow program notes each stack whose program runs.
const crashMarks = "TENANTCTL_TEST_CRASH_MARKS"

// TestCrashChildMain is not a test: run by TestKilledRolloutResumes as a child
// process, it is tenantctl itself (main, with its signal handling and exit
// code), over the slow component program.
func TestCrashChildMain(t *testing.T) {
	args := os.Getenv(crashChild)
	if args == "" {
		return
	}
	useSlowComponents()
	os.Args = append([]string{"tenantctl"}, strings.Split(args, "\n")...)
	main()
}

// useSlowComponents runs the component program, slowed down so a rollout can
// be killed while stacks are mid-update: each program notes that it runs
// (the engine holds the stack's lock by then) and takes a second.
func useSlowComponents() {
	programsFor = func(_ *engineOptions, f *spec.Fleet) (runner.Programs, error) {
		return stackconfig.ModelPrograms(f, func(f *spec.Fleet, stack string) (pulumi.RunFunc, error) {
			prog, err := componentProgram(f, stack)
			if err != nil {
				return nil, err
			}
			return func(ctx *pulumi.Context) error {
				if dir := os.Getenv(crashMarks); dir != "" {
					if err := os.WriteFile(filepath.Join(dir, stack), nil, 0o644); err != nil {
						return err
					}
				}
				time.Sleep(time.Second)
				return prog(ctx)
			}, nil
		}), nil
	}
	pluginsFor = func() []auto.Plugin { return nil }
}

// A rollout killed with SIGKILL mid-wave — tenantctl and every engine it
// started, as when a CI runner is lost — leaves interrupted stacks holding
// the engine's locks. `rollout --resume` refuses a lock whose holder is
// alive, clears the locks of the dead run, and finishes: every stack ends
// with exactly one successful update, and the stacks that had finished
// before the kill are not run again.
func TestKilledRolloutResumes(t *testing.T) {
	pulumiOnPath(t)
	dir := project(t)
	state := filepath.Join(filepath.Dir(dir), ".tenantctl")
	marks := t.TempDir()
	t.Setenv("PULUMI_CONFIG_PASSPHRASE", "test")
	t.Setenv("PULUMI_BACKEND_URL", "")
	t.Setenv("PULUMI_HOME", t.TempDir())
	t.Setenv("CI", "true")
	tenants := []string{"wonka", "tyrell", "globex", "hooli", "initech", "umbrella"}

	args := []string{"rollout", "--dir", dir, "--tenant", strings.Join(tenants, ","), "--max-concurrency", "2", "--output", "json"}
	child := exec.Command(os.Args[0], "-test.run=^TestCrashChildMain$", "-test.v=false")
	child.Env = append(os.Environ(), crashChild+"="+strings.Join(args, "\n"), crashMarks+"="+marks)
	var childErr strings.Builder
	child.Stderr = &childErr
	child.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = syscall.Kill(-child.Process.Pid, syscall.SIGKILL) }()

	// Wait until some stacks finished and another is mid-update.
	var journalPath string
	deadline := time.Now().Add(90 * time.Second)
	for {
		if time.Now().After(deadline) {
			t.Fatalf("the rollout never had stacks both finished and running:\n%s", childErr.String())
		}
		time.Sleep(100 * time.Millisecond)
		paths, _ := filepath.Glob(filepath.Join(state, "rollouts", "*.jsonl"))
		if len(paths) != 1 {
			continue
		}
		journalPath = paths[0]
		recs, err := journal.Read(journalPath)
		if err != nil {
			continue
		}
		if killNow(journal.Fold(recs), marks) {
			break
		}
	}
	killTree(t, child.Process.Pid)
	_ = child.Wait()

	id := strings.TrimSuffix(filepath.Base(journalPath), ".jsonl")
	recs, err := journal.Read(journalPath)
	if err != nil {
		t.Fatal(err)
	}
	before := journal.Fold(recs)
	finished := before.Succeeded()
	var midUpdate []string // interrupted while their program ran
	for _, s := range tenants {
		if before.Rows[s].Result == outcome.ResultInterrupted && fileExists(filepath.Join(marks, s)) {
			midUpdate = append(midUpdate, s)
		}
	}
	if len(midUpdate) == 0 || len(finished) < 2 {
		t.Fatalf("the kill came at the wrong time: %d finished, none mid-update", len(finished))
	}
	for _, s := range midUpdate {
		// The dead engines kept their stack locks…
		if locks, _ := filepath.Glob(filepath.Join(state, "state", ".pulumi", "locks", "organization", "tenantctl", s, "*.json")); len(locks) == 0 {
			t.Errorf("stack %s was mid-update at the kill, yet holds no engine lock", s)
		}
		// …and the engine logs hold what the engines said up to the kill.
		if data, _ := os.ReadFile(filepath.Join(state, "rollouts", id, s+".log")); !strings.Contains(string(data), "Updating") {
			t.Errorf("the engine log of %s, killed mid-update, lacks the engine's output: %q", s, data)
		}
	}

	useSlowComponents()
	t.Cleanup(func() { programsFor, pluginsFor = fleetPrograms, enginePlugins })

	// A lock whose holder is alive (this test's own process) is refused, named
	// and left alone; nothing runs.
	live := filepath.Join(state, "state", ".pulumi", "locks", "organization", "tenantctl", midUpdate[0], "live-holder.json")
	host, _ := os.Hostname()
	writeJSON(t, live, map[string]any{"pid": os.Getpid(), "username": "ops", "hostname": host, "timestamp": time.Now()})
	resume := []string{"rollout", "--resume", id, "--dir", dir, "--output", "json"}
	out, errs, code := runCLI(t, resume...)
	if code != ExitLocked || !strings.Contains(errs, fmt.Sprintf("pulumi pid %d of ops on host %s", os.Getpid(), host)) ||
		!strings.Contains(errs, "still running") || !strings.Contains(errs, "pulumi cancel --yes --stack organization/tenantctl/"+midUpdate[0]) {
		t.Errorf("a live holder's lock: exit %d, want %d (locked) and a refusal naming it\n%s\n%s", code, ExitLocked, out, errs)
	}
	if !fileExists(live) {
		t.Error("the live holder's lock was removed")
	}
	if locks, _ := filepath.Glob(filepath.Join(filepath.Dir(live), "*.json")); len(locks) < 2 {
		t.Error("a refused resume cleared the dead engine's lock beside the live one")
	}
	if recs, _ := journal.Read(journalPath); journal.Fold(recs).Runs != 1 {
		t.Error("a refused resume ran the rollout")
	}
	if err := os.Remove(live); err != nil {
		t.Fatal(err)
	}

	out, errs, code = runCLI(t, resume...)
	if code != ExitOK {
		// What the kill left in the backend, to tell an engine's torn write from ours.
		files, _ := exec.Command("find", filepath.Join(state, "state", ".pulumi"), "-type", "f", "-printf", "%s %p\n").CombinedOutput()
		t.Logf("backend files (size path):\n%s", files)
		t.Fatalf("resume: exit %d\n%s\n%s", code, out, errs)
	}
	var rep report.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if rep.Totals.Succeeded != len(tenants) {
		t.Errorf("resume: %+v, want all %d succeeded", rep.Totals, len(tenants))
	}
	for _, row := range rep.Stacks {
		if row.Earlier != finished[row.Stack] {
			t.Errorf("%s: run again by the resume = %v, want %v", row.Stack, !row.Earlier, !finished[row.Stack])
		}
	}
	recs, _ = journal.Read(journalPath)
	if resumed := recs[len(recs)-1]; resumed.Type != journal.RecEnd || resumed.Status != outcome.StatusSucceeded {
		t.Errorf("the journal ends with %+v", resumed)
	}
	for _, r := range recs {
		if r.Type == journal.RecResume && !strings.Contains(r.Reason, "cleared") {
			t.Errorf("the resume record does not say which locks it cleared: %q", r.Reason)
		}
	}

	// Every stack has exactly one successful update in the backend's history.
	for _, s := range tenants {
		if n := successfulUpdates(t, "file://"+filepath.Join(state, "state"), s); n != 1 {
			t.Errorf("stack %s has %d successful updates, want exactly 1", s, n)
		}
	}
}

// killNow says whether the rollout is where the kill must hit: at least two
// stacks finished and one mid-update (its program runs, so the engine holds
// its lock), and no running stack close to finishing — a stack whose engine
// recorded its update but whose result is not yet in the journal would run
// again on resume, the window the journal documents.
func killNow(st *journal.State, marks string) bool {
	finished, fresh := 0, false
	for s, row := range st.Rows {
		switch row.Result {
		case outcome.ResultSucceeded:
			finished++
		case outcome.ResultInterrupted:
			fi, err := os.Stat(filepath.Join(marks, s))
			if err != nil {
				continue // not in its program yet: far from finishing
			}
			if time.Since(fi.ModTime()) > 600*time.Millisecond {
				return false // its program's second is nearly over
			}
			fresh = true
		}
	}
	return finished >= 2 && fresh
}

// killTree kills a process, its group and every descendant (the engines run
// in process groups of their own) at once, as a lost machine would: it stops
// them all first, so none notices another's death and cleans up.
func killTree(t *testing.T, pid int) {
	t.Helper()
	_ = syscall.Kill(-pid, syscall.SIGSTOP)
	stopped := map[int]bool{pid: true}
	for grew := true; grew; {
		grew = false
		for p, parent := range processParents() {
			if stopped[parent] && !stopped[p] {
				_ = syscall.Kill(p, syscall.SIGSTOP)
				stopped[p], grew = true, true
			}
		}
	}
	_ = syscall.Kill(-pid, syscall.SIGKILL)
	for p := range stopped {
		_ = syscall.Kill(p, syscall.SIGKILL)
	}
}

// processParents maps every process to its parent, from /proc.
func processParents() map[int]int {
	out := map[int]int{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid …; comm may hold spaces and parentheses.
		s := string(stat)
		fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(fields) > 1 {
			if ppid, err := strconv.Atoi(fields[1]); err == nil {
				out[pid] = ppid
			}
		}
	}
	return out
}

// successfulUpdates counts the stack's updates that succeeded, from the
// backend's own history.
func successfulUpdates(t *testing.T, backend, stack string) int {
	t.Helper()
	ctx := context.Background()
	stk, err := pauto.SelectStackInlineSource(ctx, stack, "tenantctl", func(*pulumi.Context) error { return nil },
		pauto.WorkDir(t.TempDir()), pauto.EnvVars(map[string]string{"PULUMI_BACKEND_URL": backend, "PULUMI_CONFIG_PASSPHRASE": "test"}))
	if err != nil {
		t.Fatal(err)
	}
	hist, err := stk.History(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, u := range hist {
		if u.Kind == "update" && u.Result == "succeeded" {
			n++
		}
	}
	return n
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, string(data))
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }
