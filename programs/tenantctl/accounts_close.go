package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tenantctl/tenantctl/internal/accounts"
)

type accountsCloseOptions struct {
	*accountsOptions
	output string
	dryRun bool
}

func newAccountsCloseCmd(ao *accountsOptions) *cobra.Command {
	o := &accountsCloseOptions{accountsOptions: ao}
	cmd := &cobra.Command{
		Use:   "close [--dry-run] [--output json]",
		Short: "Close the SUSPENDED accounts past their retention period (organization.closeAfterDays)",
		Long: `Close (Organizations CloseAccount) every tenant account that has been SUSPENDED
for organization.closeAfterDays or longer, counted from its SUSPENDED_AT tag
(written by suspend --finish and by tenantctl offboard). Accounts suspended
before the time was recorded are listed and never closed on a guess: tag them
SUSPENDED_AT=<RFC 3339 time> first. AWS closes an account in the background
(PENDING_CLOSURE) and deletes it for good 90 days later; it lets an organization
close 10% of its accounts per 30 days. --dry-run lists what would be closed.`,
		Example: "  tenantctl accounts close --dry-run\n  tenantctl accounts close -o json",
		Args:    cobra.NoArgs,
	}
	checkOutput := accountsOutputFlag(cmd, &o.output)
	cmd.Flags().BoolVar(&o.dryRun, "dry-run", false, "list the accounts that would be closed; close nothing")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if err := checkOutput(); err != nil {
			return err
		}
		m, fleet, err := o.load(cmd.Context(), false)
		if err != nil {
			return err
		}
		res, err := m.Close(cmd.Context(), o.dryRun)
		if res != nil {
			if perr := o.print(res, accounts.Retention(&fleet.Settings).Hours()/24); perr != nil {
				return perr
			}
		}
		if err != nil {
			return withCode(ExitInvalid, err)
		}
		return nil
	}
	return cmd
}

func (o *accountsCloseOptions) print(res *accounts.CloseResult, days float64) error {
	if o.output == "json" {
		return writeAccountsJSON(o.g.stdout, res)
	}
	verb := "closed"
	if res.DryRun {
		verb = "would close"
	}
	tw := newAccountsTable(o.g.stdout, "ACCOUNT", "NAME", "TENANT_ID", "SUSPENDED", "ACTION")
	for _, a := range res.Closed {
		tw.row(a.ID, a.Name, accountsDash(a.TenantID), a.SuspendedAt.UTC().Format("2006-01-02"), verb)
	}
	for _, k := range res.Kept {
		tw.row(k.ID, k.Name, accountsDash(k.TenantID), k.SuspendedAt.UTC().Format("2006-01-02"), "kept until "+k.ClosableFrom.UTC().Format("2006-01-02"))
	}
	for _, a := range res.Undated {
		tw.row(a.ID, a.Name, accountsDash(a.TenantID), "-", "kept: no "+accounts.TagSuspendedAt+" tag")
	}
	tw.flush()
	fmt.Fprintf(o.g.stdout, "%s %d account(s) SUSPENDED for %g days or more (organization.closeAfterDays)\n", verb, len(res.Closed), days)
	return nil
}
