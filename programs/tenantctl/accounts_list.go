package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/tenantctl/tenantctl/internal/accounts"
)

type accountsListOptions struct {
	*accountsOptions
	status string
	output string
	now    func() time.Time
}

func newAccountsListCmd(ao *accountsOptions) *cobra.Command {
	o := &accountsListOptions{accountsOptions: ao, now: time.Now}
	cmd := &cobra.Command{
		Use:   "list [--status S] [--output json]",
		Short: "List the lifecycle's accounts with STATUS, TENANT_ID, OU and age, and the account quota",
		Long: `List every account of the lifecycle (in the Workload or Suspended OU, or
carrying its tags) with STATUS, TIER, TENANT_ID, OU and age, and the organization's
account count against organization.accountQuota (a warning from 80%).
Bad states (no STATUS, a STATUS contradicting the OU, a tenant with two ACTIVE
accounts, ...) are reported, and make the exit code 1.`,
		Example: "  tenantctl accounts list\n  tenantctl accounts list --status BASELINED --output json",
		Args:    cobra.NoArgs,
	}
	checkOutput := outputFlag(cmd, &o.output)
	cmd.Flags().StringVar(&o.status, "status", "", "show only accounts in this status ("+statusList()+")")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if err := checkOutput(); err != nil {
			return err
		}
		if o.status != "" && !accounts.Status(strings.ToUpper(o.status)).Valid() {
			return usageError(fmt.Errorf("--status must be one of %s, not %q", statusList(), o.status))
		}
		m, _, err := o.load(cmd.Context(), false)
		if err != nil {
			return err
		}
		inv, err := m.Inventory(cmd.Context())
		if err != nil {
			return withCode(ExitInvalid, err)
		}
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
	if o.output == "json" {
		type row struct {
			*accounts.Account
			Age string `json:"age"`
		}
		rows := make([]row, len(shown))
		for i, a := range shown {
			rows[i] = row{a, age(o.now().Sub(a.Joined))}
		}
		err := writeJSON(o.g.stdout, struct {
			Accounts []row `json:"accounts"`
			quotaJSON
			Problems []string `json:"problems"`
		}{rows, quotaOf(inv), nonNil(problems)})
		if err != nil {
			return err
		}
	} else {
		tw := newTable(o.g.stdout, "ACCOUNT", "NAME", "STATUS", "TIER", "TENANT_ID", "OU", "AGE", "NOTE")
		for _, a := range shown {
			tw.row(a.ID, a.Name, orDash(string(a.Status)), orDash(a.Tier), orDash(a.TenantID), a.OU, age(o.now().Sub(a.Joined)), note(a))
		}
		tw.flush()
		printQuota(o.g, inv)
		if len(problems) > 0 {
			fmt.Fprintf(o.g.stdout, "\n%d problem(s); assign takes no new account until they are fixed:\n", len(problems))
			for _, p := range problems {
				fmt.Fprintln(o.g.stdout, "  "+p)
			}
		}
	}
	if len(problems) > 0 {
		return reported(ExitInvalid, fmt.Errorf("%d account problem(s)", len(problems)))
	}
	return nil
}

// note is the NOTE column: problems, claims in flight, quota requests.
func note(a *accounts.Account) string {
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
	}
	return ""
}

// quotaJSON is the account quota part of the JSON outputs.
type quotaJSON struct {
	OrgAccounts  int    `json:"orgAccounts"`
	AccountQuota int    `json:"accountQuota"`
	QuotaUse     int    `json:"quotaUsePercent"`
	Warning      string `json:"warning,omitempty"`
}

func quotaOf(inv *accounts.Inventory) quotaJSON {
	return quotaJSON{inv.OrgAccounts, inv.Quota, inv.QuotaUse(), inv.QuotaWarning()}
}

// printQuota shows the account count and, from 80%, a warning on stderr.
func printQuota(g *globalOptions, inv *accounts.Inventory) {
	fmt.Fprintf(g.stdout, "accounts in the organization: %d of %d (%d%%)\n", inv.OrgAccounts, inv.Quota, inv.QuotaUse())
	if w := inv.QuotaWarning(); w != "" {
		fmt.Fprintln(g.stderr, "warning: "+w)
	}
}

// age shows a duration the way kubectl does: 45s, 12m, 5h, 3d.
func age(d time.Duration) string {
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

func statusList() string {
	s := make([]string, len(accounts.Statuses))
	for i, v := range accounts.Statuses {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
