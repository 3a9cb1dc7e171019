package main

import (
	"fmt"

	"github.com/spf13/cobra"
	"github.com/tenantctl/tenantctl/internal/accounts"
)

type accountsPoolOptions struct {
	*accountsOptions
	topUp  bool
	output string
}

func newAccountsPoolCmd(ao *accountsOptions) *cobra.Command {
	o := &accountsPoolOptions{accountsOptions: ao}
	cmd := &cobra.Command{
		Use:   "pool [--top-up]",
		Short: "Show each tier's pool of ready accounts against its target; --top-up vends the difference",
		Long: `Show each tier's pool: BASELINED accounts nobody holds, accounts still
BASELINING, and the target (tiers.<tier>.accountPool.target in fleet.yaml).
--top-up first resumes accounts an interrupted vend left BASELINING, then vends
what is missing.`,
		Example: "  tenantctl accounts pool\n  tenantctl accounts pool --top-up",
		Args:    cobra.NoArgs,
	}
	checkOutput := accountsOutputFlag(cmd, &o.output)
	cmd.Flags().BoolVar(&o.topUp, "top-up", false, "vend (and resume) accounts until every pool meets its target")
	cmd.Flags().IntVar(&o.concurrency, "concurrency", 4, "accounts created at once when topping up")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if err := checkOutput(); err != nil {
			return err
		}
		if o.concurrency <= 0 {
			return usageError(fmt.Errorf("--concurrency must be positive"))
		}
		m, _, err := o.load(cmd.Context(), o.topUp)
		if err != nil {
			return err
		}
		if o.topUp {
			res, err := m.TopUp(cmd.Context())
			if perr := printVendResult(o.g.stdout, o.output, res, err); perr != nil {
				return perr
			}
			if o.output == "json" {
				return nil
			}
		}
		pools, inv, err := m.Pools(cmd.Context())
		if err != nil {
			return withCode(ExitInvalid, err)
		}
		if o.output == "json" {
			return writeAccountsJSON(o.g.stdout, struct {
				Pools []accounts.PoolDepth `json:"pools"`
				accountQuotaJSON
			}{pools, accountQuotaOf(inv)})
		}
		tw := newAccountsTable(o.g.stdout, "TIER", "READY", "BASELINING", "TARGET", "MISSING")
		for _, p := range pools {
			tw.row(p.Tier, fmt.Sprint(p.Ready), fmt.Sprint(p.Baselining), fmt.Sprint(p.Target), fmt.Sprint(p.Missing))
		}
		tw.flush()
		printAccountQuota(o.g, inv)
		return nil
	}
	return cmd
}
