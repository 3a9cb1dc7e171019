package fingerprint

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/tenantctl/tenantctl/internal/atomicfile"
)

// Record is what a stack was last deployed with: written after an `up`
// succeeded, forgotten before any operation that changes the stack's
// resources starts, so a stack whose last operation failed or was cut short
// has no record and always runs again.
type Record struct {
	Stack       string    `json:"stack"`
	Fingerprint string    `json:"fingerprint"`
	Rollout     string    `json:"rollout,omitempty"`
	Release     string    `json:"release,omitempty"`
	Deployed    time.Time `json:"deployed"`
}

// Store keeps the last deployed Record of each stack of one state backend.
type Store interface {
	// Load returns the records of the stacks that have one.
	Load(ctx context.Context, stacks []string) (map[string]Record, error)
	// Put records a successful up.
	Put(ctx context.Context, r Record) error
	// Forget removes a stack's record; forgetting a stack without one is no error.
	Forget(ctx context.Context, stack string) error
}

// Dir is a Store of one JSON file per stack in a directory.
type Dir struct{ Path string }

// DirFor is the Dir of a state backend under a state directory: the backend's
// canonical key (plan.BackendKey) names it, so one state directory serves
// several backends without mixing their records.
func DirFor(stateDir, backendKey string) Dir {
	sum := sha256.Sum256([]byte(backendKey))
	return Dir{Path: filepath.Join(stateDir, "fingerprints", hex.EncodeToString(sum[:8]))}
}

// stackNameRe is the shape of a stack name: a tenant id or "platform", a
// DNS label, so one file name and never a path.
var stackNameRe = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`)

func (d Dir) file(stack string) (string, error) {
	if !stackNameRe.MatchString(stack) {
		return "", fmt.Errorf("stack %q: not a stack name (lower-case letters, digits and '-')", stack)
	}
	return filepath.Join(d.Path, stack+".json"), nil
}

// Load reads the records of stacks. A record that cannot be read or is not
// a record is an error naming the file: deleting it makes the stack run. A
// stack name that cannot name a record file has none.
func (d Dir) Load(ctx context.Context, stacks []string) (map[string]Record, error) {
	out := map[string]Record{}
	for _, s := range stacks {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		path, err := d.file(s)
		if err != nil {
			continue // a name no record can have: the stack runs
		}
		info, err := os.Lstat(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if !info.Mode().IsRegular() {
			return nil, fmt.Errorf("%s: not a regular file; delete it and the stack runs again", path)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		var r Record
		if err := json.Unmarshal(b, &r); err != nil || r.Stack != s || !Valid(r.Fingerprint) {
			return nil, fmt.Errorf("%s: not a fingerprint record of stack %s; delete it and the stack runs again", path, s)
		}
		out[s] = r
	}
	return out, nil
}

// Put writes r's file atomically.
func (d Dir) Put(ctx context.Context, r Record) error {
	if !Valid(r.Fingerprint) {
		return fmt.Errorf("stack %s: %q is not a fingerprint", r.Stack, r.Fingerprint)
	}
	path, err := d.file(r.Stack)
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(path, append(b, '\n'), 0o644)
}

// Forget removes stack's file; a name no record can have has none.
func (d Dir) Forget(ctx context.Context, stack string) error {
	path, err := d.file(stack)
	if err != nil {
		return nil
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// Unchanged returns the stacks whose fingerprint equals their record's, in
// the order of the stacks given.
func Unchanged(stacks []string, now map[string]string, records map[string]Record) []string {
	var out []string
	for _, s := range stacks {
		if r, ok := records[s]; ok && now[s] != "" && r.Fingerprint == now[s] {
			out = append(out, s)
		}
	}
	return out
}
