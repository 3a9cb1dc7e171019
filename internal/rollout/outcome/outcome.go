// Package outcome holds where a rollout's stacks and the rollout itself end
// up: each stack's result, row and change counts, the class of an engine
// failure (and so whether a retry can help), and the rollout's status. The
// journal, the runner and the report all speak of them.
package outcome

import (
	"context"
	"errors"
	"fmt"
	"strings"
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
	// Steps are the resources the operation changed (or, for a preview,
	// would change), in the engine's order, at most MaxSteps of them;
	// StepsOmitted counts the rest.
	Steps        []Step `json:"steps,omitempty"`
	StepsOmitted int    `json:"stepsOmitted,omitempty"`
	// Earlier marks a stack that succeeded in an earlier run of a resumed rollout.
	Earlier bool `json:"earlier,omitempty"`
	// Release is the release the stack's operation deployed (up, rollback).
	Release string    `json:"release,omitempty"`
	Started time.Time `json:"started,omitzero"`
	Ended   time.Time `json:"ended,omitzero"`
}

// MaxSteps bounds the steps a row keeps: a stack of thousands of resources
// must not make the journal-backed report unbounded.
const MaxSteps = 500

// Step is one resource the engine changes: the operation (create, update,
// replace, delete), the resource's type token and its logical name.
type Step struct {
	Op   string `json:"op"`
	Type string `json:"type"`
	Name string `json:"name"`
}

// Stateful reports whether the step's resource holds data or identity that a
// replacement or deletion loses: tables, buckets, VPCs, user pools, streams,
// hosted zones, file systems, databases, keys, accounts.
func (s Step) Stateful() bool {
	for _, t := range statefulTypes {
		if strings.HasPrefix(s.Type, t) {
			return true
		}
	}
	return false
}

// Dangerous reports whether the step loses state: a stateful resource
// replaced or deleted.
func (s Step) Dangerous() bool { return (s.Op == "replace" || s.Op == "delete") && s.Stateful() }

var statefulTypes = []string{
	"aws:dynamodb/table:", "aws:s3/bucket:", "aws:s3/bucketV2:", "aws:ec2/vpc:", "aws:cognito/userPool:",
	"aws:kinesis/stream:", "aws:route53/zone:", "aws:efs/fileSystem:", "aws:rds/", "aws:kms/key:",
	"aws:organizations/account:", "aws:secretsmanager/secret:", "aws:ecr/repository:",
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

// Counts renders +create ~update -delete (replacements count as updates).
func (c Changes) Counts() string {
	return fmt.Sprintf("+%d ~%d -%d", c.Create, c.Update+c.Replace, c.Delete)
}

// GateCheck is what a wave's gate found once the wave had baked: whether the
// rollout may go on, the alarms that stopped it, or why the gate could not
// tell (which stops it too).
type GateCheck struct {
	Wave     int       `json:"wave"`
	WaveName string    `json:"waveName"`
	Gate     string    `json:"gate"`
	Passed   bool      `json:"passed"`
	Alarms   []Alarm   `json:"alarms,omitempty"`
	Error    string    `json:"error,omitempty"`
	Time     time.Time `json:"time"`
}

// Alarm is an alarm a gate found in ALARM, and the stack it belongs to.
type Alarm struct {
	Name   string `json:"name"`
	Stack  string `json:"stack"`
	Reason string `json:"reason,omitempty"`
}

// Halt is the reason a failed check halts the rollout, naming the wave and
// the alarms (or the error).
func (g GateCheck) Halt() string {
	if g.Error != "" {
		return fmt.Sprintf("%s: the %s gate could not read its signals, so the rollout halted: %s; nothing more was started", g.WaveName, g.Gate, g.Error)
	}
	names := make([]string, len(g.Alarms))
	for i, a := range g.Alarms {
		names[i] = a.Name
	}
	return fmt.Sprintf("%s: the %s gate found %d alarms in ALARM (%s); nothing more was started", g.WaveName, g.Gate, len(g.Alarms), strings.Join(names, ", "))
}
