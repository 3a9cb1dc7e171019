package journal_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tenantctl/tenantctl/internal/rollout/journal"
)

func lockPath(t *testing.T, backend, fleet string) string {
	t.Helper()
	p, err := journal.LockPath(backend, fleet)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// The lock is keyed on what the backend and the fleet are, not on how they
// were typed: a symlinked fleet or backend directory, a relative path or a
// normalised URL meet the same lock; another backend or fleet does not.
func TestLockKeyIsTheResolvedBackendAndFleet(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	root := t.TempDir()
	fleet, backend := filepath.Join(root, "tenants"), filepath.Join(root, "state")
	for _, d := range []string{fleet, backend} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	linkFleet, linkBackend := filepath.Join(t.TempDir(), "fleet-link"), filepath.Join(t.TempDir(), "state-link")
	if err := os.Symlink(fleet, linkFleet); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(backend, linkBackend); err != nil {
		t.Fatal(err)
	}
	path := lockPath(t, "file://"+backend, fleet)
	realBackend, _ := filepath.EvalSymlinks(backend)
	if !strings.HasPrefix(path, filepath.Join(realBackend, ".tenantctl", "locks")+"/") {
		t.Errorf("a file backend's lock %s is not inside the backend directory %s", path, realBackend)
	}
	for _, same := range [][2]string{
		{"file://" + backend, linkFleet},
		{"file://" + linkBackend, fleet},
		{"file://" + backend + "/", fleet + "/"},
	} {
		if got := lockPath(t, same[0], same[1]); got != path {
			t.Errorf("backend %s, fleet %s: lock %s; want the same lock %s", same[0], same[1], got, path)
		}
	}
	// A backend directory the engine has not created yet has the name it will
	// have once created.
	notYet := filepath.Join(linkBackend, "later")
	before := lockPath(t, "file://"+notYet, fleet)
	if err := os.Mkdir(notYet, 0o755); err != nil {
		t.Fatal(err)
	}
	if after := lockPath(t, "file://"+filepath.Join(backend, "later"), fleet); after != before {
		t.Errorf("lock before the backend exists %s, after %s", before, after)
	}
	if other := lockPath(t, "file://"+t.TempDir(), fleet); other == path {
		t.Error("two backends share one lock")
	}
	if other := lockPath(t, "file://"+backend, t.TempDir()); other == path {
		t.Error("two fleets share one lock")
	}
	s3 := lockPath(t, "s3://bucket/prefix", fleet)
	if !strings.HasPrefix(s3, filepath.Join(os.Getenv("XDG_CACHE_HOME"), "tenantctl", "locks")+"/") {
		t.Errorf("a remote backend's lock %s is not under the user's cache directory", s3)
	}
	if got := lockPath(t, "S3://bucket/prefix/?region=eu-west-1", fleet); got != s3 {
		t.Errorf("the same bucket, spelled otherwise, got lock %s; want %s", got, s3)
	}
	if got := lockPath(t, "s3://bucket/other", fleet); got == s3 {
		t.Error("two bucket prefixes share one lock")
	}
}

func TestLockNamesItsHolder(t *testing.T) {
	path := lockPath(t, "file://"+t.TempDir(), t.TempDir())
	host, _ := os.Hostname()
	l, err := journal.Acquire(path, journal.LockInfo{Rollout: "r1", PID: os.Getpid(), Host: host, Started: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	_, err = journal.Acquire(path, journal.LockInfo{Rollout: "r2", PID: os.Getpid(), Host: host})
	var locked *journal.LockedError
	if !errors.As(err, &locked) || locked.Holder.Rollout != "r1" || !strings.Contains(err.Error(), "another rollout (r1)") {
		t.Fatalf("second acquire: %v", err)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	// What a former holder wrote is no lock: only the kernel's lock counts.
	l, err = journal.Acquire(path, journal.LockInfo{Rollout: "r3"})
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	l.Release()
}

// Many contenders with lock handles of their own (as separate processes have)
// race for one lock, 200 times: exactly one wins each time.
func TestLockRaceHasOneWinner(t *testing.T) {
	const trials, contenders = 200, 8
	dir := t.TempDir()
	for trial := 0; trial < trials; trial++ {
		path := lockPath(t, "file://"+dir, dir)
		var (
			tried, hold sync.WaitGroup
			mu          sync.Mutex
			won         int
			locks       []*journal.Lock
		)
		tried.Add(contenders)
		hold.Add(1)
		start := make(chan struct{})
		var done sync.WaitGroup
		for c := 0; c < contenders; c++ {
			done.Add(1)
			go func() {
				defer done.Done()
				<-start
				l, err := journal.Acquire(path, journal.LockInfo{Rollout: fmt.Sprint("c", c)})
				var locked *journal.LockedError
				switch {
				case err == nil:
					mu.Lock()
					won++
					locks = append(locks, l)
					mu.Unlock()
				case !errors.As(err, &locked):
					t.Errorf("trial %d: %v", trial, err)
				}
				tried.Done()
				hold.Wait() // a winner holds until every contender has tried
			}()
		}
		close(start)
		tried.Wait()
		hold.Done()
		done.Wait()
		if won != 1 {
			t.Fatalf("trial %d: %d of %d contenders took the lock; want exactly 1", trial, won, contenders)
		}
		for _, l := range locks {
			l.Release()
		}
	}
}

// TestLockContenderProcess is the child of the process tests: it tries the lock
// at TENANTCTL_LOCK_CHILD, prints "won" or "locked", and holds what it won until
// its stdin closes (or it is killed).
func TestLockContenderProcess(t *testing.T) {
	path := os.Getenv("TENANTCTL_LOCK_CHILD")
	if path == "" {
		return // only meaningful as the child process
	}
	l, err := journal.Acquire(path, journal.LockInfo{Rollout: "child", PID: os.Getpid()})
	var locked *journal.LockedError
	switch {
	case err == nil:
		fmt.Println("won")
	case errors.As(err, &locked):
		fmt.Println("locked")
	default:
		fmt.Println("error", err)
	}
	_, _ = io.Copy(io.Discard, os.Stdin)
	if l != nil {
		l.Release()
	}
	os.Exit(0)
}

type contender struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   *bufio.Reader
}

func startContender(t *testing.T, path string) *contender {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockContenderProcess$")
	cmd.Env = append(os.Environ(), "TENANTCTL_LOCK_CHILD="+path)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return &contender{cmd: cmd, stdin: stdin, out: bufio.NewReader(stdout)}
}

func (c *contender) result(t *testing.T) string {
	t.Helper()
	line, err := c.out.ReadString('\n')
	if err != nil {
		t.Fatalf("contender %d: %v", c.cmd.Process.Pid, err)
	}
	return strings.TrimSpace(line)
}

// Real processes racing for one lock: exactly one wins every trial.
func TestLockRaceBetweenProcesses(t *testing.T) {
	trials := 10 // each trial starts three test binaries; the 200-trial race above uses lock handles of its own
	if testing.Short() {
		trials = 3
	}
	const contenders = 3
	dir := t.TempDir()
	path := lockPath(t, "file://"+dir, dir)
	for trial := 0; trial < trials; trial++ {
		var cs []*contender
		for c := 0; c < contenders; c++ {
			cs = append(cs, startContender(t, path))
		}
		won := 0
		for _, c := range cs {
			switch r := c.result(t); r {
			case "won":
				won++
			case "locked":
			default:
				t.Fatalf("trial %d: contender says %q", trial, r)
			}
		}
		for _, c := range cs {
			c.stdin.Close()
			_ = c.cmd.Wait()
		}
		if won != 1 {
			t.Fatalf("trial %d: %d of %d processes took the lock; want exactly 1", trial, won, contenders)
		}
	}
}

// The lock of a holder killed with SIGKILL is free at once: no stale lock to
// take over, no waiting.
func TestLockOfAKilledHolderIsFreeAtOnce(t *testing.T) {
	dir := t.TempDir()
	path := lockPath(t, "file://"+dir, dir)
	c := startContender(t, path)
	if r := c.result(t); r != "won" {
		t.Fatalf("the child did not take the lock: %s", r)
	}
	_, err := journal.Acquire(path, journal.LockInfo{Rollout: "parent"})
	var locked *journal.LockedError
	if !errors.As(err, &locked) || locked.Holder.PID != c.cmd.Process.Pid || !strings.Contains(err.Error(), "pid "+strconv.Itoa(c.cmd.Process.Pid)) {
		t.Fatalf("while the child holds it: %v", err)
	}
	if err := c.cmd.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	_ = c.cmd.Wait()
	l, err := journal.Acquire(path, journal.LockInfo{Rollout: "parent"})
	if err != nil {
		t.Fatalf("right after the holder was killed: %v", err)
	}
	l.Release()
}
