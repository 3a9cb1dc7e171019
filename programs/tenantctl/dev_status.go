package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/tenantctl/tenantctl/internal/externalid"
	"github.com/tenantctl/tenantctl/internal/rollout/journal"
	"github.com/tenantctl/tenantctl/internal/rollout/report"
)

func newDevStatusCmd(g *globalOptions) *cobra.Command {
	d := &devOptions{g: g}
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show the dev loop: the emulator, the dev stacks and the last rollout over them",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := d.complete(); err != nil {
				return err
			}
			return d.status(cmd.Context())
		},
	}
	d.addFlags(cmd)
	return cmd
}

func (d *devOptions) status(ctx context.Context) error {
	if ctx == nil {
		ctx = context.Background()
	}
	out := d.g.stdout
	d.endpoint.url = "" // the dev loop's own emulator, whatever the environment says
	rec, alive, err := d.runningEmulator(ctx)
	if err != nil {
		return err
	}
	switch {
	case rec == nil:
		fmt.Fprintln(out, "emulator: not started (tenantctl dev up starts one)")
	case alive:
		fmt.Fprintf(out, "emulator: running at %s (pid %d since %s, log %s)\n", rec.URL, rec.PID, rec.Started.Format("2006-01-02 15:04:05Z"), rec.Log)
	default:
		fmt.Fprintf(out, "emulator: not running (pid %d at %s recorded in %s is gone)\n", rec.PID, rec.URL, d.paths.EmulatorState())
	}
	where := "kept in " + d.paths.Secret()
	if os.Getenv(externalid.EnvSecret) != "" {
		where = "from " + externalid.EnvSecret
	} else if _, err := os.Stat(d.paths.Secret()); err != nil {
		where = "not generated yet"
	}
	fmt.Fprintf(out, "external-id secret: %s\nbackend: %s\n", where, d.paths.Backend())
	stacks, err := d.stacks()
	if err != nil {
		return withCode(ExitInvalid, err)
	}
	if len(stacks) == 0 {
		fmt.Fprintln(out, "stacks: none yet")
	} else {
		tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "STACK\tRESOURCES\tEMULATOR GAPS APPLIED\tUPDATED")
		for _, s := range stacks {
			gaps := strings.Join(s.Gaps, ", ")
			if gaps == "" {
				gaps = "-"
			}
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", s.Name, s.Resources, gaps, s.Updated.Format("2006-01-02 15:04:05Z"))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	journals, _ := filepath.Glob(filepath.Join(d.paths.Dir, "rollouts", "*.jsonl"))
	if len(journals) == 0 {
		return nil
	}
	sort.Strings(journals)
	last := journals[len(journals)-1]
	recs, err := journal.Read(last)
	if err != nil {
		return withCode(ExitInvalid, err)
	}
	st := journal.Fold(recs)
	end := st.Ended
	if end.IsZero() {
		end = st.Plan.Created
	}
	fmt.Fprintf(out, "\nlast %s (%s):\n", st.Plan.Op, last)
	return report.New(st.Plan, st.Status, st.Reason, st.Ordered(), st.Plan.Created, end).WriteTable(out)
}
