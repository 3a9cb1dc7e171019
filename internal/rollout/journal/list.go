package journal

import (
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
}

// StatusUnreadable marks a journal List could not read; its reason says why.
const StatusUnreadable outcome.Status = "unreadable"

// List summarises every rollout journaled under stateDir, newest first. A
// journal that cannot be read is listed as unreadable with the reason,
// rather than hiding the rest of the history; only regular files named like
// a rollout id are read.
func List(stateDir string) ([]Summary, error) {
	entries, err := os.ReadDir(filepath.Join(stateDir, "rollouts"))
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Summary
	for _, e := range entries {
		id, ok := strings.CutSuffix(e.Name(), ".jsonl")
		if !ok || !e.Type().IsRegular() || plan.CheckID(id) != nil {
			continue
		}
		out = append(out, summarise(filepath.Join(stateDir, "rollouts", e.Name()), id))
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

func summarise(path, id string) Summary {
	s := Summary{ID: id}
	recs, err := Read(path)
	if err != nil {
		s.Status, s.Reason = StatusUnreadable, err.Error()
		return s
	}
	st := Fold(recs)
	if st.Plan == nil {
		s.Status, s.Reason = StatusUnreadable, "the journal holds no plan"
		return s
	}
	s.Op, s.Release, s.Selection, s.Created = st.Plan.Op, st.Plan.Release, st.Plan.Selection, st.Plan.Created
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
