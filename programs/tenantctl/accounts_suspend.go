package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tenantctl/tenantctl/internal/textsafe"
)

type accountsSuspendOptions struct {
	*accountsOptions
	finish bool
}

func newAccountsSuspendCmd(ao *accountsOptions) *cobra.Command {
	o := &accountsSuspendOptions{accountsOptions: ao}
	cmd := &cobra.Command{
		Use:   "suspend <tenant> [--finish]",
		Short: "Move a tenant's account to the Suspended OU (SUSPENDING); --finish marks it SUSPENDED",
		Long: `Suspend a tenant's ACTIVE account: tag STATUS=SUSPENDING and move it into the
Suspended OU. Destroy the tenant's stack next (the rollout's destroy), then run
suspend --finish to tag it SUSPENDED. The account never returns to the pool.`,
		Example: "  tenantctl accounts suspend globex\n  tenantctl accounts suspend globex --finish",
		Args:    cobra.ExactArgs(1),
	}
	cmd.Flags().BoolVar(&o.finish, "finish", false, "mark the SUSPENDING account SUSPENDED (after the tenant's stack is destroyed)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		m, _, err := o.load(cmd.Context(), false)
		if err != nil {
			return err
		}
		tenant := args[0]
		if o.finish {
			done, err := m.FinishSuspend(cmd.Context(), tenant)
			if err != nil {
				return withCode(ExitInvalid, err)
			}
			for _, a := range done {
				fmt.Fprintf(o.g.stdout, "tenant %s: account %s (%s) is SUSPENDED\n", tenant, a.ID, textsafe.Escape(a.Name))
			}
			return nil
		}
		a, err := m.Suspend(cmd.Context(), tenant)
		if err != nil {
			return withCode(ExitInvalid, err)
		}
		fmt.Fprintf(o.g.stdout, "tenant %s: account %s (%s) is SUSPENDING in OU %s; destroy the tenant's stack, then run `tenantctl accounts suspend %s --finish`\n", tenant, a.ID, textsafe.Escape(a.Name), textsafe.Escape(a.OU), tenant)
		return nil
	}
	return cmd
}
