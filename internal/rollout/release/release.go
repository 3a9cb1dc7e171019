// Package release names the release a fleet's files are at and brings an
// earlier release's files back. A release is a name a rollout records on
// every stack it deploys: --release, or by default the git revision of the
// fleet (HEAD, "-dirty" when the fleet's files differ from it), or Unknown
// where there is no git. Since the program is the binary's models and the
// fleet is its tenant and stack files, a release that names a commit can be
// deployed again by loading those files as they were at it (Materialise).
package release

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/tenantctl/tenantctl/internal/rollout/plan"
)

// Unknown is the release of a fleet whose revision cannot be told (no git,
// or not in a repository). It can never be rolled back to.
const Unknown = "unknown"

// dirtySuffix marks a revision whose fleet files differ from the commit.
const dirtySuffix = "-dirty"

// StacksDir is the directory of the stack configuration files beside the
// fleet directory (<project>/stacks), which a release holds with it.
func StacksDir(fleetDir string) string { return filepath.Join(filepath.Dir(fleetDir), "stacks") }

// Current is the release the fleet in fleetDir is at: the commit of HEAD,
// with "-dirty" when the fleet's or the stacks' files differ from it
// (changed, added, removed, untracked); Unknown when git cannot tell.
func Current(ctx context.Context, fleetDir string) string {
	abs, err := filepath.Abs(fleetDir)
	if err != nil {
		return Unknown
	}
	head, err := plan.Git(ctx, abs, nil, "rev-parse", "--verify", "--quiet", "HEAD^{commit}")
	if err != nil {
		return Unknown
	}
	rev := strings.TrimSpace(string(head))
	paths := []string{abs}
	if st, err := os.Stat(StacksDir(abs)); err == nil && st.IsDir() {
		paths = append(paths, StacksDir(abs))
	}
	status, err := plan.Git(ctx, abs, nil, append([]string{"status", "--porcelain", "--untracked-files=all", "--"}, paths...)...)
	if err != nil {
		return Unknown
	}
	if len(strings.TrimSpace(string(status))) > 0 {
		rev += dirtySuffix
	}
	return rev
}

// Resolve is the commit of release in the repository of fleetDir. A release
// that cannot be deployed again from git is an error saying why: unknown,
// deployed from uncommitted files, or naming no commit there.
func Resolve(ctx context.Context, fleetDir, release string) (string, error) {
	switch {
	case release == "" || release == Unknown:
		return "", errors.New("its release is unknown (it was deployed where git could not tell the fleet's revision)")
	case strings.HasSuffix(release, dirtySuffix):
		return "", fmt.Errorf("release %s was deployed from uncommitted fleet files, which git does not hold", release)
	}
	if err := plan.CheckRef(release); err != nil {
		return "", fmt.Errorf("release %s: %w", release, err)
	}
	abs, err := filepath.Abs(fleetDir)
	if err != nil {
		return "", err
	}
	out, err := plan.Git(ctx, abs, nil, "rev-parse", "--verify", "--quiet", "--end-of-options", release+"^{commit}")
	if err != nil {
		return "", fmt.Errorf("release %s is not a commit or tag in the git repository of %s (fetch it first, e.g. git fetch --tags)", release, fleetDir)
	}
	return strings.TrimSpace(string(out)), nil
}
