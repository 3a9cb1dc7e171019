package journal

import (
	"time"

	"github.com/tenantctl/tenantctl/internal/rollout/outcome"
	"github.com/tenantctl/tenantctl/internal/rollout/plan"
)

// State is a rollout as its journal tells it.
type State struct {
	Plan   *plan.Plan
	Rows   map[string]*outcome.Row
	Status outcome.Status
	Reason string
	// Runs counts the plan and every resume.
	Runs  int
	Ended time.Time
	// Bakes are when each wave's last journaled bake ends, by wave index;
	// Gates the last check of each wave's gate.
	Bakes map[int]time.Time
	Gates map[int]*outcome.GateCheck
}

// Fold replays journal records into the state they describe.
func Fold(recs []Record) *State {
	st := &State{Rows: map[string]*outcome.Row{}, Status: outcome.StatusIncomplete, Bakes: map[int]time.Time{}, Gates: map[int]*outcome.GateCheck{}}
	for _, r := range recs {
		switch r.Type {
		case RecPlan:
			st.Plan = r.Plan
			st.Runs = 1
			for _, w := range r.Plan.Waves {
				for _, s := range w.Stacks {
					st.Rows[s] = &outcome.Row{Stack: s, Wave: w.Index, Result: outcome.ResultNotStarted}
				}
			}
		case RecResume:
			st.Runs++
			st.Status, st.Reason = outcome.StatusIncomplete, ""
		case RecStart:
			if row := st.Rows[r.Stack]; row != nil {
				row.Result, row.Started, row.Error, row.Class, row.Attempts = outcome.ResultInterrupted, r.Time, "", "", 0
				row.Release = r.Release
			}
		case RecAttempt:
			if row := st.Rows[r.Stack]; row != nil {
				row.Attempts = r.Attempt
			}
		case RecResult:
			if row := st.Rows[r.Stack]; row != nil {
				row.Result, row.Error, row.Class, row.Ended = r.Result, r.Error, r.Class, r.Time
				row.Duration = time.Duration(r.Duration) * time.Millisecond
				if r.Changes != nil {
					row.Changes = *r.Changes
				}
			}
		case RecBake:
			st.Bakes[r.Wave] = r.Until
		case RecGate:
			if r.Gate != nil {
				st.Gates[r.Wave] = r.Gate
			}
		case RecHalt:
			st.Reason = r.Reason
		case RecEnd:
			st.Status, st.Ended = r.Status, r.Time
			if r.Reason != "" {
				st.Reason = r.Reason
			}
		}
	}
	return st
}

// GateChecks are the last gate check of every wave, in wave order.
func (st *State) GateChecks() []outcome.GateCheck {
	var out []outcome.GateCheck
	if st.Plan == nil {
		return out
	}
	for _, w := range st.Plan.Waves {
		if g := st.Gates[w.Index]; g != nil {
			out = append(out, *g)
		}
	}
	return out
}

// Succeeded lists the stacks that need no re-run.
func (st *State) Succeeded() map[string]bool {
	done := map[string]bool{}
	for s, row := range st.Rows {
		if row.Result == outcome.ResultSucceeded {
			done[s] = true
		}
	}
	return done
}

// Ordered returns the rows in plan order.
func (st *State) Ordered() []outcome.Row {
	var out []outcome.Row
	if st.Plan == nil {
		return out
	}
	for _, w := range st.Plan.Waves {
		for _, s := range w.Stacks {
			out = append(out, *st.Rows[s])
		}
	}
	return out
}
