package runner

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tenantctl/tenantctl/internal/ctxtime"
	"github.com/tenantctl/tenantctl/internal/rollout/journal"
	"github.com/tenantctl/tenantctl/internal/rollout/outcome"
	"github.com/tenantctl/tenantctl/internal/rollout/plan"
)

// DefaultBakeTick is how often a baking rollout tells its observer how long
// is left.
const DefaultBakeTick = time.Minute

// gateTimeout bounds one gate check: a gate that does not answer halts the
// rollout like one that answers with an error.
const gateTimeout = 2 * time.Minute

// bakeAndGate bakes wave w for the plan's Bake and then checks its Gate,
// once the wave ended without halting. ran says whether this run ran any of
// the wave's stacks.
//
// The rule on resume: a wave none of whose stacks ran in this run and whose
// gate passed in an earlier run is done. Any other wave bakes — the rest of
// its journaled bake when none of its stacks ran again (nothing when that
// bake is over), a whole new bake when some did or none was journaled — and
// its gate is checked again: a gate that halted the rollout earlier lets it
// go on once its alarms have cleared.
//
// The bake record is durable before the bake starts and the gate record
// before the rollout goes on or halts, so a kill at any moment loses
// neither.
func (r *Runner) bakeAndGate(ctx context.Context, p *plan.Plan, w *plan.Wave, ran bool, prior *journal.State, gates map[int]outcome.GateCheck) (outcome.Status, string, error) {
	if p.Gate == "" && p.Bake <= 0 {
		return outcome.StatusSucceeded, "", nil
	}
	var until time.Time
	if !ran && prior != nil {
		if g := prior.Gates[w.Index]; g != nil && g.Passed {
			return outcome.StatusSucceeded, "", nil
		}
		until = prior.Bakes[w.Index]
	}
	if until.IsZero() && p.Bake > 0 {
		until = time.Now().Add(p.Bake).UTC()
		if err := r.Journal.Append(journal.Record{Type: journal.RecBake, Wave: w.Index, Until: until}); err != nil {
			return outcome.StatusHalted, fmt.Sprintf("%s: the journal could not be written (%v); nothing more was started", w.Name, err), err
		}
	}
	if err := r.bake(ctx, w, until); err != nil {
		return outcome.StatusCancelled, fmt.Sprintf("cancelled (Ctrl-C) while baking %s; a resume bakes the rest and checks its gate", w.Name), nil
	}
	if p.Gate == "" {
		return outcome.StatusSucceeded, "", nil
	}
	check, err := r.check(ctx, p, w)
	if err != nil {
		return outcome.StatusCancelled, fmt.Sprintf("cancelled (Ctrl-C) while checking the gate of %s; a resume checks it again", w.Name), nil
	}
	if err := r.Journal.Append(journal.Record{Type: journal.RecGate, Wave: w.Index, Gate: &check}); err != nil {
		return outcome.StatusHalted, fmt.Sprintf("%s: the journal could not be written (%v); nothing more was started", w.Name, err), err
	}
	gates[w.Index] = check
	r.observe(Progress{Kind: "gate", Wave: w, Gate: &check})
	if check.Passed {
		return outcome.StatusSucceeded, "", nil
	}
	reason := check.Halt()
	if err := r.Journal.Append(journal.Record{Type: journal.RecHalt, Wave: w.Index, Reason: reason}); err != nil {
		return outcome.StatusHalted, reason, err
	}
	r.observe(Progress{Kind: "halt", Wave: w, Reason: reason})
	return outcome.StatusHalted, reason, nil
}

// bake waits until until, telling the observer every BakeTick how long is
// left; it returns ctx's error when cancelled.
func (r *Runner) bake(ctx context.Context, w *plan.Wave, until time.Time) error {
	tick := r.BakeTick
	if tick <= 0 {
		tick = DefaultBakeTick
	}
	for {
		left := time.Until(until)
		if left <= 0 {
			return ctx.Err()
		}
		r.observe(Progress{Kind: "bake", Wave: w, Left: left})
		if err := ctxtime.Sleep(ctx, min(left, tick)); err != nil {
			return err
		}
	}
}

// check runs the gate on the wave's stacks. Only ctx's cancellation is an
// error; whatever else goes wrong is a failed check that says why.
func (r *Runner) check(ctx context.Context, p *plan.Plan, w *plan.Wave) (outcome.GateCheck, error) {
	c := outcome.GateCheck{Wave: w.Index, WaveName: w.Name, Gate: p.Gate}
	if r.Gate == nil {
		c.Error, c.Time = fmt.Sprintf("no %s gate was set up for this run", p.Gate), time.Now().UTC()
		return c, nil
	}
	cctx, cancel := context.WithTimeout(ctx, gateTimeout)
	defer cancel()
	found, err := r.Gate.Check(cctx, w.Stacks)
	c.Time = time.Now().UTC()
	switch {
	case ctx.Err() != nil:
		return c, ctx.Err()
	case err == nil:
		c.Alarms, c.Passed = found, len(found) == 0
	case errors.Is(cctx.Err(), context.DeadlineExceeded):
		c.Error = fmt.Sprintf("no answer within %s: %s", gateTimeout, firstLine(err))
	default:
		c.Error = firstLine(err)
	}
	return c, nil
}
