package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tenantctl/tenantctl/internal/rollout/plan"
	"github.com/tenantctl/tenantctl/internal/textsafe"
)

// confirmDestroy asks on a terminal before anything is destroyed; elsewhere
// (a pipeline, a script) it refuses without --yes, since nobody can answer.
// Either way nothing has started when it refuses.
func confirmDestroy(in io.Reader, out io.Writer, p *plan.Plan) error {
	ids := p.StackNames()
	what := fmt.Sprintf("every resource of %d stack(s): %s", len(ids), textsafe.Escape(strings.Join(ids, ", ")))
	if !isTerminal(out) || !isTerminalReader(in) {
		return usageError(fmt.Errorf("destroy deletes %s; pass --yes to confirm (nobody can be asked here: stdin is not a terminal)", what))
	}
	fmt.Fprintf(out, "destroy deletes %s.\nType yes to go on: ", what)
	answer, _ := bufio.NewReader(in).ReadString('\n')
	if strings.TrimSpace(answer) != "yes" {
		return usageError(errors.New("destroy not confirmed; nothing was destroyed"))
	}
	return nil
}

func newDestroyCmd(g *globalOptions) *cobra.Command {
	o := newFanoutOptions(g, plan.OpDestroy)
	o.offboarding = true
	cmd := &cobra.Command{
		Use:   "destroy --tenant ID",
		Short: "Offboard a tenant: destroy every resource of its stack",
		Long: `destroy deletes every resource of the selected tenant's stack (offboarding).
It refuses to destroy more than one tenant unless --many is given, and the
platform stack only on its own. Suspended tenants are not skipped: suspension is
the usual step before offboarding.`,
		Example: `  tenantctl destroy --tenant initech
  tenantctl destroy --tier free --label cohort=trial-2024 --many`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.complete(); err != nil {
				return err
			}
			if len(o.tenants)+len(o.tiers)+len(o.models)+len(o.labels) == 0 && o.changedSince == "" && !o.platform {
				return usageError(errors.New("destroy needs a selection: --tenant ID (or --tier/--model/--label with --many, or --platform alone)"))
			}
			if o.platform && len(o.tenants)+len(o.tiers)+len(o.models)+len(o.labels) > 0 {
				return usageError(errors.New("destroy the platform stack on its own (--platform alone), after its tenants: every tenant stack reads its outputs"))
			}
			if err := o.validate(); err != nil {
				return err
			}
			// --platform alone is the platform stack, not "every tenant and the platform".
			o.sel.PlatformOnly = o.platform
			f, p, err := o.plan(cmd.Context())
			if err != nil {
				return err
			}
			if n := p.Stacks(); n > 1 && !o.many {
				return usageError(fmt.Errorf("the selection holds %d stacks (%s); destroy takes one unless --many is given", n, strings.Join(p.StackNames(), ", ")))
			}
			if o.dryRun {
				return writePlan(o.g.stdout, p, o.output)
			}
			if !o.yes {
				if err := confirmDestroy(cmd.InOrStdin(), o.g.stderr, p); err != nil {
					return err
				}
			}
			return o.execute(cmd.Context(), f, p, nil)
		},
	}
	o.addSelectionFlags(cmd)
	o.addRunFlags(cmd, "0")
	cmd.Flags().BoolVar(&o.many, "many", false, "allow destroying more than one stack")
	cmd.Flags().BoolVar(&o.yes, "yes", false, "destroy without asking (required where stdin is not a terminal, as in a pipeline)")
	return cmd
}
