package auto

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/tenantctl/tenantctl/internal/rollout/runner"
)

// engineLock is the content of a DIY (file://) backend's update lock, as the
// engine writes it (pkg/backend/diy/lock.go): one JSON file per holder under
// .pulumi/locks/<stack's fully qualified name>/<lock id>.json, deleted when
// the update ends and left behind when its process dies.
type engineLock struct {
	Pid       int       `json:"pid"`
	Username  string    `json:"username"`
	Hostname  string    `json:"hostname"`
	Timestamp time.Time `json:"timestamp"`

	path string
}

// clockSlack allows for the lock's timestamp and the journal's start record
// being read from the clock in two processes.
const clockSlack = 2 * time.Second

// ClearStaleLocks implements runner.LockClearer. started maps each stack the
// resumed journal shows started and never finished to when its last run
// started. A lock on such a stack is cleared — what `pulumi cancel` does, for
// that one lock file — only when it is provably the dead run's own: written
// on this host, by a process that no longer exists, no earlier than the
// journal started the stack. Any other lock (a live holder, another host, an
// older lock, one that cannot be read) is refused with the holder named and
// how to clear it by hand; then no lock is cleared and nothing runs.
//
// Only file:// backends keep their locks where tenantctl can read them; with
// any other backend this clears nothing and the engine reports a held lock
// itself (naming `pulumi cancel`).
func (d *Deployer) ClearStaleLocks(_ context.Context, started map[string]time.Time) ([]string, error) {
	root, ok := strings.CutPrefix(d.opts.Backend, "file://")
	if !ok {
		return nil, nil
	}
	host, err := os.Hostname()
	if err != nil {
		return nil, fmt.Errorf("reading this host's name to recognise its own stale locks: %w", err)
	}
	// Judge every lock first and clear only when none is refused: a refused
	// resume changes nothing, and the resume that runs clears (and journals)
	// them all.
	var stale []engineLock
	var stacks []string
	var refused []error
	for _, stack := range slices.Sorted(maps.Keys(started)) {
		locks, err := d.stackLocks(root, stack)
		if err != nil {
			refused = append(refused, err)
			continue
		}
		for _, l := range locks {
			if why := l.heldBecause(host, started[stack]); why != "" {
				refused = append(refused, fmt.Errorf("stack %s is locked by pulumi pid %d of %s on host %s since %s: %s. Once that process is known to be dead, clear the lock by hand with `PULUMI_BACKEND_URL=%s pulumi cancel --yes --stack %s` (or delete %s) and resume again",
					stack, l.Pid, l.Username, l.Hostname, l.Timestamp.UTC().Format(time.RFC3339), why, d.opts.Backend, d.fqName(stack), l.path))
				continue
			}
			stale, stacks = append(stale, l), append(stacks, stack)
		}
	}
	if len(refused) > 0 {
		return nil, fmt.Errorf("%w: not resuming: %d engine locks are not provably left by this rollout's dead run:\n%w", runner.ErrStacksLocked, len(refused), errors.Join(refused...))
	}
	var cleared []string
	for i, l := range stale {
		if err := os.Remove(l.path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return cleared, fmt.Errorf("stack %s: removing the stale engine lock %s: %w", stacks[i], l.path, err)
		}
		_ = os.Remove(l.path + attrsExt)
		cleared = append(cleared, fmt.Sprintf("%s (pulumi pid %d on %s since %s)", stacks[i], l.Pid, l.Hostname, l.Timestamp.UTC().Format(time.RFC3339)))
	}
	for _, stack := range slices.Sorted(maps.Keys(started)) {
		if err := d.repairTornAttrs(root, stack); err != nil {
			return cleared, err
		}
	}
	return cleared, nil
}

// attrsExt is the metadata sidecar the file backend (gocloud fileblob) writes
// beside every file, in place rather than through a temporary file.
const attrsExt = ".attrs"

// repairTornAttrs removes a stack checkpoint's metadata sidecar that a killed
// engine left torn (empty or cut short): the backend cannot read the stack
// through it ("failed to load checkpoint: EOF"), while a missing sidecar is
// read as no metadata. The checkpoint itself is written atomically (a
// temporary file renamed into place), so it is whole.
func (d *Deployer) repairTornAttrs(root, stack string) error {
	for _, p := range []string{
		filepath.Join(root, ".pulumi", "stacks", d.opts.Project, stack+".json"+attrsExt),
		filepath.Join(root, ".pulumi", "stacks", stack+".json"+attrsExt),
	} {
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		var attrs map[string]any
		if json.Unmarshal(data, &attrs) == nil {
			continue
		}
		if err := os.Remove(p); err != nil {
			return fmt.Errorf("stack %s: removing the torn metadata file %s a killed engine left: %w", stack, p, err)
		}
	}
	return nil
}

// fqName is the stack's fully qualified name on a project-scoped DIY backend.
func (d *Deployer) fqName(stack string) string {
	return "organization/" + d.opts.Project + "/" + stack
}

// stackLocks reads the stack's lock files: under its fully qualified name
// (project-scoped backends, the default) or its bare name (the legacy layout).
func (d *Deployer) stackLocks(root, stack string) ([]engineLock, error) {
	var out []engineLock
	for _, dir := range []string{
		filepath.Join(root, ".pulumi", "locks", "organization", d.opts.Project, stack),
		filepath.Join(root, ".pulumi", "locks", stack),
	} {
		files, err := filepath.Glob(filepath.Join(dir, "*.json"))
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if errors.Is(err, os.ErrNotExist) {
				continue // released since the listing
			}
			var l engineLock
			if err == nil {
				err = json.Unmarshal(data, &l)
			}
			if err != nil {
				return nil, fmt.Errorf("stack %s: the engine lock %s cannot be read (%v); if no update of the stack runs, delete it by hand and resume again", stack, f, err)
			}
			l.path = f
			out = append(out, l)
		}
	}
	return out, nil
}

// heldBecause says why the lock may still be held, or "" when its holder is
// gone and it belongs to the interrupted run that started at started.
func (l engineLock) heldBecause(host string, started time.Time) string {
	switch {
	case l.Hostname != host:
		return "tenantctl cannot see processes on another host"
	case l.Timestamp.Before(started.Add(-clockSlack)):
		return fmt.Sprintf("it is older than this rollout's run of the stack (started %s), so another process took it", started.UTC().Format(time.RFC3339))
	case processAlive(l.Pid):
		return "that process is still running (it may still be finishing the update: wait for it to end)"
	}
	return ""
}

// processAlive reports whether pid names a process that can still hold a
// lock. Signal 0 probes without signalling: ESRCH means there is none, EPERM
// one of another user. A zombie has ended and only waits to be reaped (its
// parent died with the rollout), so it holds nothing.
func processAlive(pid int) bool {
	if pid <= 0 {
		return true // not a pid we can judge: treat as held
	}
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return !errors.Is(err, os.ErrNotExist)
	}
	// The state follows the command name, which is in parentheses and may hold any byte.
	if i := strings.LastIndexByte(string(stat), ')'); i >= 0 && i+2 < len(stat) {
		if s := stat[i+2]; s == 'Z' || s == 'X' {
			return false
		}
	}
	return true
}
