package plan

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/tenantctl/tenantctl/internal/spec"
)

// ChangeSet is what a git change touches: some tenants, or all of them.
type ChangeSet struct {
	// All is set when a change renders every tenant (models, programs, internal
	// packages, the fleet settings, go.mod); Why names the first such file.
	All bool
	Why string
	// Tenants are the ids whose tenant file changed (including deleted ones).
	Tenants map[string]bool
	// Files are every changed path, relative to the repository root.
	Files []string
}

// everyTenant lists repository paths whose change affects every tenant: a
// directory prefix (ending in "/") or an exact file.
var everyTenant = []string{"models/", "programs/", "internal/", "go.mod", "go.sum", "Pulumi.yaml"}

// ChangedSince lists what changed between the merge base of ref and HEAD and the
// working tree (so uncommitted and untracked tenant files count too) in the git
// repository holding fleetDir.
func ChangedSince(ctx context.Context, fleetDir, ref string) (*ChangeSet, error) {
	abs, err := filepath.Abs(fleetDir)
	if err != nil {
		return nil, err
	}
	top, err := git(ctx, abs, "rev-parse", "--show-toplevel")
	if err != nil {
		return nil, fmt.Errorf("--changed-since: %s is not in a git repository: %w", fleetDir, err)
	}
	root := strings.TrimSpace(top)
	if err := CheckRef(ref); err != nil {
		return nil, fmt.Errorf("--changed-since: %w", err)
	}
	// The ref is resolved to a commit id after --end-of-options, so no value
	// reaches git as an option, whatever a caller let through; git only ever
	// sees the id after that.
	commit, err := git(ctx, root, "rev-parse", "--verify", "--quiet", "--end-of-options", ref+"^{commit}")
	if err != nil {
		return nil, fmt.Errorf("--changed-since %s: not a commit in %s (is the ref fetched? in CI use fetch-depth: 0)", ref, root)
	}
	base, err := git(ctx, root, "merge-base", "--end-of-options", strings.TrimSpace(commit), "HEAD")
	if err != nil {
		return nil, fmt.Errorf("--changed-since %s: no common ancestor with HEAD (is the ref fetched? in CI use fetch-depth: 0): %w", ref, err)
	}
	diff, err := git(ctx, root, "diff", "--name-only", "--no-renames", "--end-of-options", strings.TrimSpace(base))
	if err != nil {
		return nil, fmt.Errorf("--changed-since %s: %w", ref, err)
	}
	untracked, err := git(ctx, root, "ls-files", "--others", "--exclude-standard")
	if err != nil {
		return nil, fmt.Errorf("--changed-since %s: %w", ref, err)
	}
	rootReal, _ := filepath.EvalSymlinks(root)
	fleetReal, _ := filepath.EvalSymlinks(abs)
	rel, err := filepath.Rel(rootReal, fleetReal)
	if err != nil {
		return nil, err
	}
	return classifyChanges(filepath.ToSlash(rel), lines(diff+untracked)), nil
}

// CheckRef refuses a git ref that git would read as an option (a value of
// --changed-since such as "--output=/etc/passwd"); "" (no ref) passes.
func CheckRef(ref string) error {
	if strings.HasPrefix(ref, "-") {
		return fmt.Errorf("%q starts with '-', which git would take for an option; name a branch, tag or commit, e.g. origin/main", ref)
	}
	return nil
}

// classifyChanges maps changed paths (relative to the repository root) onto
// tenants; fleetRel is the tenants directory relative to the root.
func classifyChanges(fleetRel string, files []string) *ChangeSet {
	cs := &ChangeSet{Tenants: map[string]bool{}}
	sort.Strings(files)
	cs.Files = files
	prefix := strings.TrimSuffix(fleetRel, "/") + "/"
	if fleetRel == "." {
		prefix = ""
	}
	for _, f := range files {
		if !cs.All {
			for _, p := range everyTenant {
				if f == p || (strings.HasSuffix(p, "/") && strings.HasPrefix(f, p)) {
					cs.All, cs.Why = true, f
				}
			}
		}
		name, ok := strings.CutPrefix(f, prefix)
		if !ok || strings.Contains(name, "/") {
			continue
		}
		if name == spec.SettingsFile {
			if !cs.All {
				cs.All, cs.Why = true, f
			}
			continue
		}
		for _, ext := range []string{".yaml", ".yml"} {
			if id, ok := strings.CutSuffix(name, ext); ok {
				cs.Tenants[id] = true
			}
		}
	}
	return cs
}

// Git is the one way tenantctl runs git: args in dir, stdin (may be nil) on its
// standard input, its standard output returned. A failure names the command
// and says what git said. Callers pass refs only after CheckRef and
// --end-of-options, so no value reaches git as an option.
func Git(ctx context.Context, dir string, stdin io.Reader, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	cmd.Stdin = stdin
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		msg := fmt.Sprintf("git %s: %v", strings.Join(args, " "), err)
		if said := strings.TrimSpace(errb.String()); said != "" {
			msg += ": " + said
		}
		return nil, errors.New(msg)
	}
	return out.Bytes(), nil
}

// git runs Git without input and returns its output as text.
func git(ctx context.Context, dir string, args ...string) (string, error) {
	out, err := Git(ctx, dir, nil, args...)
	return string(out), err
}

func lines(s string) []string {
	var out []string
	seen := map[string]bool{}
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" && !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	return out
}
