package rollout

import (
	"time"
)

// Result is where one stack ended up.
type Result string

// Stack results.
const (
	ResultSucceeded Result = "succeeded"
	ResultFailed    Result = "failed"
	ResultCancelled Result = "cancelled"
	// ResultNotStarted: the rollout halted or was cancelled before the stack ran.
	ResultNotStarted Result = "not-started"
	// ResultInterrupted: the journal shows a start but no result (the process died).
	ResultInterrupted Result = "interrupted"
)

// Status is how a whole rollout ended.
type Status string

// Rollout statuses.
const (
	StatusSucceeded Status = "succeeded"
	// StatusFailed: some stacks failed, within every wave's tolerance.
	StatusFailed Status = "failed"
	// StatusHalted: a wave went over its failure tolerance.
	StatusHalted    Status = "halted"
	StatusCancelled Status = "cancelled"
	// StatusIncomplete: the journal has no end record (the process died).
	StatusIncomplete Status = "incomplete"
)

// Row is one stack's line of a report.
type Row struct {
	Stack    string        `json:"stack"`
	Wave     int           `json:"wave"`
	Result   Result        `json:"result"`
	Changes  Changes       `json:"changes"`
	Attempts int           `json:"attempts,omitempty"`
	Duration time.Duration `json:"durationNs"`
	Error    string        `json:"error,omitempty"`
	Class    Class         `json:"class,omitempty"`
	// Earlier marks a stack that succeeded in an earlier run of a resumed rollout.
	Earlier bool      `json:"earlier,omitempty"`
	Started time.Time `json:"started,omitzero"`
	Ended   time.Time `json:"ended,omitzero"`
}

// State is a rollout as its journal tells it.
type State struct {
	Plan   *Plan
	Rows   map[string]*Row
	Status Status
	Reason string
	// Runs counts the plan and every resume.
	Runs  int
	Ended time.Time
}

// Fold replays journal records into the state they describe.
func Fold(recs []Record) *State {
	st := &State{Rows: map[string]*Row{}, Status: StatusIncomplete}
	for _, r := range recs {
		switch r.Type {
		case RecPlan:
			st.Plan = r.Plan
			st.Runs = 1
			for _, w := range r.Plan.Waves {
				for _, s := range w.Stacks {
					st.Rows[s] = &Row{Stack: s, Wave: w.Index, Result: ResultNotStarted}
				}
			}
		case RecResume:
			st.Runs++
			st.Status, st.Reason = StatusIncomplete, ""
		case RecStart:
			if row := st.Rows[r.Stack]; row != nil {
				row.Result, row.Started, row.Error, row.Class, row.Attempts = ResultInterrupted, r.Time, "", "", 0
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

// Succeeded lists the stacks that need no re-run.
func (st *State) Succeeded() map[string]bool {
	done := map[string]bool{}
	for s, row := range st.Rows {
		if row.Result == ResultSucceeded {
			done[s] = true
		}
	}
	return done
}

// Ordered returns the rows in plan order.
func (st *State) Ordered() []Row {
	var out []Row
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
