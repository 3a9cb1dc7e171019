package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/tenantctl/tenantctl/internal/accounts"
	"github.com/tenantctl/tenantctl/internal/awscfg"
	"github.com/tenantctl/tenantctl/internal/emulator/gaps"
	"github.com/tenantctl/tenantctl/internal/externalid"
	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/internal/textsafe"
)

// accountsOptions are the flags every `accounts` subcommand shares.
type accountsOptions struct {
	g           *globalOptions
	endpointURL string
	region      string
	concurrency int
}

func newAccountsCmd(g *globalOptions) *cobra.Command {
	o := &accountsOptions{g: g}
	cmd := &cobra.Command{
		Use:   "accounts",
		Short: "Run the account-per-tenant lifecycle: vend, pool, assign, suspend, close, list",
		Long: `Run the lifecycle of the AWS accounts of account-model tenants, on AWS Organizations.

Accounts are vended into a pool per tier (tagged STATUS=BASELINING, then
BASELINED once baselined), assigned to one tenant each (ACTIVE, TENANT_ID) and
suspended at the end (SUSPENDING in the Suspended OU, then SUSPENDED); an account
once given to a tenant never returns to the pool.

Run it with credentials of the organization's management account (the standard
AWS credential chain). --endpoint-url or AWS_ENDPOINT_URL points it at an
emulator. Vending needs the fleet secret in ` + externalid.EnvSecret + `.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	f := cmd.PersistentFlags()
	f.StringVar(&o.endpointURL, "endpoint-url", "", "AWS endpoint for every service, e.g. an emulator (default: AWS_ENDPOINT_URL, else AWS)")
	f.StringVar(&o.region, "region", "", "AWS region (default: AWS_REGION or the profile's, else fleet.yaml platformRegion)")
	cmd.AddCommand(
		newAccountsVendCmd(o),
		newAccountsPoolCmd(o),
		newAccountsAssignCmd(o),
		newAccountsSuspendCmd(o),
		newAccountsListCmd(o),
		newAccountsCloseCmd(o),
		newAccountsExternalIDCmd(o),
	)
	return cmd
}

// load reads the fleet and builds the lifecycle manager. withSecret asks for
// the external id secret (vending and baselining refuse to run without it).
func (o *accountsOptions) load(ctx context.Context, withSecret bool) (*accounts.Manager, *spec.Fleet, error) {
	fleet, err := spec.LoadDir(o.g.dir)
	if err != nil {
		return nil, nil, withCode(ExitInvalid, err)
	}
	opts := accounts.Options{Concurrency: o.concurrency}
	if o.endpointURL != "" || os.Getenv("AWS_ENDPOINT_URL") != "" {
		// An endpoint is the emulator (moto) the dev loop and the tests run.
		if opts.Gaps, err = gaps.For(gaps.MotoName); err != nil {
			return nil, nil, withCode(ExitInvalid, err)
		}
	}
	if withSecret {
		secret, err := externalid.ParseSecret(os.Getenv(externalid.EnvSecret))
		if err != nil {
			return nil, nil, withCode(ExitInvalid, err)
		}
		opts.ExternalIDSecret = secret
	}
	cfg, err := awscfg.Load(ctx, awscfg.Options{Region: o.region, EndpointURL: o.endpointURL})
	if err != nil && o.region == "" && fleet.Settings.PlatformRegion != "" {
		// No region in the flags, environment or profile: the platform's.
		cfg, err = awscfg.Load(ctx, awscfg.Options{Region: fleet.Settings.PlatformRegion, EndpointURL: o.endpointURL})
	}
	if err != nil {
		return nil, nil, withCode(ExitInvalid, err)
	}
	m, err := accounts.New(cfg, &fleet.Settings, opts)
	if err != nil {
		return nil, nil, withCode(ExitInvalid, err)
	}
	return m, fleet, nil
}

// accountsOutputFlag binds --output (text or json) and returns a check for it.
func accountsOutputFlag(cmd *cobra.Command, p *string) func() error {
	cmd.Flags().StringVarP(p, "output", "o", "text", "output format: text or json")
	return func() error {
		if *p != "text" && *p != "json" {
			return usageError(fmt.Errorf("--output must be text or json, not %q", *p))
		}
		return nil
	}
}

func writeAccountsJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// printVendResult shows the accounts of a vend or top-up, and returns its error
// with the exit code for failures.
func printVendResult(w io.Writer, output string, res *accounts.VendResult, err error) error {
	if res == nil {
		return withCode(ExitInvalid, err)
	}
	if output == "json" {
		if jerr := writeAccountsJSON(w, res); jerr != nil {
			return jerr
		}
		if err != nil {
			return reported(ExitInvalid, err)
		}
		return nil
	}
	if len(res.Accounts) == 0 {
		fmt.Fprintln(w, "every pool is at its target; nothing to vend")
		return nil
	}
	tw := newAccountsTable(w, "ACCOUNT", "NAME", "TIER", "STATUS", "ORG CALLS", "QUOTAS")
	for _, v := range res.Accounts {
		status := string(v.Status)
		if v.Error != "" {
			status = "FAILED (" + status + ")"
		}
		if v.Resumed {
			status += " resumed"
		}
		tw.row(accountsDash(v.AccountID), v.Name, v.Tier, status, fmt.Sprint(v.OrgCalls), baselineQuotaSummary(v.Baseline))
	}
	tw.flush()
	ok := len(res.Accounts) - len(res.Failed())
	fmt.Fprintf(w, "%d of %d accounts BASELINED in %s; Organizations calls: %d (%.1f per account)\n",
		ok, len(res.Accounts), res.Elapsed.String(), res.Calls.Total, float64(res.Calls.Total)/float64(len(res.Accounts)))
	if err != nil {
		return withCode(ExitInvalid, err)
	}
	return nil
}

func baselineQuotaSummary(b *accounts.BaselineReport) string {
	if b == nil || len(b.Quotas) == 0 {
		return "-"
	}
	var parts []string
	for _, q := range b.Quotas {
		s := fmt.Sprintf("%s/%s %g", q.ServiceCode, q.QuotaCode, q.Current)
		switch q.Action {
		case accounts.QuotaSufficient:
			s += " ok"
		case accounts.QuotaRequested:
			s += fmt.Sprintf("→%g requested (%s)", q.Target, q.RequestID)
		case accounts.QuotaAlreadyRequested:
			s += fmt.Sprintf("→%g already requested", q.Target)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}

func accountsDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// accountPoolTiers are the tiers with an account pool target, sorted.
func accountPoolTiers(s *spec.Settings) []string {
	var out []string
	for name, t := range s.Tiers {
		if t.AccountPool.Target > 0 {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// accountsTable is a tab-aligned table of the accounts commands.
type accountsTable struct{ tw *tabwriter.Writer }

func newAccountsTable(w io.Writer, header ...string) *accountsTable {
	t := &accountsTable{tw: tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)}
	t.row(header...)
	return t
}

// row writes one line. Cells come from account tags and names, which anyone
// with Organizations access can set: each is escaped (textsafe.Escape), so a
// tab cannot shift the columns nor an escape sequence drive the terminal.
func (t *accountsTable) row(cells ...string) {
	safe := make([]string, len(cells))
	for i, c := range cells {
		safe[i] = textsafe.Escape(c)
	}
	fmt.Fprintln(t.tw, strings.Join(safe, "\t"))
}
func (t *accountsTable) flush() { t.tw.Flush() }
