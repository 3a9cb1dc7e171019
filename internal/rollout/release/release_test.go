package release_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tenantctl/tenantctl/internal/rollout/release"
)

func gitRun(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// repo is a project with a fleet (tenants/) and stack files (stacks/),
// committed once.
func repo(t *testing.T) (root, fleet string) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	root = t.TempDir()
	gitRun(t, root, "init", "-q")
	write(t, filepath.Join(root, "tenants", "acme.yaml"), "id: acme\nv: 1\n")
	write(t, filepath.Join(root, "stacks", "Pulumi.acme.yaml"), "config: {}\n")
	write(t, filepath.Join(root, "README.md"), "docs\n")
	gitRun(t, root, "add", "-A")
	gitRun(t, root, "commit", "-qm", "one")
	return root, filepath.Join(root, "tenants")
}

func TestCurrentIsTheCommitAndDirtyOnlyForTheFleetsFiles(t *testing.T) {
	ctx := context.Background()
	if got := release.Current(ctx, t.TempDir()); got != release.Unknown {
		t.Errorf("outside git: %q", got)
	}
	root, fleet := repo(t)
	head := gitRun(t, root, "rev-parse", "HEAD")
	if got := release.Current(ctx, fleet); got != head {
		t.Errorf("clean: %q, want %s", got, head)
	}
	write(t, filepath.Join(root, "README.md"), "other docs\n")
	if got := release.Current(ctx, fleet); got != head {
		t.Errorf("a change outside the fleet: %q, want %s", got, head)
	}
	write(t, filepath.Join(root, "stacks", "Pulumi.new.yaml"), "config: {}\n")
	if got := release.Current(ctx, fleet); got != head+"-dirty" {
		t.Errorf("an untracked stack file: %q", got)
	}
	os.Remove(filepath.Join(root, "stacks", "Pulumi.new.yaml"))
	write(t, filepath.Join(fleet, "acme.yaml"), "id: acme\nv: 2\n")
	if got := release.Current(ctx, fleet); got != head+"-dirty" {
		t.Errorf("a changed tenant file: %q", got)
	}
}

func TestResolveAndMaterialiseAnEarlierRelease(t *testing.T) {
	ctx := context.Background()
	root, fleet := repo(t)
	first := gitRun(t, root, "rev-parse", "HEAD")
	gitRun(t, root, "tag", "v1")
	write(t, filepath.Join(fleet, "acme.yaml"), "id: acme\nv: 2\n")
	write(t, filepath.Join(fleet, "globex.yaml"), "id: globex\n")
	gitRun(t, root, "add", "-A")
	gitRun(t, root, "commit", "-qm", "two")

	for rel, want := range map[string]string{first: first, "v1": first, first[:10]: first} {
		if got, err := release.Resolve(ctx, fleet, rel); err != nil || got != want {
			t.Errorf("Resolve(%s) = %s, %v", rel, got, err)
		}
	}
	for rel, msg := range map[string]string{
		release.Unknown:   "unknown",
		"":                "unknown",
		first + "-dirty":  "uncommitted",
		"v9":              "not a commit or tag",
		"--output=/tmp/x": "starts with '-'",
	} {
		if _, err := release.Resolve(ctx, fleet, rel); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("Resolve(%q): %v, want %q", rel, err, msg)
		}
	}

	dst := t.TempDir()
	got, err := release.Materialise(ctx, fleet, first, dst)
	if err != nil {
		t.Fatal(err)
	}
	if got != filepath.Join(dst, "tenants") {
		t.Errorf("fleet directory %s", got)
	}
	if data, err := os.ReadFile(filepath.Join(got, "acme.yaml")); err != nil || string(data) != "id: acme\nv: 1\n" {
		t.Errorf("acme.yaml at v1: %q, %v", data, err)
	}
	if _, err := os.Stat(filepath.Join(got, "globex.yaml")); !os.IsNotExist(err) {
		t.Errorf("a tenant added after v1 is there: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dst, "stacks", "Pulumi.acme.yaml")); err != nil {
		t.Errorf("the stack files: %v", err)
	}
}
