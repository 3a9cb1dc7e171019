package rollout

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// LockInfo is what a rollout lock file holds: enough for a person to find the
// rollout that holds it, and for the next one to tell a stale lock.
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
}

// LockedError says another rollout holds the lock.
type LockedError struct {
	Path   string
	Holder LockInfo
}

func (e *LockedError) Error() string {
	h := e.Holder
	return fmt.Sprintf("another rollout (%s) against this backend and fleet is running: pid %d on %s since %s; wait for it, or if it is gone remove %s",
		h.Rollout, h.PID, h.Host, h.Started.Format(time.RFC3339), e.Path)
}

// LockPath is the lock file of a backend and fleet under the state directory:
// one lock per (backend URL, fleet directory) pair.
func LockPath(stateDir, backend, fleet string) string {
	sum := sha256.Sum256([]byte(backend + "\x00" + fleet))
	return filepath.Join(stateDir, "locks", hex.EncodeToString(sum[:8])+".lock")
}

// Acquire takes the lock, or returns a *LockedError naming the holder. A lock
// left by a process of this host that no longer runs is stale and taken over.
func Acquire(path string, info LockInfo) (*Lock, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	data, err := json.Marshal(info)
	if err != nil {
		return nil, err
	}
	for try := 0; try < 2; try++ {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil {
			_, werr := f.Write(data)
			serr := f.Sync()
			cerr := f.Close()
			if err := errors.Join(werr, serr, cerr); err != nil {
				os.Remove(path)
				return nil, fmt.Errorf("writing the rollout lock: %w", err)
			}
			return &Lock{path: path}, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("taking the rollout lock: %w", err)
		}
		var holder LockInfo
		raw, rerr := os.ReadFile(path)
		if rerr == nil && json.Unmarshal(raw, &holder) == nil && !stale(holder, info.Host) {
			return nil, &LockedError{Path: path, Holder: holder}
		}
		if rerr != nil && !errors.Is(rerr, os.ErrNotExist) {
			return nil, fmt.Errorf("reading the rollout lock: %w", rerr)
		}
		// Stale (its process is gone) or unreadable (torn by a crash while
		// being written, which only happens before the holder started work).
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("removing the stale rollout lock %s: %w", path, err)
		}
	}
	return nil, fmt.Errorf("taking the rollout lock %s: another process keeps taking it", path)
}

// stale reports whether the holder is a process of this host that is gone.
// A holder on another host cannot be checked from here and is never stale.
func stale(h LockInfo, host string) bool {
	if h.Host != host || h.PID <= 0 {
		return false
	}
	err := syscall.Kill(h.PID, 0)
	return errors.Is(err, syscall.ESRCH)
}

// Release gives the lock up.
func (l *Lock) Release() error {
	if err := os.Remove(l.path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("releasing the rollout lock: %w", err)
	}
	return nil
}
