package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tenantctl/tenantctl/internal/textsafe"
)

type accountsAssignOptions struct {
	*accountsOptions
	output string
}

func newAccountsAssignCmd(ao *accountsOptions) *cobra.Command {
	o := &accountsAssignOptions{accountsOptions: ao}
	cmd := &cobra.Command{
		Use:   "assign <tenant>",
		Short: "Give an account-model tenant a BASELINED account of its pool (idempotent)",
		Long: `Give the tenant a BASELINED account of its pool (account.pool, else its tier)
and tag it STATUS=ACTIVE, TENANT_ID=<tenant>. A tenant that has an ACTIVE account
gets that one back. Concurrent assigns never hand out one account twice. Refused
while any account is in a bad state (see ` + "`tenantctl accounts list`" + `).`,
		Example: "  tenantctl accounts assign globex",
		Args:    cobra.ExactArgs(1),
	}
	checkOutput := accountsOutputFlag(cmd, &o.output)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := checkOutput(); err != nil {
			return err
		}
		m, fleet, err := o.load(cmd.Context(), false)
		if err != nil {
			return err
		}
		t := fleet.Tenant(args[0])
		if t == nil {
			return withCode(ExitInvalid, fmt.Errorf("no tenant %q in %s (no %s.yaml)", args[0], o.g.dir, args[0]))
		}
		a, err := m.Assign(cmd.Context(), t)
		if err != nil {
			return withCode(ExitInvalid, err)
		}
		if o.output == "json" {
			return writeAccountsJSON(o.g.stdout, a)
		}
		if a.Existing {
			fmt.Fprintf(o.g.stdout, "tenant %s already has account %s (%s)\n", a.TenantID, a.AccountID, textsafe.Escape(a.Name))
		} else {
			fmt.Fprintf(o.g.stdout, "tenant %s assigned account %s (%s) from pool %s\n", a.TenantID, a.AccountID, textsafe.Escape(a.Name), a.Pool)
		}
		return nil
	}
	return cmd
}
