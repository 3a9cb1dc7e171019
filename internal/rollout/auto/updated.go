package auto

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	pauto "github.com/pulumi/pulumi/sdk/v3/go/auto"
)

// Updated is when each stack of the project on o's backend was last updated
// (up, refresh, destroy or import, by anyone): one `pulumi stack ls`, so a
// rollout can tell a stack changed behind its back without touching each.
// Stacks never updated are left out. No plugin is installed for it.
func Updated(ctx context.Context, o Options) (map[string]time.Time, error) {
	cmd, err := pulumiCommand(o.PulumiBin)
	if err != nil {
		return nil, err
	}
	d := &Deployer{opts: o, cmd: cmd}
	return d.Updated(ctx)
}

// Updated is the package's Updated with this deployer's engine and backend.
func (d *Deployer) Updated(ctx context.Context) (map[string]time.Time, error) {
	dir := filepath.Join(d.opts.WorkRoot, ".stacks")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	ws, err := pauto.NewLocalWorkspace(ctx, d.workspaceOptions(dir)...)
	if err != nil {
		return nil, fmt.Errorf("listing the backend's stacks: %w", err)
	}
	stacks, err := ws.ListStacks(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing the backend's stacks: %w", err)
	}
	out := make(map[string]time.Time, len(stacks))
	for _, s := range stacks {
		if s.LastUpdate == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, s.LastUpdate)
		if err != nil {
			return nil, fmt.Errorf("stack %s: last update %q: %w", s.Name, s.LastUpdate, err)
		}
		out[s.Name] = t
	}
	return out, nil
}
