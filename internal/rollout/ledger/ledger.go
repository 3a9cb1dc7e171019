// Package ledger is the release history of every stack, as the rollout
// journals tell it: for each stack, each rollout that deployed it (up or
// rollback) or refreshed or destroyed it, with the release, the result and
// when. It answers what release a stack runs, what it ran before a given
// rollout, and what the last drift check found. The journals are the only
// record; the ledger is read from them each time.
package ledger

import (
	"sort"
	"time"

	"github.com/tenantctl/tenantctl/internal/rollout/journal"
	"github.com/tenantctl/tenantctl/internal/rollout/outcome"
	"github.com/tenantctl/tenantctl/internal/rollout/plan"
	"github.com/tenantctl/tenantctl/internal/rollout/release"
)

// Entry is one rollout's operation on one stack.
type Entry struct {
	Rollout string         `json:"rollout"`
	Op      plan.Op        `json:"op"`
	Release string         `json:"release,omitempty"`
	Result  outcome.Result `json:"result"`
	Time    time.Time      `json:"time"`
	// Drift marks a refresh --drift; Changes are what it (or a deploy) changed.
	Drift   bool            `json:"drift,omitempty"`
	Changes outcome.Changes `json:"changes"`
	// RollbackOf is the rollout a rollback entry rolled back.
	RollbackOf string `json:"rollbackOf,omitempty"`
}

// Ledger holds every stack's entries, oldest first.
type Ledger struct {
	stacks map[string][]Entry
	// Unreadable are the journals that could not be read, by rollout id:
	// their entries are missing, which whoever reads the ledger must say.
	Unreadable map[string]error
}

// Read reads the ledger from every journal under stateDir. Previews are left
// out (they change nothing), and so are stacks a rollout never started.
func Read(stateDir string) (*Ledger, error) {
	all, err := journal.ReadAll(stateDir)
	if err != nil {
		return nil, err
	}
	return FromStates(all), nil
}

// FromStates builds the ledger from journals already read.
func FromStates(all []journal.Journaled) *Ledger {
	l := &Ledger{stacks: map[string][]Entry{}, Unreadable: map[string]error{}}
	for _, j := range all {
		if j.Err != nil {
			l.Unreadable[j.ID] = j.Err
			continue
		}
		p := j.State.Plan
		if p.Op == plan.OpPreview {
			continue
		}
		for _, row := range j.State.Rows {
			if row.Result == outcome.ResultNotStarted {
				continue
			}
			e := Entry{Rollout: p.ID, Op: p.Op, Result: row.Result, Time: row.Ended, Drift: p.Drift, Changes: row.Changes, RollbackOf: p.RollbackOf}
			if e.Time.IsZero() {
				e.Time = row.Started
			}
			if e.Time.IsZero() {
				e.Time = p.Created
			}
			if p.Op.Deploys() {
				e.Release = row.Release
				if e.Release == "" {
					e.Release = p.ReleaseOf(row.Stack)
				}
				if e.Release == "" {
					e.Release = release.Unknown
				}
			}
			l.stacks[row.Stack] = append(l.stacks[row.Stack], e)
		}
	}
	for _, es := range l.stacks {
		sort.SliceStable(es, func(i, j int) bool {
			if !es[i].Time.Equal(es[j].Time) {
				return es[i].Time.Before(es[j].Time)
			}
			return es[i].Rollout < es[j].Rollout
		})
	}
	return l
}

// History is stack's entries, oldest first.
func (l *Ledger) History(stack string) []Entry { return l.stacks[stack] }

// Running is the entry of the release stack runs: its last deploy that
// succeeded, unless a destroy succeeded after it (then it runs none).
func (l *Ledger) Running(stack string) (Entry, bool) {
	es := l.stacks[stack]
	for i := len(es) - 1; i >= 0; i-- {
		e := es[i]
		if e.Result != outcome.ResultSucceeded {
			continue
		}
		if e.Op == plan.OpDestroy {
			return Entry{}, false
		}
		if e.Op.Deploys() {
			return e, true
		}
	}
	return Entry{}, false
}

// LastDeploy is stack's last deploy, whatever its result.
func (l *Ledger) LastDeploy(stack string) (Entry, bool) {
	es := l.stacks[stack]
	for i := len(es) - 1; i >= 0; i-- {
		if es[i].Op.Deploys() {
			return es[i], true
		}
	}
	return Entry{}, false
}

// LastDriftCheck is stack's last refresh --drift that ended.
func (l *Ledger) LastDriftCheck(stack string) (Entry, bool) {
	es := l.stacks[stack]
	for i := len(es) - 1; i >= 0; i-- {
		if es[i].Op == plan.OpRefresh && es[i].Drift && es[i].Result != outcome.ResultInterrupted {
			return es[i], true
		}
	}
	return Entry{}, false
}

// Of is rollout's entry of stack.
func (l *Ledger) Of(stack, rollout string) (Entry, bool) {
	for _, e := range l.stacks[stack] {
		if e.Rollout == rollout {
			return e, true
		}
	}
	return Entry{}, false
}

// Before is the release stack ran before rollout deployed it: the last
// deploy of another rollout that succeeded before rollout's entry.
func (l *Ledger) Before(stack, rollout string) (Entry, bool) {
	at, ok := l.Of(stack, rollout)
	if !ok {
		return Entry{}, false
	}
	var prev Entry
	found := false
	for _, e := range l.stacks[stack] {
		if !e.Time.Before(at.Time) {
			break
		}
		if e.Rollout == rollout || e.Result != outcome.ResultSucceeded {
			continue
		}
		switch {
		case e.Op.Deploys():
			prev, found = e, true
		case e.Op == plan.OpDestroy:
			prev, found = Entry{}, false
		}
	}
	return prev, found
}

// DeployedSince is the first deploy of stack that succeeded after rollout's
// entry, by another rollout.
func (l *Ledger) DeployedSince(stack, rollout string) (Entry, bool) {
	at, ok := l.Of(stack, rollout)
	if !ok {
		return Entry{}, false
	}
	for _, e := range l.stacks[stack] {
		if e.Time.After(at.Time) && e.Rollout != rollout && e.Op.Deploys() && e.Result == outcome.ResultSucceeded {
			return e, true
		}
	}
	return Entry{}, false
}
