// Package workflow runs a tenant lifecycle workflow (onboard, offboard,
// migrate) as a list of named steps, each idempotent, journaled before and
// after it runs, so a workflow cut short at any point (kill -9 included) is
// resumed where it stopped: a step journaled done never runs again, a step
// started but not done runs again (which its idempotence makes safe), and
// the values a step hands on (an account id, an export's location) come back
// from the journal.
//
// What a step does is the caller's; this package knows order, retries,
// the journal, the per-tenant lock and the notifications of each workflow's
// start, success, failure and retries.
package workflow

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/tenantctl/tenantctl/internal/backoff"
	"github.com/tenantctl/tenantctl/internal/rollout/journal"
)

// Step is one idempotent step of a workflow.
type Step struct {
	// Name says what the step does, in the journal and the report.
	Name string
	// Do runs the step. It reads what earlier steps handed on from v and
	// hands on its own by setting them; an error wrapped by Transient is retried.
	Do func(ctx context.Context, v Values) error
}

// Definition is a workflow: its kind and its steps in order.
type Definition struct {
	Kind  string
	Steps []Step
}

// Values are what steps hand on to later steps, kept in the journal.
type Values map[string]string

// transient marks an error worth another attempt (throttling, a stack
// locked by an engine that is finishing).
type transient struct{ error }

func (t transient) Unwrap() error { return t.error }

// Transient marks err as worth retrying.
func Transient(err error) error {
	if err == nil {
		return nil
	}
	return transient{err}
}

// IsTransient reports whether err was marked Transient.
func IsTransient(err error) bool {
	var t transient
	return errors.As(err, &t)
}

// Event is what a Notifier is told.
type Event struct {
	Workflow string    `json:"workflow"`
	Kind     string    `json:"kind"`
	Tenant   string    `json:"tenant"`
	Status   string    `json:"status"` // started, retrying, succeeded, failed
	Step     string    `json:"step,omitempty"`
	Attempt  int       `json:"attempt,omitempty"`
	Error    string    `json:"error,omitempty"`
	Time     time.Time `json:"time"`
}

// Event statuses.
const (
	EventStarted   = "started"
	EventRetrying  = "retrying"
	EventSucceeded = "succeeded"
	EventFailed    = "failed"
)

// Notifier tells the world how workflows go (SNS in production). A failed
// notification is reported, never a reason to stop a workflow.
type Notifier interface {
	Notify(ctx context.Context, e Event) error
}

// Options of a run.
type Options struct {
	// Dir holds the journals (workflows/<id>.jsonl) and the per-tenant locks.
	Dir string
	// Attempts bounds the runs of one step; only transient errors are retried.
	Attempts int
	// Backoff waits between attempts of a step.
	Backoff backoff.Exp
	// Notifier is told of starts, retries, successes and failures; nil tells no one.
	Notifier Notifier
	// Progress is told of each step as it starts and ends; nil ignores it.
	Progress func(step string, status StepStatus, err error)
	// NotifyErrors receives the errors of failed notifications; nil drops them.
	NotifyErrors func(error)
}

var idRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

// NewID names a workflow run: kind, tenant and start time.
func NewID(kind, tenant string, now time.Time) string {
	return fmt.Sprintf("%s-%s-%s", kind, tenant, now.UTC().Format("20060102T150405Z"))
}

func journalPath(dir, id string) (string, error) {
	if !idRe.MatchString(id) {
		return "", fmt.Errorf("workflow id %q: letters, digits, '.', '_' and '-' only", id)
	}
	return filepath.Join(dir, "workflows", id+".jsonl"), nil
}

func lockPath(dir, tenant string) string {
	return filepath.Join(dir, "workflows", "locks", tenant+".lock")
}

// lock takes the tenant's workflow lock: one lifecycle workflow per tenant at
// a time, whatever its kind.
func lock(dir, tenant, id string) (*journal.Lock, error) {
	host, _ := os.Hostname()
	l, err := journal.Acquire(lockPath(dir, tenant), journal.LockInfo{Rollout: id, PID: os.Getpid(), Host: host, Started: time.Now().UTC()})
	var locked *journal.LockedError
	if errors.As(err, &locked) {
		return nil, fmt.Errorf("another workflow of tenant %s is running (%s, pid %d on %s); wait for it to end", tenant, locked.Holder.Rollout, locked.Holder.PID, locked.Holder.Host)
	}
	return l, err
}
