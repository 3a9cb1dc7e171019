package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/tenantctl/tenantctl/internal/spec"
)

type listOptions struct {
	*globalOptions
	tiers    []string
	models   []string
	statuses []string
	labels   []string
	output   string

	selector spec.Selector
}

func newListCmd(g *globalOptions) *cobra.Command {
	o := &listOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the tenants: id, tier, model, region, status",
		Long: `list loads and validates the fleet and prints one row per tenant, sorted by id.
Filters of one kind are alternatives (--tier free --tier standard); different kinds and
every --label must all match. An invalid fleet is reported as by validate (exit 1).`,
		Example: `  tenantctl list --tier premium --model subnet
  tenantctl list --label region-group=us --output json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.complete(); err != nil {
				return err
			}
			return o.run()
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&o.tiers, "tier", nil, "only tenants of this tier (repeatable)")
	f.StringSliceVar(&o.models, "model", nil, "only tenants of this isolation model (repeatable)")
	f.StringSliceVar(&o.statuses, "status", nil, "only tenants in this status: onboarding, active, suspended (repeatable)")
	f.StringArrayVar(&o.labels, "label", nil, "only tenants with this label, key=value (repeatable; all must match)")
	f.StringVarP(&o.output, "output", "o", "table", "output format: table or json")
	return cmd
}

func (o *listOptions) complete() error {
	if o.output != "table" && o.output != "json" {
		return usageError(fmt.Errorf("--output %q: use table or json", o.output))
	}
	labels, err := spec.ParseLabels(o.labels)
	if err != nil {
		return usageError(err)
	}
	o.selector = spec.Selector{Tiers: o.tiers, Labels: labels}
	for _, m := range o.models {
		o.selector.Models = append(o.selector.Models, spec.IsolationModel(m))
	}
	for _, s := range o.statuses {
		o.selector.Statuses = append(o.selector.Statuses, spec.Status(s))
	}
	return checkDir(o.dir)
}

// tenantRow is one tenant in `list --output json`.
type tenantRow struct {
	ID      string            `json:"id"`
	Name    string            `json:"name"`
	Tier    string            `json:"tier"`
	Model   string            `json:"model"`
	Region  string            `json:"region"`
	Status  string            `json:"status"`
	Labels  map[string]string `json:"labels,omitempty"`
	Release string            `json:"release,omitempty"`
	// URL is where the tenant answers (Settings.URL); Data where its data lives.
	URL  string `json:"url"`
	Data string `json:"data,omitempty"`
}

func (o *listOptions) run() error {
	f, err := spec.LoadDir(o.dir)
	if err != nil {
		var list spec.ErrorList
		if !errors.As(err, &list) {
			return withCode(ExitInvalid, err)
		}
		for _, e := range list {
			fmt.Fprintln(o.stderr, e.Error())
		}
		return withCode(ExitInvalid, fmt.Errorf("%s in %s; fix them first (tenantctl validate shows the same)", plural(len(list), "problem"), o.dir))
	}
	if err := o.selector.Check(&f.Settings); err != nil {
		return usageError(err)
	}
	tenants := o.selector.Select(f.Tenants)
	if o.output == "json" {
		rows := make([]tenantRow, 0, len(tenants))
		for _, t := range tenants {
			row := tenantRow{ID: t.ID, Name: t.Name, Tier: t.Tier, Model: string(t.Model), Region: t.Region, Status: string(t.Status), Labels: t.Labels, Release: t.Release, URL: f.Settings.URL(t)}
			if t.Data != nil {
				row.Data = string(t.Data.Mode)
			}
			rows = append(rows, row)
		}
		enc := json.NewEncoder(o.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	w := tabwriter.NewWriter(o.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tTIER\tMODEL\tREGION\tSTATUS\tLABELS")
	for _, t := range tenants {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Tier, t.Model, t.Region, t.Status, labelString(t.Labels))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(o.stdout, "%s of %d\n", plural(len(tenants), "tenant"), len(f.Tenants))
	return nil
}

func labelString(labels map[string]string) string {
	if len(labels) == 0 {
		return "-"
	}
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, k := range keys {
		keys[i] = k + "=" + labels[k]
	}
	return strings.Join(keys, ",")
}
