package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tenantctl/tenantctl/schema"
)

func newSchemaCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "schema [tenant|fleet]",
		Short: "Print the JSON Schema of a tenant file (default) or of fleet.yaml",
		Long: `schema prints the JSON Schema generated from tenantctl's Go types: of a tenant file
(tenants/<id>.yaml) by default, or of the fleet settings (tenants/fleet.yaml). Editors
with the YAML language server pick it up from the first line of each file:

  # yaml-language-server: $schema=../schema/tenant.schema.json`,
		Args:      cobra.MaximumNArgs(1),
		ValidArgs: []string{"tenant", "fleet"},
		RunE: func(cmd *cobra.Command, args []string) error {
			kind := "tenant"
			if len(args) == 1 {
				kind = args[0]
			}
			var data []byte
			switch kind {
			case "tenant":
				data = schema.Tenant
			case "fleet":
				data = schema.Fleet
			default:
				return usageError(fmt.Errorf("no schema %q; use tenant or fleet", kind))
			}
			_, err := g.stdout.Write(data)
			return err
		},
	}
}
