package main

import (
	"github.com/spf13/cobra"

	"github.com/tenantctl/tenantctl/internal/rollout/plan"
)

func newPreviewCmd(g *globalOptions) *cobra.Command {
	o := newFanoutOptions(g, plan.OpPreview)
	cmd := &cobra.Command{
		Use:   "preview",
		Short: "Preview every selected tenant stack: +create ~update -delete per tenant",
		Long: `preview runs the engine's preview on every selected stack in parallel and
prints, per tenant, how many resources would be created, updated and deleted.
Nothing is changed. In a pull request: --changed-since origin/main --summary-md
preview.md gives the comment.`,
		Example: `  tenantctl preview --changed-since origin/main --summary-md preview.md
  tenantctl preview --tier enterprise --output json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(cmd.Context()) },
	}
	o.addSelectionFlags(cmd)
	// A preview changes nothing: every failure is reported, none halts it.
	o.addRunFlags(cmd, "100%")
	return cmd
}
