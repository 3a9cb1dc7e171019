package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/tenantctl/tenantctl/internal/accounts"
	"github.com/tenantctl/tenantctl/internal/textsafe"
)

type accountsListOptions struct {
	*accountsOptions
	status string
	output string
	now    func() time.Time
	// retention is organization.closeAfterDays, for the closable count.
	retention time.Duration
}

func newAccountsListCmd(ao *accountsOptions) *cobra.Command {
	o := &accountsListOptions{accountsOptions: ao, now: time.Now}
	cmd := &cobra.Command{
		Use:   "list [--status S] [--output json]",
		Short: "List the lifecycle's accounts with STATUS, TENANT_ID, OU and age, and the account quota",
		Long: `List every account of the lifecycle (in the Workload or Suspended OU, or
carrying its tags) with STATUS, TIER, TENANT_ID, OU and age, and the organization's
account count against organization.accountQuota (a warning from 80%), and how
many SUSPENDED accounts are past organization.closeAfterDays (closable by
tenantctl accounts close).
Bad states (no STATUS, a STATUS contradicting the OU, a tenant with two ACTIVE
accounts, ...) are reported, and make the exit code 1.`,
		Example: "  tenantctl accounts list\n  tenantctl accounts list --status BASELINED --output json",
		Args:    cobra.NoArgs,
	}
	checkOutput := accountsOutputFlag(cmd, &o.output)
	cmd.Flags().StringVar(&o.status, "status", "", "show only accounts in this status ("+accountStatusList()+")")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if err := checkOutput(); err != nil {
			return err
		}
		if o.status != "" && !accounts.Status(strings.ToUpper(o.status)).Valid() {
			return usageError(fmt.Errorf("--status must be one of %s, not %q", accountStatusList(), o.status))
		}
		m, fleet, err := o.load(cmd.Context(), false)
		if err != nil {
			return err
		}
		inv, err := m.Inventory(cmd.Context())
		if err != nil {
			return withCode(ExitInvalid, err)
		}
		o.retention = accounts.Retention(&fleet.Settings)
		return o.print(inv)
	}
	return cmd
}

func (o *accountsListOptions) print(inv *accounts.Inventory) error {
	var shown []*accounts.Account
	for _, a := range inv.Accounts {
		if o.status == "" || string(a.Status) == strings.ToUpper(o.status) {
			shown = append(shown, a)
		}
	}
	problems := inv.Problems()
	closable := len(inv.Closable(o.now(), o.retention))
	if o.output == "json" {
		type row struct {
			*accounts.Account
			Age string `json:"age"`
		}
		rows := make([]row, len(shown))
		for i, a := range shown {
			rows[i] = row{a, accountAge(o.now().Sub(a.Joined))}
		}
		err := writeAccountsJSON(o.g.stdout, struct {
			Accounts []row `json:"accounts"`
			accountQuotaJSON
			Closable int      `json:"closable"`
			Problems []string `json:"problems"`
		}{rows, accountQuotaOf(inv), closable, accountsNonNil(problems)})
		if err != nil {
			return err
		}
	} else {
		tw := newAccountsTable(o.g.stdout, "ACCOUNT", "NAME", "STATUS", "TIER", "TENANT_ID", "OU", "AGE", "NOTE")
		for _, a := range shown {
			tw.row(a.ID, a.Name, accountsDash(string(a.Status)), accountsDash(a.Tier), accountsDash(a.TenantID), a.OU, accountAge(o.now().Sub(a.Joined)), accountNote(a))
		}
		tw.flush()
		printAccountQuota(o.g, inv)
		if closable > 0 {
			fmt.Fprintf(o.g.stdout, "closable: %d SUSPENDED account(s) past the retention of %d days (organization.closeAfterDays); close them with `tenantctl accounts close`\n", closable, int(o.retention.Hours()/24))
		}
		if len(problems) > 0 {
			fmt.Fprintf(o.g.stdout, "\n%d problem(s); assign takes no new account until they are fixed:\n", len(problems))
			for _, p := range problems {
				fmt.Fprintln(o.g.stdout, "  "+textsafe.Escape(p))
			}
		}
	}
	if len(problems) > 0 {
		return reported(ExitInvalid, fmt.Errorf("%d account problem(s)", len(problems)))
	}
	return nil
}

// accountNote is the NOTE column: problems, claims in flight, quota requests.
func accountNote(a *accounts.Account) string {
	switch {
	case len(a.Problems) > 0:
		return "PROBLEM (see below)"
	case len(a.Claims) > 0:
		var c []string
		for tenant, since := range a.Claims {
			c = append(c, tenant+" since "+since)
		}
		return "claimed by " + strings.Join(c, ", ") + " (assign in progress or interrupted: rerun assign for that tenant)"
	case a.QuotaRequests != "":
		return "quota requests: " + a.QuotaRequests
	case !a.SuspendedAt.IsZero():
		return "suspended " + a.SuspendedAt.UTC().Format("2006-01-02")
	}
	return ""
}

// accountQuotaJSON is the account quota part of the JSON outputs.
type accountQuotaJSON struct {
	OrgAccounts  int    `json:"orgAccounts"`
	AccountQuota int    `json:"accountQuota"`
	QuotaUse     int    `json:"quotaUsePercent"`
	Warning      string `json:"warning,omitempty"`
}

func accountQuotaOf(inv *accounts.Inventory) accountQuotaJSON {
	return accountQuotaJSON{inv.OrgAccounts, inv.Quota, inv.QuotaUse(), inv.QuotaWarning()}
}

// printAccountQuota shows the account count and, from 80%, a warning on stderr.
func printAccountQuota(g *globalOptions, inv *accounts.Inventory) {
	fmt.Fprintf(g.stdout, "accounts in the organization: %d of %d (%d%%)\n", inv.OrgAccounts, inv.Quota, inv.QuotaUse())
	if w := inv.QuotaWarning(); w != "" {
		fmt.Fprintln(g.stderr, "warning: "+w)
	}
}

// accountAge shows a duration the way kubectl does: 45s, 12m, 5h, 3d.
func accountAge(d time.Duration) string {
	switch {
	case d < 0:
		return "0s"
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}

func accountStatusList() string {
	s := make([]string, len(accounts.Statuses))
	for i, v := range accounts.Statuses {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}

func accountsNonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
