package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tenantctl/tenantctl/internal/rollout"
	"github.com/tenantctl/tenantctl/internal/rollout/plan"
	"github.com/tenantctl/tenantctl/internal/rollout/shared"
)

// sharedRun is how a fan-out against an S3 backend keeps its rollout there
// (plan, journal, lock), as runner runnerIndex of runnerCount (1 of 1 unless
// `--resume <id> --shard i/n` joined a matrix); nil for other backends,
// whose rollouts keep the local journal.
func (r *runOptions) sharedRun(ctx context.Context) (*rollout.SharedRun, error) {
	objs, ok, err := r.engine.backendObjects(ctx)
	if !ok || err != nil {
		return nil, err
	}
	i, n := r.runnerIndex, r.runnerCount
	if n == 0 {
		i, n = 1, 1
	}
	return &rollout.SharedRun{Store: objs, Index: i, Count: n, Where: r.engine.backend + "/.tenantctl"}, nil
}

// board is the board of rollout id when the backend is S3 (nil otherwise),
// and where it is, for messages.
func (o *fanoutOptions) board(ctx context.Context, id string) (*shared.Board, string, error) {
	sr, err := o.sharedRun(ctx)
	if sr == nil || err != nil {
		return nil, "", withCode(ExitInvalid, err)
	}
	b, err := shared.Open(sr.Store, id, "")
	if err != nil {
		return nil, "", usageError(err)
	}
	return b, fmt.Sprintf("%s/rollouts/%s/", sr.Where, id), nil
}

// matrix is what `rollout matrix` prints: the rollout every runner joins and
// the GitHub Actions matrix of runners.
type matrix struct {
	Rollout string `json:"rollout"`
	Stacks  int    `json:"stacks"`
	Include []struct {
		Shard string `json:"shard"`
	} `json:"include"`
}

func newRolloutMatrixCmd(g *globalOptions) *cobra.Command {
	o := newFanoutOptions(g, plan.OpUp)
	var shards int
	cmd := &cobra.Command{
		Use:   "matrix",
		Short: "Plan one rollout on the S3 backend for n runners and print the CI matrix that runs it",
		Long: `matrix plans a rollout exactly as rollout does (selection, waves, unchanged
stacks left out, release, bake and gate) and puts the plan on the state backend,
which must be S3: the journal and the lock live there, beside Pulumi's state. It
prints JSON for a GitHub Actions matrix: the rollout id and one entry per
runner. Each runner then runs

  tenantctl rollout --resume <rollout> --shard <i>/<n>

and takes every n-th stack of each wave. The runners share one failure
tolerance, meet at the end of every wave, and any of them can be re-run to
finish what a lost one started.`,
		Example: `  tenantctl rollout matrix --shards 8 --canary 2 --waves 10%,50%,100% --backend s3://acme-pulumi-state`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.complete(); err != nil {
				return err
			}
			if err := o.validate(); err != nil {
				return err
			}
			if shards < 1 || shards > 256 {
				return usageError(fmt.Errorf("--shards %d: want 1 to 256 runners", shards))
			}
			if o.safe.onHalt != "" {
				return usageError(errors.New("--on-halt: runners of a shared rollout each stop at a halt; roll it back with `tenantctl rollout --rollback <id>` once they have ended"))
			}
			if o.shard != "" {
				return usageError(errors.New("--shard selects a part of the fleet for a rollout of its own; matrix shares one rollout among --shards runners"))
			}
			sr, err := o.sharedRun(cmd.Context())
			if err != nil {
				return withCode(ExitInvalid, err)
			}
			if sr == nil {
				return usageError(fmt.Errorf("backend %s: runners on several machines share a rollout through an S3 backend (--backend s3://<bucket>); a file backend keeps its journal on one machine", o.engine.backend))
			}
			_, p, err := o.plan(cmd.Context())
			if err != nil {
				return err
			}
			m := matrix{Rollout: p.ID, Stacks: p.Stacks()}
			if p.Stacks() > 0 {
				board, err := shared.Open(sr.Store, p.ID, "")
				if err != nil {
					return withCode(ExitInvalid, err)
				}
				if err := board.CreatePlan(cmd.Context(), p); err != nil {
					return withCode(ExitInvalid, err)
				}
				for i := 1; i <= min(shards, p.Stacks()); i++ {
					m.Include = append(m.Include, struct {
						Shard string `json:"shard"`
					}{fmt.Sprintf("%d/%d", i, min(shards, p.Stacks()))})
				}
			}
			fmt.Fprintf(g.stderr, "rollout %s: %d stacks in %d waves on %s, for %d runners\n", p.ID, p.Stacks(), len(p.Waves), sr.Where, len(m.Include))
			enc := json.NewEncoder(g.stdout)
			return enc.Encode(m)
		},
	}
	cmd.Flags().IntVar(&shards, "shards", 4, "runners that share the rollout (1-256; no more than the stacks)")
	cmd.Flags().BoolVar(&o.force, "force", false, "run every selected stack, also those whose desired state is the one they were last deployed with")
	o.addSelectionFlags(cmd)
	o.addRunFlags(cmd, "0")
	o.safe.addFlags(cmd)
	return cmd
}
