package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/tenantctl/tenantctl/internal/externalid"
	"github.com/tenantctl/tenantctl/internal/spec"
)

func newAccountsExternalIDCmd(o *accountsOptions) *cobra.Command {
	var previewKey bool
	cmd := &cobra.Command{
		Use:   "external-id <tenant> | --preview-key",
		Short: "Print the external id the deploy role of an account-model tenant's account requires",
		Long: `Print the external id that the deploy role in the tenant's account requires
(derived from the fleet secret in ` + externalid.EnvSecret + ` and the account id, as
baselining derived it). The rollout driver sets it on its own; a pipeline that runs
` + "`pulumi up`" + ` on the stack directly stores it as the stack's secret:

  pulumi config set --secret tenantctl:externalId "$(tenantctl accounts external-id acme-corp)" -s acme-corp

The account is the tenant file's account.id, else the ACTIVE or SUSPENDING account
tagged TENANT_ID=<tenant> (which needs credentials of the management account).

With --preview-key it prints instead the preview key, derived one-way from the
fleet secret: store it as the pull-request pipeline's ` + externalid.EnvPreviewKey + `
secret. It opens only the read-only preview roles; it cannot be turned into the
fleet secret or any deploy role's external id. Both are secrets: print them only
into a secret store, never into a log.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if previewKey {
				return cobra.NoArgs(cmd, args)
			}
			return cobra.ExactArgs(1)(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			secret, err := externalid.ParseSecret(os.Getenv(externalid.EnvSecret))
			if err != nil {
				return withCode(ExitInvalid, err)
			}
			if previewKey {
				fmt.Fprintln(o.g.stdout, externalid.PreviewKey(secret))
				return nil
			}
			fleet, err := spec.LoadDir(o.g.dir)
			if err != nil {
				return withCode(ExitInvalid, err)
			}
			t := fleet.Tenant(args[0])
			switch {
			case t == nil:
				return withCode(ExitInvalid, fmt.Errorf("no tenant %q in %s (no %s.yaml)", args[0], o.g.dir, args[0]))
			case t.Model != spec.ModelAccount:
				return withCode(ExitInvalid, fmt.Errorf("tenant %s uses the %s model; only account-model tenants deploy through a role with an external id", t.ID, t.Model))
			}
			account := ""
			if t.Account != nil {
				account = t.Account.ID
			}
			if account == "" {
				m, _, err := o.load(cmd.Context(), false)
				if err != nil {
					return err
				}
				if account, err = m.TenantAccount(cmd.Context(), t.ID); err != nil {
					return withCode(ExitInvalid, err)
				}
			}
			fmt.Fprintln(o.g.stdout, externalid.Derive(secret, account))
			return nil
		},
	}
	cmd.Flags().BoolVar(&previewKey, "preview-key", false, "print the preview key for the pull-request pipeline ("+externalid.EnvPreviewKey+") instead")
	return cmd
}
