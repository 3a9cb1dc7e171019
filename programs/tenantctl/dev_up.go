package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/cobra"

	"github.com/tenantctl/tenantctl/internal/devloop"
	"github.com/tenantctl/tenantctl/internal/emulator"
	"github.com/tenantctl/tenantctl/internal/emulator/gaps"
	"github.com/tenantctl/tenantctl/internal/rollout/plan"
	"github.com/tenantctl/tenantctl/internal/spec"

	"github.com/tenantctl/tenantctl/internal/naming"
)

func newDevUpCmd(g *globalOptions) *cobra.Command {
	d := &devOptions{g: g}
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Deploy the platform and every tenant to a local AWS emulator",
		Long: `up, in order: starts moto_server on a free loopback port, detached so it
outlives the command (or reuses the one it started before, or uses
--endpoint-url); creates the emulated organization when there is none; keeps a
dev external-id secret under .tenantctl/dev (unless TENANTCTL_EXTERNAL_ID_SECRET
is set); reports the emulator's gaps each stack applies; checks that the AWS
provider plugin is installed; then runs the rollout driver over the platform
(first, alone: it creates the Workload and Suspended OUs) and every tenant, on
the file backend .tenantctl/dev/state. Account-model tenants without an account
id get one vended and assigned through the account lifecycle once the platform
is up. Running it again changes nothing that is already in place.`,
		Example: `  tenantctl dev up
  tenantctl dev up --endpoint-url http://localhost:4566 --emulator moto
  tenantctl dev status
  tenantctl dev down`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := d.complete(); err != nil {
				return err
			}
			return d.up(cmd.Context())
		},
	}
	d.endpoint.addFlags(cmd)
	d.addFlags(cmd)
	d.addRunFlags(cmd)
	return cmd
}

func (d *devOptions) up(ctx context.Context) error {
	if ctx == nil {
		ctx = context.Background()
	}
	out := d.g.stdout
	f, err := d.load()
	if err != nil {
		return err
	}
	// 1. The emulator.
	if d.endpoint.url == "" {
		rec, reused, err := d.paths.StartEmulator(ctx)
		if err != nil {
			return withCode(ExitInvalid, err)
		}
		d.endpoint.url = rec.URL
		how := "started"
		if reused {
			how = "reused"
		}
		fmt.Fprintf(out, "emulator: moto_server %s at %s (pid %d, log %s)\n", how, rec.URL, rec.PID, rec.Log)
	} else {
		if err := emulator.WaitReady(ctx, d.endpoint.url, 5*time.Second); err != nil {
			return withCode(ExitInvalid, fmt.Errorf("%w: start the emulator first, or run `tenantctl dev up` without --endpoint-url (and without AWS_ENDPOINT_URL) to let it start moto_server", err))
		}
		fmt.Fprintf(out, "emulator: %s at %s (not started by tenantctl; dev down leaves it running)\n", d.endpoint.emulator, d.endpoint.url)
	}
	region := f.Settings.PlatformRegion
	cfg, dummy, err := d.endpoint.sdkConfig(ctx, region)
	if err != nil {
		return withCode(ExitInvalid, err)
	}
	if dummy {
		fmt.Fprintf(out, "credentials: none in the environment; dummy ones for the emulator\n")
	}
	// An emulator dev up did not start (or started by an older tenantctl)
	// may lack AWS managed policies; every service stack would fail at its
	// execution role's attachment.
	if err := devloop.CheckManagedPolicies(ctx, cfg, d.endpoint.url); err != nil {
		return withCode(ExitInvalid, err)
	}

	// 2. The organization (its OUs are the platform stack's).
	root, created, err := devloop.EnsureOrganization(ctx, cfg)
	if err != nil {
		return withCode(ExitInvalid, err)
	}
	verb := "exists"
	if created {
		verb = "created"
	}
	fmt.Fprintf(out, "organization: %s (root %s)\n", verb, root)

	// 3. The fleet secret of the account model's external ids.
	secret, where, err := d.secret()
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "external-id secret: %s\n", where)

	// 4. What the emulator cannot serve, before anything is deployed.
	by, err := gapReport(f, d.endpoint.stackConfig(dummy), secret)
	if err != nil {
		return withCode(ExitInvalid, err)
	}
	d.printGaps(by)

	// 5. The engine must have the AWS provider plugin.
	if err := d.checkPlugins(ctx); err != nil {
		return fmt.Errorf("%w\nThe emulator and the organization are ready and stay so (`tenantctl dev status`; `tenantctl dev down` stops the emulator); `tenantctl render --all --endpoint-url %s` shows what the stacks would deploy", err, d.endpoint.url)
	}

	// 6. The fan-out: platform first, then accounts, then every tenant.
	prep := &accountPrep{ctx: ctx, cfg: cfg, f: f, secret: secret, gaps: d.endpoint.gaps()}
	// Every tenant as its file says, suspended (no tasks run) or pinned to a
	// release (the dev loop has no releases): the selection destroy uses.
	p, err := d.plan(f, plan.OpUp, plan.Selector{Platform: true, Offboarding: true}, "--platform")
	if err != nil {
		return err
	}
	runErr := d.run(plan.OpUp, secret, prep.resolve).execute(ctx, f, p, nil)
	prep.report(d)
	fmt.Fprintf(out, "\nlook at it:\n  tenantctl dev status\n  stack state: %s/state/.pulumi/stacks/%s/\n  journal and engine logs: %s/rollouts/\n  emulator: %s (AWS_ENDPOINT_URL=%s aws ...)\n  tear down: tenantctl dev down\n",
		d.paths.Dir, naming.Project, d.paths.Dir, d.endpoint.url, d.endpoint.url)
	if runErr != nil {
		return withCode(exitCode(runErr), fmt.Errorf("%w; fix it and run `tenantctl dev up` again (it redoes only what is missing)", runErr))
	}
	return nil
}

func (d *devOptions) printGaps(by map[string][]string) {
	out := d.g.stdout
	fmt.Fprintf(out, "emulator gaps (%s's documented list): left out or adapted against the emulator, never on AWS\n", d.endpoint.emulator)
	for _, gp := range d.endpoint.gaps().List() {
		where := strings.Join(by[gp.ID], ", ")
		switch gp.ID {
		case gaps.ServiceQuotaIncrease:
			where = "the account lifecycle (dev up's account vending)"
		case gaps.TaggingAPICoverage:
			where = "tenantctl offboard's check for leftovers"
		}
		if where == "" {
			fmt.Fprintf(out, "  %s: no stack of this fleet registers %s\n", gp.ID, gp.Resource)
			continue
		}
		fmt.Fprintf(out, "  skipped %s (%s %s) in %s: %s\n", gp.ID, gp.Action, gp.Resource, where, gp.Reason)
	}
}

// accountPrep gives pool-drawn account tenants their account the first time
// one of their stacks asks, which the rollout does only after the platform
// wave (the platform stack creates the OUs vending needs).
type accountPrep struct {
	ctx    context.Context
	cfg    aws.Config
	f      *spec.Fleet
	secret []byte
	gaps   gaps.Set

	once   sync.Once
	result *devloop.AccountsResult
	err    error
}

func (p *accountPrep) resolve(tenantID string) (string, error) {
	p.once.Do(func() {
		p.result, p.err = devloop.PrepareAccounts(p.ctx, p.cfg, p.f, p.secret, p.gaps)
	})
	if p.err != nil {
		return "", p.err
	}
	for _, a := range p.result.Assigned {
		if a.TenantID == tenantID {
			return a.AccountID, nil
		}
	}
	return "", fmt.Errorf("tenant %s: the dev loop assigned it no account", tenantID)
}

func (p *accountPrep) report(d *devOptions) {
	out := d.g.stdout
	if p.result == nil && p.err == nil {
		return
	}
	fmt.Fprintln(out, "\naccounts:")
	if p.result != nil {
		for _, v := range p.result.Vended {
			fmt.Fprintf(out, "  vended %s (%s) for pool %s: %s\n", v.AccountID, v.Name, v.Tier, v.Status)
		}
		for _, a := range p.result.Assigned {
			how := "assigned"
			if a.Existing {
				how = "had"
			}
			fmt.Fprintf(out, "  %s %s %s (pool %s)\n", a.TenantID, how, a.AccountID, a.Pool)
		}
		for _, gp := range p.result.Gaps {
			fmt.Fprintf(out, "  skipped %s: %s\n", gp.ID, gp.Reason)
		}
	}
	if p.err != nil {
		fmt.Fprintf(out, "  failed: %v\n", p.err)
	}
}
