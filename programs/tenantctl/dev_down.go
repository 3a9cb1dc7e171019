package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tenantctl/tenantctl/internal/rollout/plan"
)

func newDevDownCmd(g *globalOptions) *cobra.Command {
	d := &devOptions{g: g}
	cmd := &cobra.Command{
		Use:   "down",
		Short: "Destroy every dev stack (tenants first, the platform last) and stop the emulator dev up started",
		Long: `down destroys every stack of the dev backend: the tenants first, then the
platform stack, whose outputs the tenants read; then it stops the moto_server
dev up started (an emulator given with --endpoint-url is left running). The
dev external-id secret and the journals stay under .tenantctl/dev.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := d.complete(); err != nil {
				return err
			}
			return d.down(cmd.Context())
		},
	}
	d.endpoint.addFlags(cmd)
	d.addFlags(cmd)
	d.addRunFlags(cmd)
	return cmd
}

func (d *devOptions) down(ctx context.Context) error {
	if ctx == nil {
		ctx = context.Background()
	}
	out := d.g.stdout
	f, err := d.load()
	if err != nil {
		return err
	}
	ownURL := d.endpoint.url == ""
	_, alive, err := d.runningEmulator(ctx)
	if err != nil {
		return err
	}
	stacks, err := d.stacks()
	if err != nil {
		return withCode(ExitInvalid, err)
	}
	live := 0
	for _, s := range stacks {
		if s.Resources > 0 {
			live++
		}
	}
	switch {
	case live == 0:
		fmt.Fprintln(out, "stacks: none hold resources; nothing to destroy")
	case !alive:
		return withCode(ExitInvalid, fmt.Errorf("%d dev stacks hold resources, and the emulator that held them is not running (the resources went with it): start it with `tenantctl dev up`, or delete %s/state to forget the stacks", live, d.paths.Dir))
	default:
		if err := d.checkPlugins(ctx); err != nil {
			return err
		}
		secret, _, err := d.secret()
		if err != nil {
			return err
		}
		r := d.run(plan.OpDestroy, secret, nil)
		// Tenants first: each reads the platform's outputs.
		p, err := d.plan(f, plan.OpDestroy, plan.Selector{Offboarding: true}, "all tenants")
		if err != nil {
			return err
		}
		if err := r.execute(ctx, f, p, nil); err != nil {
			return fmt.Errorf("destroying the tenant stacks: %w; the platform and the emulator are left as they are", err)
		}
		p, err = d.plan(f, plan.OpDestroy, plan.Selector{PlatformOnly: true}, "--platform")
		if err != nil {
			return err
		}
		if err := r.execute(ctx, f, p, nil); err != nil {
			return fmt.Errorf("destroying the platform stack: %w; the emulator is left running", err)
		}
	}
	if !ownURL {
		fmt.Fprintf(out, "emulator: %s left running (given with --endpoint-url or AWS_ENDPOINT_URL)\n", d.endpoint.url)
		return nil
	}
	rec, was, err := d.paths.StopEmulator(ctx)
	switch {
	case err != nil:
		return withCode(ExitInvalid, err)
	case rec == nil:
		fmt.Fprintln(out, "emulator: none was started by dev up")
	case was:
		fmt.Fprintf(out, "emulator: stopped moto_server (pid %d, %s)\n", rec.PID, rec.URL)
	default:
		fmt.Fprintf(out, "emulator: pid %d at %s was no longer running; its record is removed\n", rec.PID, rec.URL)
	}
	return nil
}
