package journal

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gofrs/flock"

	"github.com/tenantctl/tenantctl/internal/rollout/plan"
)

// LockInfo is what a rollout lock file holds: enough for a person to find the
// rollout that holds it. The lock itself is the kernel's (flock), not the file's
// content.
type LockInfo struct {
	Rollout string    `json:"rollout"`
	PID     int       `json:"pid"`
	Host    string    `json:"host"`
	Started time.Time `json:"started"`
	Backend string    `json:"backend"`
	Fleet   string    `json:"fleet"`
}

// Lock is a held rollout lock.
type Lock struct {
	path string
	fl   *flock.Flock
}

// LockedError says another rollout holds the lock.
type LockedError struct {
	Path   string
	Holder LockInfo
}

func (e *LockedError) Error() string {
	h := e.Holder
	if h.Rollout == "" {
		// The holder took the lock but has not written its details yet.
		return fmt.Sprintf("another rollout against this backend and fleet is running (lock %s); wait for it to end", e.Path)
	}
	return fmt.Sprintf("another rollout (%s) against this backend and fleet is running: pid %d on %s since %s; wait for it to end (lock %s)",
		h.Rollout, h.PID, h.Host, h.Started.Format(time.RFC3339), e.Path)
}

// LockPath is the lock file of a backend and fleet: one lock per (backend,
// fleet) pair, keyed on their resolved names so that a symlinked --dir, a
// relative path or another --state-dir cannot get a lock of their own.
//
// It lives where every process contending for the backend meets it, whatever
// --state-dir says: for a file:// backend inside the backend directory
// (<backend>/.tenantctl/locks/), otherwise under the user's cache directory.
// A remote backend is therefore only locked against rollouts on this machine
// (this user); excluding runners on other machines needs a lock in the
// backend itself, which is issue 17's S3 lock.
func LockPath(backend, fleet string) (string, error) {
	key, err := plan.BackendKey(backend)
	if err != nil {
		return "", err
	}
	realFleet, err := plan.RealPath(fleet)
	if err != nil {
		return "", fmt.Errorf("fleet directory: %w", err)
	}
	sum := sha256.Sum256([]byte(key + "\x00" + realFleet))
	name := hex.EncodeToString(sum[:8]) + ".lock"
	if dir, ok := strings.CutPrefix(key, "file://"); ok {
		return filepath.Join(dir, ".tenantctl", "locks", name), nil
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no directory for the rollout lock of %s: %w (set XDG_CACHE_HOME or HOME)", backend, err)
	}
	return filepath.Join(cache, "tenantctl", "locks", name), nil
}

// Acquire takes the lock, or returns a *LockedError naming the holder. The lock
// is flock(2) on the file: the kernel drops it when its holder exits however it
// exits (kill -9 included), so a dead holder's lock is free at once and there is
// nothing to take over. The holder's details are written into the file after
// the lock is taken, for the LockedError of the next one.
func Acquire(path string, info LockInfo) (*Lock, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("taking the rollout lock: %w", err)
	}
	fl := flock.New(path, flock.SetFlag(os.O_CREATE|os.O_RDWR), flock.SetPermissions(0o644))
	ok, err := fl.TryLock()
	if err != nil {
		return nil, fmt.Errorf("taking the rollout lock %s: %w", path, err)
	}
	if !ok {
		var holder LockInfo
		if raw, err := os.ReadFile(path); err == nil {
			_ = json.Unmarshal(raw, &holder) // torn or empty: the holder is just starting
		}
		return nil, &LockedError{Path: path, Holder: holder}
	}
	l := &Lock{path: path, fl: fl}
	if err := l.write(info); err != nil {
		_ = fl.Unlock()
		return nil, fmt.Errorf("writing the rollout lock %s: %w", path, err)
	}
	return l, nil
}

// write replaces the file's content with info; only the holder writes it.
func (l *Lock) write(info LockInfo) error {
	data, err := json.Marshal(info)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(l.path, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return err
	}
	_, werr := f.Write(data)
	return errors.Join(werr, f.Close())
}

// Release gives the lock up. The file stays: removing it would let a process
// that opened it just before lock a file no one else can find.
func (l *Lock) Release() error {
	terr := os.Truncate(l.path, 0)
	if err := errors.Join(terr, l.fl.Unlock()); err != nil {
		return fmt.Errorf("releasing the rollout lock: %w", err)
	}
	return nil
}
