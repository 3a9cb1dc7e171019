package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

type accountsVendOptions struct {
	*accountsOptions
	count  int
	tier   string
	output string
}

func newAccountsVendCmd(ao *accountsOptions) *cobra.Command {
	o := &accountsVendOptions{accountsOptions: ao}
	cmd := &cobra.Command{
		Use:   "vend --count N [--tier T]",
		Short: "Create and baseline N accounts for a tier's pool",
		Long: `Create N accounts for a tier's pool and baseline them: CreateAccount (name and
e-mail from organization.accountName/accountEmail), wait for it, move it into the
Workload OU, create the deploy role (trusting only the deployment account, with an
external id derived from $TENANTCTL_EXTERNAL_ID_SECRET), request the tier's
service quotas, tag STATUS=BASELINED.`,
		Example: "  tenantctl accounts vend --count 2 --tier enterprise",
		Args:    cobra.NoArgs,
	}
	checkOutput := accountsOutputFlag(cmd, &o.output)
	cmd.Flags().IntVar(&o.count, "count", 0, "number of accounts to vend (required)")
	cmd.Flags().StringVar(&o.tier, "tier", "", "tier whose pool gets the accounts (default: the only tier with an account pool)")
	cmd.Flags().IntVar(&o.concurrency, "concurrency", 4, "accounts created at once (Organizations allows only a few)")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if err := checkOutput(); err != nil {
			return err
		}
		if o.count <= 0 {
			return usageError(fmt.Errorf("--count must be a positive number of accounts"))
		}
		if o.concurrency <= 0 {
			return usageError(fmt.Errorf("--concurrency must be positive"))
		}
		m, fleet, err := o.load(cmd.Context(), true)
		if err != nil {
			return err
		}
		if o.tier == "" {
			tiers := accountPoolTiers(&fleet.Settings)
			if len(tiers) != 1 {
				return usageError(fmt.Errorf("--tier is required: fleet.yaml has %d tiers with an account pool %v", len(tiers), tiers))
			}
			o.tier = tiers[0]
		}
		res, err := m.Vend(cmd.Context(), o.tier, o.count)
		return printVendResult(o.g.stdout, o.output, res, err)
	}
	return cmd
}
