package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/tenantctl/tenantctl/internal/rollout"
	"github.com/tenantctl/tenantctl/internal/rollout/journal"
	"github.com/tenantctl/tenantctl/internal/rollout/outcome"
	"github.com/tenantctl/tenantctl/internal/rollout/plan"
	"github.com/tenantctl/tenantctl/internal/rollout/report"
	"github.com/tenantctl/tenantctl/internal/textsafe"
)

func newRolloutCmd(g *globalOptions) *cobra.Command {
	o := newFanoutOptions(g, plan.OpUp)
	var resume, rollbackID string
	cmd := &cobra.Command{
		Use:   "rollout",
		Short: "Roll the current release out to the selected tenant stacks in waves",
		Long: `rollout runs the engine's update on every selected stack: the platform first
(with --platform), then a canary wave, then waves of growing size, tenants ordered
by tier rank (free first) then id. Each wave runs at most --max-concurrency stacks
at once and halts the rollout once more than --failure-tolerance of its stacks
fail; running stacks finish, nothing more starts. Every step is journaled under
.tenantctl/rollouts/<id>.jsonl; --resume <id> re-runs only what did not succeed.

Every stack records the release it runs (--release, default the fleet's git
revision). --bake and --gate alarms check each wave's tenants' CloudWatch
alarms before the next wave; --rollback <id> redeploys, last wave first, the
release each stack ran before that rollout, from the fleet files at that
release's git revision; --on-halt rollback does so when the rollout halts.`,
		Example: `  tenantctl rollout --release 2026.11.1 --platform --canary 2 --waves 10%,50%,100% --max-concurrency 20% --failure-tolerance 5%
  tenantctl rollout --canary 2 --waves 10%,50%,100% --bake 10m --gate alarms --on-halt rollback
  tenantctl rollout --resume 20261122T150405Z-a1b2c3
  tenantctl rollout --rollback 20261122T150405Z-a1b2c3
  tenantctl rollout status 20261122T150405Z-a1b2c3`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if rollbackID != "" {
				return o.rollback(cmd, rollbackID, resume)
			}
			if resume == "" {
				return o.run(cmd.Context())
			}
			if err := o.complete(); err != nil {
				return err
			}
			if err := o.validate(); err != nil {
				return err
			}
			if o.dryRun {
				return usageError(fmt.Errorf("--dry-run plans a new rollout; `tenantctl rollout status %s` shows the journaled one", resume))
			}
			// Against an S3 backend the rollout is on the backend, and
			// --shard i/n makes this process runner i of n of it.
			board, where, err := o.board(cmd.Context(), resume)
			if err != nil {
				return err
			}
			except := []string{}
			if board != nil {
				except = append(except, "shard")
				if o.shard != "" {
					if o.runnerIndex, o.runnerCount, err = plan.ParseShard(o.shard); err != nil {
						return usageError(fmt.Errorf("--shard: %w", err))
					}
				}
			}
			if err := refusePlanFlags(cmd, "--resume runs the journaled plan as it was", except...); err != nil {
				return err
			}
			var st *journal.State
			path, _ := journal.Path(o.stateDir, resume)
			if board != nil {
				path = where
				if st, err = board.State(cmd.Context()); err != nil {
					return withCode(ExitInvalid, err)
				}
			} else if st, err = readState(o.stateDir, resume); err != nil {
				return err
			}
			if st.Status == outcome.StatusSucceeded {
				fmt.Fprintf(g.stderr, "rollout %s succeeded; nothing to resume\n", resume)
				return nil
			}
			if !st.Plan.Op.Deploys() {
				return usageError(fmt.Errorf("%s is a %s, not a rollout; run %s again instead", resume, st.Plan.Op, st.Plan.Op))
			}
			check := rollout.CheckResume
			if board != nil {
				check = rollout.CheckJoin // runners check the fleet out wherever they run
			}
			f, err := check(st, resume, path, g.dir, o.engine.backend, o.loadFleet)
			var coded *exitError
			if err != nil && !errors.As(err, &coded) { // the fleet's load error carries its code
				return withCode(ExitInvalid, err)
			}
			if err != nil {
				return err
			}
			if st.Plan.Op == plan.OpRollback {
				return o.resumeRollback(cmd.Context(), st)
			}
			return o.execute(cmd.Context(), f, st.Plan, st)
		},
	}
	cmd.Flags().StringVar(&resume, "resume", "", "resume the rollout with this id: re-run only the stacks that did not succeed")
	cmd.Flags().BoolVar(&o.force, "force", false, "run every selected stack, also those whose desired state is the one they were last deployed with")
	cmd.Flags().StringVar(&rollbackID, "rollback", "", "roll the rollout with this id back: redeploy, last wave first, the release each stack it changed ran before it")
	o.addSelectionFlags(cmd)
	o.addRunFlags(cmd, "0")
	o.safe.addFlags(cmd)
	cmd.AddCommand(newRolloutStatusCmd(g), newRolloutPlanCmd(g), newRolloutListCmd(g), newRolloutMatrixCmd(g))
	return cmd
}

// planFlags are the flags that shape a new rollout's plan.
var planFlags = []string{"tenant", "tier", "model", "label", "changed-since", "shard", "release", "platform", "force", "canary", "waves", "max-concurrency", "failure-tolerance", "tolerance-mode", "bake", "gate", "on-halt"}

// refusePlanFlags refuses any plan flag given with --resume or --rollback,
// whose plans come from journals.
func refusePlanFlags(cmd *cobra.Command, why string, except ...string) error {
	for _, name := range planFlags {
		if cmd.Flags().Changed(name) && !slices.Contains(except, name) {
			return usageError(fmt.Errorf("%s; --%s cannot change it", why, name))
		}
	}
	return nil
}

// rollback is `rollout --rollback ID`: the rollback of a journaled rollout.
func (o *fanoutOptions) rollback(cmd *cobra.Command, id, resume string) error {
	if err := o.complete(); err != nil {
		return err
	}
	if err := o.validate(); err != nil {
		return err
	}
	if resume != "" {
		return usageError(errors.New("--rollback plans a new rollback; --resume <id> continues a journaled one"))
	}
	if err := refusePlanFlags(cmd, "--rollback redeploys what the rollout changed at the releases the ledger holds"); err != nil {
		return err
	}
	rep, err := o.rollbackOf(cmd.Context(), id, o.dryRun)
	if rep == nil && err == nil {
		return nil // a dry run
	}
	return o.finish(rep, err)
}

// newRolloutPlanCmd is `rollout --dry-run` as a command of its own: the plan
// a rollout with these flags would run, with nothing but the fleet's files
// (and git, for --changed-since).
func newRolloutPlanCmd(g *globalOptions) *cobra.Command {
	o := newFanoutOptions(g, plan.OpUp)
	o.dryRun, o.attempts = true, 1
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Print the waves a rollout would run, without an engine, backend or credentials",
		Long: `plan selects and orders the tenant stacks exactly as rollout does (the
platform first with --platform, the canary, waves of growing size by tier rank
then id) and prints the waves with their concurrency and failure tolerance.
Nothing runs, nothing is journaled or locked; no Pulumi CLI, backend,
passphrase or cloud credentials are needed, so a pull request can show the
plan of the release it would ship.`,
		Example: `  tenantctl rollout plan --canary 2 --waves 10%,50%,100% --max-concurrency 20%
  tenantctl rollout plan --changed-since origin/main --output json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(cmd.Context()) },
	}
	o.addSelectionFlags(cmd)
	o.addWaveFlags(cmd, "0")
	cmd.Flags().StringVarP(&o.output, "output", "o", "text", "text or json")
	return cmd
}

// newRolloutListCmd lists the journaled rollouts, newest first.
func newRolloutListCmd(g *globalOptions) *cobra.Command {
	o := newFanoutOptions(g, "")
	var limit int
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the rollouts journaled in the state directory, newest first",
		Long: `list reads every journal under <state-dir>/rollouts and shows each rollout's
id, operation, release, result, stacks and when it ran; rollout status <id>
shows one in full. A journal that cannot be read is listed with the reason.`,
		Example: `  tenantctl rollout list
  tenantctl rollout list --limit 5 --output json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.complete(); err != nil {
				return err
			}
			if o.output != "text" && o.output != "json" {
				return usageError(errors.New("--output: want text or json"))
			}
			if limit < 0 {
				return usageError(fmt.Errorf("--limit %d: want 0 (all) or more", limit))
			}
			list, err := journal.List(o.stateDir)
			if err != nil {
				return withCode(ExitInvalid, err)
			}
			if limit > 0 && len(list) > limit {
				list = list[:limit]
			}
			return writeRolloutList(g.stdout, list, o.output)
		},
	}
	cmd.Flags().StringVar(&o.stateDir, "state-dir", "", "where journals are (default <project>/.tenantctl)")
	cmd.Flags().StringVarP(&o.output, "output", "o", "text", "text or json")
	cmd.Flags().IntVar(&limit, "limit", 0, "show only the newest N (0: all)")
	return cmd
}

// writeRolloutList prints the rollout history. Reasons and selections come
// from journals and are escaped like every text report.
func writeRolloutList(w io.Writer, list []journal.Summary, output string) error {
	if output == "json" {
		if list == nil {
			list = []journal.Summary{}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(list)
	}
	if len(list) == 0 {
		_, err := fmt.Fprintln(w, "no rollouts journaled yet")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tOP\tRELEASE\tSTATUS\tSTACKS\tSTARTED\tRUNS")
	esc := textsafe.Escape
	for _, s := range list {
		release, started := s.Release, "-"
		if release == "" {
			release = "-"
		}
		if !s.Created.IsZero() {
			started = s.Created.UTC().Format("2006-01-02 15:04Z")
		}
		status := string(s.Status)
		if s.Status == journal.StatusUnreadable {
			status += " (" + esc(s.Reason) + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d/%d ok, %d failed\t%s\t%d\n", esc(s.ID), s.Op, esc(release), status, s.Succeeded, s.Stacks, s.Failed, started, s.Runs)
	}
	return tw.Flush()
}

// readState reads and folds a rollout's journal.
func readState(stateDir, id string) (*journal.State, error) {
	path, err := journal.Path(stateDir, id)
	if err != nil {
		return nil, usageError(err)
	}
	recs, err := journal.Read(path)
	if err != nil {
		return nil, withCode(ExitInvalid, err)
	}
	return journal.Fold(recs), nil
}

func newRolloutStatusCmd(g *globalOptions) *cobra.Command {
	o := newFanoutOptions(g, "")
	cmd := &cobra.Command{
		Use:   "status ID",
		Short: "Show a rollout's journal: every stack's result, and whether it can be resumed",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.complete(); err != nil {
				return err
			}
			if o.output != "text" && o.output != "json" {
				return usageError(errors.New("--output: want text or json"))
			}
			st, err := readState(o.stateDir, args[0])
			if err != nil {
				return err
			}
			end := st.Ended
			if end.IsZero() {
				end = st.Plan.Created
			}
			rep := report.New(st.Plan, st.Status, st.Reason, st.Ordered(), st.Plan.Created, end)
			rep.Gates = st.GateChecks()
			if err := o.report(rep); err != nil {
				return err
			}
			if o.output == "text" {
				fmt.Fprintf(g.stdout, "runs: %d; selection: %s\n", st.Runs, textsafe.Escape(st.Plan.Selection))
				if st.Status != outcome.StatusSucceeded && st.Plan.Op.Deploys() {
					fmt.Fprintf(g.stdout, "resume with: tenantctl rollout --resume %s\n", textsafe.Escape(st.Plan.ID))
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&o.stateDir, "state-dir", "", "where journals are (default <project>/.tenantctl)")
	cmd.Flags().StringVarP(&o.output, "output", "o", "text", "text or json")
	cmd.Flags().StringVar(&o.summaryMD, "summary-md", "", "also write a markdown summary to this file")
	return cmd
}
