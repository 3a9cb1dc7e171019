// Package unchanged makes a release cost O(changed): before a rollout plans
// its waves it leaves out the stacks whose desired state (package
// fingerprint) is the one they were last deployed with, and while it runs it
// keeps each stack's record true — forgotten before an operation that changes
// the stack's resources starts, written after an up succeeds.
//
// A skipped stack is never a hidden one: a stack that was updated by anyone
// after its record was written (a `pulumi up` by hand, a refresh that found
// drift) runs again, and `--force` runs them all.
package unchanged

import (
	"context"
	"fmt"
	"time"

	"github.com/tenantctl/tenantctl/internal/fingerprint"
	"github.com/tenantctl/tenantctl/internal/rollout/outcome"
	"github.com/tenantctl/tenantctl/internal/rollout/plan"
	"github.com/tenantctl/tenantctl/internal/rollout/runner"
)

// Decision is what a rollout learned before planning its waves.
type Decision struct {
	// Fingerprints are the desired state of every stack considered; the
	// rollout journals them with its plan and records them after each up.
	Fingerprints map[string]string
	// Unchanged are the stacks left out, with why.
	Unchanged []plan.Skip
	// Run are the stacks that run, in the order given.
	Run []string
}

// Decide splits stacks into those that run and those unchanged since their
// record. updated, when known (one listing of the backend's stacks), is
// when each stack was last updated by anyone; a stack updated after its
// record was written, or missing from the backend, runs.
func Decide(stacks []string, fps map[string]string, records map[string]fingerprint.Record, updated map[string]time.Time) Decision {
	d := Decision{Fingerprints: fps}
	for _, s := range stacks {
		r, ok := records[s]
		switch {
		case !ok || fps[s] == "" || r.Fingerprint != fps[s]:
			d.Run = append(d.Run, s)
		case updated != nil && !updatedBy(updated, s, r.Deployed):
			d.Run = append(d.Run, s) // gone from the backend, or changed by someone else since
		default:
			why := "unchanged since rollout " + r.Rollout
			if r.Release != "" {
				why += " (release " + r.Release + ")"
			}
			d.Unchanged = append(d.Unchanged, plan.Skip{Stack: s, Reason: why, Unchanged: true})
		}
	}
	return d
}

// updatedBy reports whether the backend knows stack and shows no update of
// it after t.
func updatedBy(updated map[string]time.Time, stack string, t time.Time) bool {
	last, ok := updated[stack]
	return ok && !last.After(t)
}

// Recording wraps a Deployer so that the fingerprint records follow what it
// does: an up or destroy forgets the stack's record before the engine
// starts (a stack cut short has none, and runs next time); an up that
// succeeds records the fingerprint the plan journaled for the stack; a
// refresh that found nothing to change stamps the record again, since the
// stack's new update time is its own.
type Recording struct {
	Deployer runner.Deployer
	Store    fingerprint.Store
	Plan     *plan.Plan
	Now      func() time.Time
}

// Run implements runner.Deployer.
func (r *Recording) Run(ctx context.Context, op plan.Op, stack string, s runner.Stream) (outcome.Changes, error) {
	// Every operation but a preview may change the stack's resources or
	// recorded state.
	changes := op != plan.OpPreview && !(op == plan.OpRefresh && s.PreviewOnly)
	var before map[string]fingerprint.Record
	if changes {
		if op == plan.OpRefresh {
			var err error
			if before, err = r.Store.Load(ctx, []string{stack}); err != nil {
				return outcome.Changes{}, err
			}
		}
		if err := r.Store.Forget(ctx, stack); err != nil {
			return outcome.Changes{}, fmt.Errorf("forgetting the fingerprint of %s before it changes: %w", stack, err)
		}
	}
	ch, err := r.Deployer.Run(ctx, op, stack, s)
	if err != nil {
		return ch, err
	}
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	rec := fingerprint.Record{Stack: stack, Rollout: r.Plan.ID, Release: r.Plan.Release, Deployed: now().UTC()}
	switch {
	case op == plan.OpUp && r.Plan.Fingerprints[stack] != "":
		rec.Fingerprint = r.Plan.Fingerprints[stack]
	case op == plan.OpRefresh && changes && !ch.Any() && before[stack].Fingerprint != "":
		prev := before[stack]
		rec.Fingerprint, rec.Rollout, rec.Release = prev.Fingerprint, prev.Rollout, prev.Release
	default:
		return ch, nil
	}
	// A record that cannot be written costs the next rollout one needless
	// run of the stack, never a wrong skip: the stack's work stands.
	_ = r.Store.Put(context.WithoutCancel(ctx), rec)
	return ch, nil
}

// ClearStaleLocks passes the resume's lock clearing through to the engine
// (runner.LockClearer), which this wrapper must not hide.
func (r *Recording) ClearStaleLocks(ctx context.Context, started map[string]time.Time) ([]string, error) {
	if lc, ok := r.Deployer.(runner.LockClearer); ok {
		return lc.ClearStaleLocks(ctx, started)
	}
	return nil, nil
}

var _ runner.LockClearer = (*Recording)(nil)
