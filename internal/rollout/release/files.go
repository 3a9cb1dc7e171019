package release

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/tenantctl/tenantctl/internal/rollout/plan"
)

// FilesAt reads the YAML files of dir as they were at the git revision ref,
// keyed by file name. A ref where dir did not exist yet gives no files.
func FilesAt(ctx context.Context, dir, ref string) (map[string][]byte, error) {
	if err := plan.CheckRef(ref); err != nil {
		return nil, err
	}
	out, err := plan.Git(ctx, dir, nil, "rev-parse", "--verify", "--quiet", "--end-of-options", ref+"^{commit}")
	if err != nil {
		return nil, fmt.Errorf("not a commit in the repository of %s; fetch it first (e.g. git fetch origin main)", dir)
	}
	commit := strings.TrimSpace(string(out))
	out, err = plan.Git(ctx, dir, nil, "ls-tree", "--full-name", "--name-only", "-z", commit, "--", ".")
	if err != nil {
		return nil, err
	}
	var names []string
	for _, p := range strings.Split(string(out), "\x00") {
		if strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml") {
			names = append(names, p)
		}
	}
	if len(names) == 0 {
		return nil, nil
	}
	// One git process for every file: `cat-file --batch` answers each
	// "<commit>:<path>" line with a header and the contents.
	var req bytes.Buffer
	for _, p := range names {
		fmt.Fprintf(&req, "%s:%s\n", commit, p)
	}
	out, err = plan.Git(ctx, dir, &req, "cat-file", "--batch")
	if err != nil {
		return nil, err
	}
	files := make(map[string][]byte, len(names))
	r := bufio.NewReader(bytes.NewReader(out))
	for _, p := range names {
		header, err := r.ReadString('\n')
		if err != nil {
			return nil, fmt.Errorf("reading %s at %s: %w", p, ref, err)
		}
		fields := strings.Fields(header)
		if len(fields) != 3 {
			return nil, fmt.Errorf("reading %s at %s: git answered %q", p, ref, strings.TrimSpace(header))
		}
		size, err := strconv.Atoi(fields[2])
		if err != nil {
			return nil, fmt.Errorf("reading %s at %s: %w", p, ref, err)
		}
		data := make([]byte, size+1) // the contents and a newline
		if _, err := io.ReadFull(r, data); err != nil {
			return nil, fmt.Errorf("reading %s at %s: %w", p, ref, err)
		}
		files[path.Base(p)] = data[:size]
	}
	return files, nil
}

// Materialise writes the fleet's files (fleetDir's and the stacks
// directory's beside it) as they were at commit into dst, laid out as they
// are in the project (dst/<fleet dir name>, dst/stacks), and returns the
// fleet directory there.
func Materialise(ctx context.Context, fleetDir, commit, dst string) (string, error) {
	abs, err := filepath.Abs(fleetDir)
	if err != nil {
		return "", err
	}
	out := filepath.Join(dst, filepath.Base(abs))
	dirs := map[string]string{abs: out}
	if st, err := os.Stat(StacksDir(abs)); err == nil && st.IsDir() {
		dirs[StacksDir(abs)] = StacksDir(out)
	}
	for from, to := range dirs {
		files, err := FilesAt(ctx, from, commit)
		if err != nil {
			return "", fmt.Errorf("reading %s at %s: %w", from, commit, err)
		}
		if err := os.MkdirAll(to, 0o755); err != nil {
			return "", err
		}
		for name, data := range files {
			if err := os.WriteFile(filepath.Join(to, name), data, 0o644); err != nil {
				return "", err
			}
		}
	}
	return out, nil
}
