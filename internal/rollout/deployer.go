// Package rollout drives operations over a fleet's stacks: it selects the stacks,
// plans them into waves, runs each wave through a bounded worker pool with
// StackSets-style failure tolerance, retries transient engine errors, records
// every step in an append-only journal that a later run can resume from, and
// reports the outcome.
//
// The engine sits behind the Deployer interface; package auto implements it on
// the Pulumi Automation API, package rollouttest simulates it for tests.
package rollout

import (
	"context"
	"errors"
	"io"

	"github.com/tenantctl/tenantctl/internal/naming"
)

// Op is the operation a rollout runs on each stack.
type Op string

// The operations a Deployer runs.
const (
	OpPreview Op = "preview"
	OpUp      Op = "up"
	// OpRefresh with Stream.PreviewOnly reports drift without writing state.
	OpRefresh Op = "refresh"
	OpDestroy Op = "destroy"
)

// Valid reports whether op is one of the four operations.
func (op Op) Valid() bool {
	return op == OpPreview || op == OpUp || op == OpRefresh || op == OpDestroy
}

// PlatformStack is the name of the stack of the platform's shared infrastructure;
// every other stack is named by a tenant id.
const PlatformStack = naming.PlatformStack

// Stream is where one stack's operation reports as it runs.
type Stream struct {
	// Log receives the engine's progress text; it belongs to this stack alone.
	Log io.Writer
	// Event, when set, is called for each resource step the engine reports.
	Event func(Event)
	// PreviewOnly makes refresh a preview (drift detection) that changes no state.
	PreviewOnly bool
}

// Event is one resource step of a running operation, as the engine reports it.
type Event struct {
	// Kind is "pre" when a step starts, "done" when it finished, "diag" for a
	// diagnostic message.
	Kind string
	// Op is the step's operation (create, update, delete, same, replace, refresh).
	Op string
	// URN names the resource.
	URN string
	// Message holds a diagnostic's text.
	Message string
}

// Deployer runs one operation on one stack. Implementations honour ctx: when it
// is cancelled the operation stops as cleanly as the engine allows and returns
// an error that ClassOf reports as ClassCancelled.
type Deployer interface {
	Run(ctx context.Context, op Op, stack string, s Stream) (Changes, error)
}

// Changes counts the resource steps of an operation, from the engine's summary.
type Changes struct {
	Create  int `json:"create"`
	Update  int `json:"update"`
	Delete  int `json:"delete"`
	Replace int `json:"replace"`
	Same    int `json:"same"`
}

// FromSummary reads an engine summary (op name → count). Replacement steps count
// as replaces; refresh steps count as updates since they change recorded state.
func FromSummary(m map[string]int) Changes {
	var c Changes
	for op, n := range m {
		switch op {
		case "create", "import":
			c.Create += n
		case "update", "refresh":
			c.Update += n
		case "delete", "discard":
			c.Delete += n
		case "replace":
			c.Replace += n
		case "same", "read":
			c.Same += n
		}
	}
	return c
}

// Any reports whether anything would change.
func (c Changes) Any() bool { return c.Create+c.Update+c.Delete+c.Replace > 0 }

// Add sums two counts.
func (c Changes) Add(o Changes) Changes {
	return Changes{c.Create + o.Create, c.Update + o.Update, c.Delete + o.Delete, c.Replace + o.Replace, c.Same + o.Same}
}

// Class says why an operation failed, and so whether a retry can help.
type Class string

// Error classes.
const (
	// ClassConcurrentUpdate: the stack is locked by another update.
	ClassConcurrentUpdate Class = "concurrent-update"
	// ClassThrottled: a cloud API throttled the engine.
	ClassThrottled Class = "throttled"
	// ClassNetwork: a connection failed or timed out.
	ClassNetwork Class = "network"
	// ClassCancelled: the operation was cancelled (Ctrl-C).
	ClassCancelled Class = "cancelled"
	// ClassProgram: the program itself failed (a bug or bad input): not retried.
	ClassProgram Class = "program"
	// ClassFailed: any other failure: not retried.
	ClassFailed Class = "failed"
)

// Transient reports whether a retry may succeed.
func (c Class) Transient() bool {
	return c == ClassConcurrentUpdate || c == ClassThrottled || c == ClassNetwork
}

// ClassifiedError is an engine error with its class decided where the engine's
// own error types are still at hand (before any wrapping hides them).
type ClassifiedError struct {
	Class Class
	Err   error
}

func (e *ClassifiedError) Error() string { return e.Err.Error() }
func (e *ClassifiedError) Unwrap() error { return e.Err }

// Classify wraps err with a class; nil stays nil.
func Classify(class Class, err error) error {
	if err == nil {
		return nil
	}
	return &ClassifiedError{Class: class, Err: err}
}

// ClassOf returns the class of an error: the ClassifiedError's, ClassCancelled for
// context errors, ClassFailed otherwise.
func ClassOf(err error) Class {
	var ce *ClassifiedError
	if errors.As(err, &ce) {
		return ce.Class
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return ClassCancelled
	}
	return ClassFailed
}
