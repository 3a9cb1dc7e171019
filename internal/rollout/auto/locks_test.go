package auto

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// deadPID is the pid of a process that has ended and been reaped.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

// A resume clears only the engine locks its dead run left: on this host, held
// by a process that is gone, taken no earlier than the journal started the
// stack. Every other lock is refused, named with its holder and how to clear
// it by hand, and left in place.
func TestClearStaleLocks(t *testing.T) {
	host, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	started := time.Now().Add(-time.Minute)
	dead := deadPID(t)
	tests := []struct {
		name     string
		lock     map[string]any
		legacy   bool   // the backend's legacy (not project-scoped) layout
		refusal  string // "" when the lock is cleared
		holderID string
	}{
		{name: "dead holder on this host", lock: map[string]any{"pid": dead, "hostname": host, "timestamp": started.Add(time.Second)}},
		{name: "dead holder, legacy layout", legacy: true, lock: map[string]any{"pid": dead, "hostname": host, "timestamp": started.Add(time.Second)}},
		{name: "live holder", lock: map[string]any{"pid": os.Getpid(), "hostname": host, "timestamp": started.Add(time.Second)},
			refusal: "that process is still running", holderID: fmt.Sprintf("pulumi pid %d of ops on host %s", os.Getpid(), host)},
		{name: "another host", lock: map[string]any{"pid": dead, "hostname": "ci-runner-7", "timestamp": started.Add(time.Second)},
			refusal: "cannot see processes on another host", holderID: fmt.Sprintf("pulumi pid %d of ops on host ci-runner-7", dead)},
		{name: "older than the rollout's run", lock: map[string]any{"pid": dead, "hostname": host, "timestamp": started.Add(-time.Hour)},
			refusal: "older than this rollout's run of the stack"},
		{name: "no pid", lock: map[string]any{"hostname": host, "timestamp": started.Add(time.Second)},
			refusal: "still running"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			d := &Deployer{opts: Options{Project: "tenantctl", Backend: "file://" + root}}
			dir := filepath.Join(root, ".pulumi", "locks", "organization", "tenantctl", "acme")
			if tc.legacy {
				dir = filepath.Join(root, ".pulumi", "locks", "acme")
			}
			tc.lock["username"] = "ops"
			lock := filepath.Join(dir, "0b4e2c7e-lock.json")
			data, _ := json.Marshal(tc.lock)
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(lock, data, 0o644); err != nil {
				t.Fatal(err)
			}
			// A lock of a stack the journal does not show interrupted is never looked at.
			other := filepath.Join(root, ".pulumi", "locks", "organization", "tenantctl", "globex", "x.json")
			_ = os.MkdirAll(filepath.Dir(other), 0o755)
			_ = os.WriteFile(other, data, 0o644)

			// The engine was killed while writing its checkpoint's metadata sidecar.
			torn := filepath.Join(root, ".pulumi", "stacks", "tenantctl", "acme.json.attrs")
			_ = os.MkdirAll(filepath.Dir(torn), 0o755)
			_ = os.WriteFile(torn, nil, 0o644)
			_ = os.WriteFile(lock+".attrs", []byte(`{"user.content_type":"application/json"}`), 0o644)

			cleared, err := d.ClearStaleLocks(context.Background(), map[string]time.Time{"acme": started, "wonka": started})
			_, statErr := os.Stat(lock)
			if tc.refusal == "" {
				if err != nil || len(cleared) != 1 || !strings.HasPrefix(cleared[0], fmt.Sprintf("acme (pulumi pid %d on %s", dead, host)) {
					t.Errorf("cleared %q, %v; want the dead run's lock", cleared, err)
				}
				if statErr == nil {
					t.Error("the stale lock is still there")
				}
				if _, err := os.Stat(lock + ".attrs"); err == nil {
					t.Error("the stale lock's metadata sidecar is still there")
				}
				if _, err := os.Stat(torn); err == nil {
					t.Error("the torn checkpoint metadata the killed engine left is still there")
				}
			} else {
				msg := fmt.Sprint(err)
				for _, want := range []string{tc.refusal, tc.holderID, "pulumi cancel --yes --stack organization/tenantctl/acme", lock} {
					if err == nil || !strings.Contains(msg, want) {
						t.Errorf("refusal %q lacks %q", msg, want)
					}
				}
				if len(cleared) != 0 || statErr != nil {
					t.Errorf("a lock that may be held was cleared (%q, %v)", cleared, statErr)
				}
			}
			if _, err := os.Stat(other); err != nil {
				t.Error("the lock of a stack that was not interrupted was touched")
			}
		})
	}

	// One refused lock keeps the dead run's locks of other stacks too: a
	// refused resume changes nothing.
	root := t.TempDir()
	d := &Deployer{opts: Options{Project: "tenantctl", Backend: "file://" + root}}
	var paths []string
	for stack, pid := range map[string]int{"acme": dead, "wonka": os.Getpid()} {
		p := filepath.Join(root, ".pulumi", "locks", "organization", "tenantctl", stack, "l.json")
		data, _ := json.Marshal(map[string]any{"pid": pid, "hostname": host, "username": "ops", "timestamp": started.Add(time.Second)})
		_ = os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	if cleared, err := d.ClearStaleLocks(context.Background(), map[string]time.Time{"acme": started, "wonka": started}); err == nil || len(cleared) != 0 {
		t.Errorf("a live holder beside a dead one: cleared %q, %v; want a refusal", cleared, err)
	}
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("a refused resume removed %s", p)
		}
	}

	// Backends other than file:// keep their locks out of reach: nothing to clear.
	d = &Deployer{opts: Options{Project: "tenantctl", Backend: "s3://bucket/state"}}
	if cleared, err := d.ClearStaleLocks(context.Background(), map[string]time.Time{"acme": started}); err != nil || cleared != nil {
		t.Errorf("s3 backend: %q, %v", cleared, err)
	}
}

// A zombie (an engine that died with the rollout and was never reaped) holds
// no lock.
func TestZombieIsNotAlive(t *testing.T) {
	if !processAlive(os.Getpid()) {
		t.Error("this process is reported dead")
	}
	cmd := exec.Command("true")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Not waited yet: once it exits it is a zombie until Wait reaps it.
	deadline := time.Now().Add(10 * time.Second)
	for processAlive(cmd.Process.Pid) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if processAlive(cmd.Process.Pid) {
		t.Error("an exited, unreaped child is reported alive")
	}
	_ = cmd.Wait()
	if processAlive(cmd.Process.Pid) {
		t.Error("a reaped child is reported alive")
	}
}
