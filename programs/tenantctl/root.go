package main

import (
	"io"

	"github.com/spf13/cobra"
)

// globalOptions are the flags every command shares.
type globalOptions struct {
	dir    string
	stdout io.Writer
	stderr io.Writer
}

func newRootCmd(stdout, stderr io.Writer) *cobra.Command {
	g := &globalOptions{stdout: stdout, stderr: stderr}
	root := &cobra.Command{
		Use:           "tenantctl",
		Short:         "Tenant isolation as code for SaaS fleets on AWS",
		Long:          "tenantctl validates tenants/*.yaml, renders each tenant's isolation model, rolls releases out over every tenant stack, runs the account-per-tenant lifecycle and reports cost per tenant.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.PersistentFlags().StringVar(&g.dir, "dir", "tenants", "directory of the tenant files and fleet.yaml")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError(err) })
	root.AddCommand(
		// Each command lives in its own file: newXCmd(g).
		newCostCmd(g),
		newAccountsCmd(g),
		newValidateCmd(g),
		newListCmd(g),
		newSchemaCmd(g),
		newPreviewCmd(g),
		newRolloutCmd(g),
		newStatusCmd(g),
		newRefreshCmd(g),
		newDestroyCmd(g),
		newRenderCmd(g),
		newDevCmd(g),
		newOnboardCmd(g),
		newOffboardCmd(g),
		newMigrateCmd(g),
		newWorkflowsCmd(g),
	)
	return root
}
