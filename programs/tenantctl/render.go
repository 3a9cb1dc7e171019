package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tenantctl/tenantctl/internal/render"
	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/internal/stackconfig"
)

type renderOptions struct {
	g         *globalOptions
	all       bool
	format    string
	stacksDir string
	stacks    []string
	endpoint  endpointOptions
}

func newRenderCmd(g *globalOptions) *cobra.Command {
	o := &renderOptions{g: g}
	cmd := &cobra.Command{
		Use:   "render <tenant-id|platform>... | --all",
		Short: "Show the resources a tenant (or the platform) turns into, offline",
		Long: `render runs the stack's Pulumi program in process under the SDK's mock monitor —
no engine, no cloud account — and prints every resource it would register: type,
logical name, parent, provider, tags and inputs. Values known only after
deployment show as <computed>, secrets as [secret]. Each stack's configuration is
read from --stacks (Pulumi.<stack>.yaml), as pulumi up reads it. With
--endpoint-url (or $AWS_ENDPOINT_URL) the stacks render as they deploy to that
emulator, and each shows the emulator gaps it applied.`,
		Example: `  tenantctl render hooli
  tenantctl render --all --format markdown
  tenantctl render soylent --format dot | dot -Tsvg > soylent.svg`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.complete(args); err != nil {
				return err
			}
			return o.run()
		},
	}
	cmd.Flags().BoolVar(&o.all, "all", false, "render the platform and every tenant")
	cmd.Flags().StringVarP(&o.format, "format", "o", "table", "output format: "+strings.Join(render.Formats, ", "))
	cmd.Flags().StringVar(&o.stacksDir, "stacks", "stacks", "directory of the Pulumi.<stack>.yaml stack configuration files")
	o.endpoint.addFlags(cmd)
	return cmd
}

func (o *renderOptions) complete(args []string) error {
	if !slices.Contains(render.Formats, o.format) {
		return usageError(fmt.Errorf("unknown --format %q; use one of %s", o.format, strings.Join(render.Formats, ", ")))
	}
	switch {
	case o.all && len(args) > 0:
		return usageError(errors.New("give tenant ids or --all, not both"))
	case !o.all && len(args) == 0:
		return usageError(errors.New("name a tenant id (or platform), or use --all"))
	}
	o.stacks = args
	o.endpoint.complete()
	return o.endpoint.validate()
}

func (o *renderOptions) run() error {
	f, err := spec.LoadDir(o.g.dir)
	if err != nil {
		return withCode(ExitInvalid, err)
	}
	if o.all {
		o.stacks = render.AllStacks(f)
	}
	config := stackconfig.Dir(o.stacksDir)
	if o.endpoint.url != "" {
		_, dummy, err := o.endpoint.sdkConfig(context.Background(), f.Settings.PlatformRegion)
		if err != nil {
			return withCode(ExitInvalid, err)
		}
		config = stackconfig.WithExtra(config, o.endpoint.stackConfig(dummy))
	}
	graphs, err := render.Stacks(f, o.stacks, config)
	if err != nil {
		return withCode(ExitInvalid, err)
	}
	return render.Write(o.g.stdout, o.format, graphs)
}
