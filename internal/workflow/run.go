package workflow

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/tenantctl/tenantctl/internal/ctxtime"
)

// StepStatus is where a step of a run stands.
type StepStatus string

// Step statuses.
const (
	StepPending     StepStatus = "pending"
	StepRunning     StepStatus = "running"
	StepDone        StepStatus = "done"
	StepFailed      StepStatus = "failed"
	StepInterrupted StepStatus = "interrupted"
)

// StepState is one step of a run as the journal tells it.
type StepState struct {
	Name     string        `json:"name"`
	Status   StepStatus    `json:"status"`
	Attempts int           `json:"attempts,omitempty"`
	Error    string        `json:"error,omitempty"`
	Duration time.Duration `json:"durationNs,omitempty"`
	started  time.Time
}

// State is a run as its journal tells it: the report of a workflow.
type State struct {
	ID      string       `json:"id"`
	Kind    string       `json:"kind"`
	Tenant  string       `json:"tenant"`
	Status  string       `json:"status"` // running, succeeded, failed, interrupted
	Steps   []*StepState `json:"steps"`
	Values  Values       `json:"values,omitempty"`
	Runs    int          `json:"runs"`
	Journal string       `json:"journal"`
}

// Run statuses.
const (
	StatusRunning     = "running"
	StatusSucceeded   = "succeeded"
	StatusFailed      = "failed"
	StatusInterrupted = "interrupted"
)

// fold replays a journal.
func fold(path string, recs []record) *State {
	p := recs[0]
	st := &State{ID: p.ID, Kind: p.Kind, Tenant: p.Tenant, Status: StatusInterrupted, Values: Values{}, Runs: 1, Journal: path}
	maps.Copy(st.Values, p.Input)
	byName := map[string]*StepState{}
	for _, n := range p.Steps {
		s := &StepState{Name: n, Status: StepPending}
		st.Steps = append(st.Steps, s)
		byName[n] = s
	}
	for _, r := range recs[1:] {
		s := byName[r.Step]
		switch r.Type {
		case recResume:
			st.Runs++
			st.Status = StatusInterrupted
		case recStart:
			if s != nil {
				s.Status, s.Attempts, s.Error, s.started = StepInterrupted, r.Attempt, "", r.Time
			}
		case recRetry:
			if s != nil {
				s.Attempts, s.Error = r.Attempt, r.Error
			}
		case recDone:
			if s != nil {
				s.Status, s.Error, s.Duration = StepDone, "", r.Time.Sub(s.started)
				maps.Copy(st.Values, r.Values)
			}
		case recFailed:
			if s != nil {
				s.Status, s.Error = StepFailed, r.Error
			}
		case recEnd:
			st.Status = r.Status
		}
	}
	return st
}

// Read returns the state of the journaled run id.
func Read(dir, id string) (*State, error) {
	path, err := journalPath(dir, id)
	if err != nil {
		return nil, err
	}
	recs, err := read(path)
	if err != nil {
		return nil, err
	}
	return fold(path, recs), nil
}

// Start runs a new workflow of def for tenant, with input handed to its
// first step, and returns its final state. The error is the failed step's,
// or why the run could not start (another workflow of the tenant runs).
func Start(ctx context.Context, def Definition, tenant string, input Values, o Options) (*State, error) {
	id := NewID(def.Kind, tenant, time.Now())
	path, err := journalPath(o.Dir, id)
	if err != nil {
		return nil, err
	}
	l, err := lock(o.Dir, tenant, id)
	if err != nil {
		return nil, err
	}
	defer l.Release()
	j, err := create(path)
	if err != nil {
		return nil, err
	}
	defer j.close()
	names := make([]string, len(def.Steps))
	for i, s := range def.Steps {
		names[i] = s.Name
	}
	plan := record{Type: recPlan, ID: id, Kind: def.Kind, Tenant: tenant, Steps: names, Input: input}
	if err := j.append(plan); err != nil {
		return nil, err
	}
	return run(ctx, def, fold(path, []record{plan}), j, o)
}

// Resume continues the journaled run id of def: done steps are skipped, the
// rest run in order. A run that succeeded is returned as it is.
func Resume(ctx context.Context, def Definition, id string, o Options) (*State, error) {
	path, err := journalPath(o.Dir, id)
	if err != nil {
		return nil, err
	}
	recs, err := read(path)
	if err != nil {
		return nil, err
	}
	st := fold(path, recs)
	if st.Kind != def.Kind {
		return nil, fmt.Errorf("%s is a %s workflow, not %s", id, st.Kind, def.Kind)
	}
	if !slices.EqualFunc(st.Steps, def.Steps, func(a *StepState, b Step) bool { return a.Name == b.Name }) {
		return nil, fmt.Errorf("%s was journaled with other steps than this tenantctl's %s workflow; finish it with the tenantctl that started it", id, def.Kind)
	}
	if st.Status == StatusSucceeded {
		return st, nil
	}
	l, err := lock(o.Dir, st.Tenant, id)
	if err != nil {
		return nil, err
	}
	defer l.Release()
	j, err := reopen(path)
	if err != nil {
		return nil, err
	}
	defer j.close()
	if err := j.append(record{Type: recResume}); err != nil {
		return nil, err
	}
	st.Runs++
	return run(ctx, def, st, j, o)
}

func run(ctx context.Context, def Definition, st *State, j *file, o Options) (*State, error) {
	st.Status = StatusRunning
	o.notify(ctx, st, Event{Status: EventStarted})
	for i, step := range def.Steps {
		s := st.Steps[i]
		if s.Status == StepDone {
			continue
		}
		err := runStep(ctx, step, s, st, j, o)
		if err == nil {
			continue
		}
		var jerr journalError
		if errors.As(err, &jerr) {
			return st, err // nothing more may run unrecorded
		}
		status := StatusFailed
		if ctx.Err() != nil {
			status = StatusInterrupted
		}
		st.Status = status
		if jerr := j.append(record{Type: recEnd, Status: status}); jerr != nil {
			return st, errors.Join(err, jerr)
		}
		o.notify(context.WithoutCancel(ctx), st, Event{Status: EventFailed, Step: step.Name, Error: err.Error()})
		return st, fmt.Errorf("%s %s: step %s: %w", st.Kind, st.Tenant, step.Name, err)
	}
	st.Status = StatusSucceeded
	if err := j.append(record{Type: recEnd, Status: StatusSucceeded}); err != nil {
		return st, err
	}
	o.notify(ctx, st, Event{Status: EventSucceeded})
	return st, nil
}

// journalError is a journal write that failed: the run stops at once.
type journalError struct{ error }

func (e journalError) Unwrap() error { return e.error }

func runStep(ctx context.Context, step Step, s *StepState, st *State, j *file, o Options) error {
	attempts := max(o.Attempts, 1)
	for attempt := 1; ; attempt++ {
		now := time.Now().UTC()
		if err := j.append(record{Type: recStart, Step: step.Name, Attempt: attempt, Time: now}); err != nil {
			return journalError{err}
		}
		s.Status, s.Attempts, s.started = StepRunning, attempt, now
		o.progress(step.Name, StepRunning, nil)
		v := maps.Clone(st.Values)
		err := step.Do(ctx, v)
		if err == nil {
			handed := Values{}
			for k, val := range v {
				if st.Values[k] != val {
					handed[k] = val
				}
			}
			end := time.Now().UTC()
			if err := j.append(record{Type: recDone, Step: step.Name, Values: handed, Time: end}); err != nil {
				return journalError{err}
			}
			s.Status, s.Error, s.Duration = StepDone, "", end.Sub(now)
			maps.Copy(st.Values, handed)
			o.progress(step.Name, StepDone, nil)
			return nil
		}
		if !IsTransient(err) || attempt >= attempts || ctx.Err() != nil {
			s.Status, s.Error = StepFailed, err.Error()
			if jerr := j.append(record{Type: recFailed, Step: step.Name, Attempt: attempt, Error: err.Error()}); jerr != nil {
				return journalError{jerr}
			}
			o.progress(step.Name, StepFailed, err)
			return err
		}
		if jerr := j.append(record{Type: recRetry, Step: step.Name, Attempt: attempt, Error: err.Error()}); jerr != nil {
			return journalError{jerr}
		}
		o.notify(ctx, st, Event{Status: EventRetrying, Step: step.Name, Attempt: attempt, Error: err.Error()})
		if ctxtime.Sleep(ctx, o.Backoff.Delay(attempt)) != nil {
			return ctx.Err()
		}
	}
}

func (o Options) notify(ctx context.Context, st *State, e Event) {
	if o.Notifier == nil {
		return
	}
	e.Workflow, e.Kind, e.Tenant, e.Time = st.ID, st.Kind, st.Tenant, time.Now().UTC()
	if err := o.Notifier.Notify(ctx, e); err != nil && o.NotifyErrors != nil {
		o.NotifyErrors(fmt.Errorf("notifying %s of %s: %w", e.Status, st.ID, err))
	}
}

func (o Options) progress(step string, s StepStatus, err error) {
	if o.Progress != nil {
		o.Progress(step, s, err)
	}
}
