package rollout_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tenantctl/tenantctl/internal/rollout"
)

func TestGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	gitRun(t, dir, "init", "-q")
	// stdin reaches git: hash-object --stdin hashes what it reads.
	out, err := rollout.Git(context.Background(), dir, strings.NewReader("hello\n"), "hash-object", "--stdin")
	if err != nil || strings.TrimSpace(string(out)) != "ce013625030ba8dba906f756967f9e9ca394464a" {
		t.Fatalf("hash-object: %q, %v", out, err)
	}
	// A failure names the command and says what git said.
	_, err = rollout.Git(context.Background(), dir, nil, "rev-parse", "--verify", "--end-of-options", "no-such-ref^{commit}")
	if err == nil || !strings.Contains(err.Error(), "git rev-parse --verify --end-of-options no-such-ref^{commit}: exit status") || !strings.Contains(err.Error(), "fatal:") {
		t.Errorf("failure: %v", err)
	}
}

// TestOneGitRunner fails when Go code outside internal/rollout runs git
// itself: the rollout and `validate --against` once had a runner each.
func TestOneGitRunner(t *testing.T) {
	root := filepath.Join("..", "..")
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || path == filepath.Join(root, "internal", "rollout", "changed.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.Contains(string(src), `"git"`) {
			t.Errorf("%s runs git itself; use rollout.Git", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
