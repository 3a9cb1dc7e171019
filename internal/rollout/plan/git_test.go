package plan_test

import (
	"context"
	"os/exec"
	"strings"
	"testing"

	"github.com/tenantctl/tenantctl/internal/rollout/plan"
	"github.com/tenantctl/tenantctl/internal/testutil/sourcetree"
)

func TestGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	gitRun(t, dir, "init", "-q")
	// stdin reaches git: hash-object --stdin hashes what it reads.
	out, err := plan.Git(context.Background(), dir, strings.NewReader("hello\n"), "hash-object", "--stdin")
	if err != nil || strings.TrimSpace(string(out)) != "ce013625030ba8dba906f756967f9e9ca394464a" {
		t.Fatalf("hash-object: %q, %v", out, err)
	}
	// A failure names the command and says what git said.
	_, err = plan.Git(context.Background(), dir, nil, "rev-parse", "--verify", "--end-of-options", "no-such-ref^{commit}")
	if err == nil || !strings.Contains(err.Error(), "git rev-parse --verify --end-of-options no-such-ref^{commit}: exit status") || !strings.Contains(err.Error(), "fatal:") {
		t.Errorf("failure: %v", err)
	}
}

// TestOneGitRunner fails when Go code outside plan.Git runs git itself: the
// rollout and `validate --against` once had a runner each.
func TestOneGitRunner(t *testing.T) {
	for _, file := range sourcetree.Containing(t, `"git"`, "internal/rollout/plan/changed.go") {
		t.Errorf("%s runs git itself; use plan.Git", file)
	}
}
