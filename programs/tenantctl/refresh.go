package main

import (
	"github.com/spf13/cobra"

	"github.com/tenantctl/tenantctl/internal/rollout/plan"
)

func newRefreshCmd(g *globalOptions) *cobra.Command {
	o := newFanoutOptions(g, plan.OpRefresh)
	cmd := &cobra.Command{
		Use:   "refresh",
		Short: "Refresh the selected stacks' state from the cloud; --drift only reports drift",
		Long: `refresh reads every selected stack's resources from the cloud. With --drift it
is a preview-only refresh: the recorded state is not touched and the report lists,
per tenant, the resources that drifted (~ changed, - gone). Exit code 5 means drift.`,
		Example: `  tenantctl refresh --drift --summary-md drift.md
  tenantctl refresh --tenant acme-corp`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(cmd.Context()) },
	}
	cmd.Flags().BoolVar(&o.drift, "drift", false, "preview-only refresh: report drift without writing state")
	o.addSelectionFlags(cmd)
	o.addRunFlags(cmd, "100%")
	return cmd
}
