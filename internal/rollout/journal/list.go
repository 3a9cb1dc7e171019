package journal

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/tenantctl/tenantctl/internal/rollout/outcome"
	"github.com/tenantctl/tenantctl/internal/rollout/plan"
)

// Summary is one rollout as its journal tells it, for listing the history.
type Summary struct {
	ID        string         `json:"id"`
	Op        plan.Op        `json:"op,omitempty"`
	Release   string         `json:"release,omitempty"`
	Selection string         `json:"selection,omitempty"`
	Status    outcome.Status `json:"status"`
	Reason    string         `json:"reason,omitempty"`
	Created   time.Time      `json:"created"`
	Ended     time.Time      `json:"ended,omitzero"`
	Stacks    int            `json:"stacks"`
	Succeeded int            `json:"succeeded"`
	Failed    int            `json:"failed"`
	Runs      int            `json:"runs"`
	// RollbackOf is the rollout a rollback rolled back.
	RollbackOf string `json:"rollbackOf,omitempty"`
}

// StatusUnreadable marks a journal List could not read; its reason says why.
const StatusUnreadable outcome.Status = "unreadable"

// List summarises every rollout journaled under stateDir, newest first. A
// journal that cannot be read is listed as unreadable with the reason,
// rather than hiding the rest of the history.
func List(stateDir string) ([]Summary, error) {
	all, err := ReadAll(stateDir)
	if err != nil {
		return nil, err
	}
	out := make([]Summary, 0, len(all))
	for _, j := range all {
		out = append(out, summarise(j))
	}
	// By creation time (ids carry it only to the second), then id.
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.After(out[j].Created)
		}
		return out[i].ID > out[j].ID
	})
	return out, nil
}

// Journaled is one journal of the state directory: its rollout id and the
// state it folds to, or why it could not be read.
type Journaled struct {
	ID    string
	State *State
	Err   error
}

// ReadAll reads and folds every rollout journaled under stateDir, in the
// directory's order; only regular files named like a rollout id are read. A
// journal that cannot be read, or holds no plan, comes with its error.
func ReadAll(stateDir string) ([]Journaled, error) {
	entries, err := os.ReadDir(filepath.Join(stateDir, "rollouts"))
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Journaled
	for _, e := range entries {
		id, ok := strings.CutSuffix(e.Name(), ".jsonl")
		if !ok || !e.Type().IsRegular() || plan.CheckID(id) != nil {
			continue
		}
		j := Journaled{ID: id}
		recs, err := Read(filepath.Join(stateDir, "rollouts", e.Name()))
		switch {
		case err != nil:
			j.Err = err
		default:
			if j.State = Fold(recs); j.State.Plan == nil {
				j.State, j.Err = nil, errors.New("the journal holds no plan")
			}
		}
		out = append(out, j)
	}
	return out, nil
}

func summarise(j Journaled) Summary {
	s := Summary{ID: j.ID}
	if j.Err != nil {
		s.Status, s.Reason = StatusUnreadable, j.Err.Error()
		return s
	}
	st := j.State
	s.Op, s.Release, s.Selection, s.Created, s.RollbackOf = st.Plan.Op, st.Plan.Release, st.Plan.Selection, st.Plan.Created, st.Plan.RollbackOf
	s.Status, s.Reason, s.Ended, s.Runs, s.Stacks = st.Status, st.Reason, st.Ended, st.Runs, st.Plan.Stacks()
	for _, r := range st.Rows {
		switch r.Result {
		case outcome.ResultSucceeded:
			s.Succeeded++
		case outcome.ResultFailed:
			s.Failed++
		}
	}
	return s
}
