// Package journal keeps what a rollout did where a later run can read it: the
// append-only journal (one JSON record a line, group-committed with fsync),
// the State folded from its records that status and resume read, and the
// rollout lock that lets one rollout at a time run against a backend and fleet.
package journal

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/tenantctl/tenantctl/internal/rollout/outcome"
	"github.com/tenantctl/tenantctl/internal/rollout/plan"
)

// Record types of the journal.
const (
	RecPlan    = "plan"
	RecResume  = "resume"
	RecWave    = "wave"
	RecStart   = "start"
	RecAttempt = "attempt"
	RecRetry   = "retry"
	RecResult  = "result"
	RecHalt    = "halt"
	RecEnd     = "end"
	// RecBake starts a wave's bake (Until is when it ends); RecGate is what
	// the wave's gate found (Gate). Both are durable before the runner acts
	// on them, so a resume knows how long is left to bake and which waves
	// passed their gate.
	RecBake = "bake"
	RecGate = "gate"
)

// Record is one line of the journal.
type Record struct {
	Time     time.Time        `json:"time"`
	Type     string           `json:"type"`
	Plan     *plan.Plan       `json:"plan,omitempty"`
	Wave     int              `json:"wave,omitempty"`
	Stack    string           `json:"stack,omitempty"`
	Attempt  int              `json:"attempt,omitempty"`
	Result   outcome.Result   `json:"result,omitempty"`
	Changes  *outcome.Changes `json:"changes,omitempty"`
	Error    string           `json:"error,omitempty"`
	Class    outcome.Class    `json:"class,omitempty"`
	DelayMS  int64            `json:"delayMs,omitempty"`
	Duration int64            `json:"durationMs,omitempty"`
	Reason   string           `json:"reason,omitempty"`
	Status   outcome.Status   `json:"status,omitempty"`
	PID      int              `json:"pid,omitempty"`
	// Release is the release a stack's start record deploys (up, rollback).
	Release string             `json:"release,omitempty"`
	Until   time.Time          `json:"until,omitzero"`
	Gate    *outcome.GateCheck `json:"gate,omitempty"`
}

// Journal appends records: one JSON line per record, so a crash leaves at
// most a torn last line, which Read tolerates. Lines are group-committed
// by one flusher at a time: it writes everything queued with one write and one
// fsync, so K parallel stacks cost one fsync per batch, not one each.
//
// Append waits until its record is durable (plan, wave, halt and end records,
// and a stack's start before it runs: what resume and status rely on). Queue
// does not wait: a stack's attempt, retry and result records are made durable by the next flush, at the
// latest by the rollout's end record. A crash in between can lose a result
// whose stack then runs again on resume — the window a crash between the
// engine finishing and any write would leave anyway, and `pulumi up` of an
// up-to-date stack changes nothing.
type Journal struct {
	mu       sync.Mutex
	cond     *sync.Cond
	w        io.Writer
	sync     func() error
	f        *os.File
	pending  []byte
	spare    []byte
	queued   uint64
	durable  uint64
	flushing bool
	err      error
}

// New journals to w without fsync (tests and benchmarks of the scheduler).
func New(w io.Writer) *Journal { return newJournal(w, nil, nil) }

// NewSink journals to w and makes each batch durable with sync: a journal
// kept somewhere other than a local file (an object store) writes a batch to
// w and stores it in sync.
func NewSink(w io.Writer, sync func() error) *Journal { return newJournal(w, sync, nil) }

func newJournal(w io.Writer, sync func() error, f *os.File) *Journal {
	j := &Journal{w: w, sync: sync, f: f}
	j.cond = newCond(&j.mu)
	return j
}

// Path is where the journal of rollout id lives under the state directory.
func Path(stateDir, id string) (string, error) {
	if err := plan.CheckID(id); err != nil {
		return "", err
	}
	return filepath.Join(stateDir, "rollouts", id+".jsonl"), nil
}

// Create starts the journal of a new rollout; it refuses to overwrite one.
func Create(path string) (*Journal, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("creating journal: %w", err)
	}
	syncDir(filepath.Dir(path))
	return newJournal(f, f.Sync, f), nil
}

// Reopen opens an existing journal for appending after a resume: a torn
// last line (a crash mid-write) is cut off first so new records start on a
// line of their own. The file is then opened O_APPEND, so every write lands at
// the end of the file whatever else wrote to it, never over a record.
func Reopen(path string) (*Journal, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	keep := int64(bytes.LastIndexByte(data, '\n') + 1)
	tail := data[keep:]
	var r Record
	complete := len(tail) > 0 && json.Unmarshal(tail, &r) == nil && r.Type != ""
	if len(tail) > 0 && !complete {
		if err := os.Truncate(path, keep); err != nil {
			return nil, fmt.Errorf("cutting the torn last line of %s: %w", path, err)
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return nil, err
	}
	if complete {
		// A whole record whose newline was lost: Read counted it, so keep
		// it and end its line.
		if _, err := f.Write([]byte{'\n'}); err != nil {
			f.Close()
			return nil, err
		}
	}
	return newJournal(f, f.Sync, f), nil
}

// Append writes one record and waits until it is durable. After a write error
// every later Append returns that error: a journal with a hole is worse than none.
func (j *Journal) Append(r Record) error {
	mine, err := j.enqueue(r)
	if err != nil {
		return err
	}
	return j.wait(mine)
}

// Queue writes one record without waiting for it to be durable.
func (j *Journal) Queue(r Record) error {
	_, err := j.enqueue(r)
	return err
}

// Err is the write error that broke the journal, or nil while it is whole.
func (j *Journal) Err() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.err
}

func (j *Journal) enqueue(r Record) (uint64, error) {
	if r.Time.IsZero() {
		r.Time = time.Now().UTC()
	}
	line, err := json.Marshal(r)
	if err != nil {
		return 0, err
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.err != nil {
		return 0, j.err
	}
	j.pending = append(append(j.pending, line...), '\n')
	j.queued++
	if !j.flushing {
		j.flushing = true
		go j.flush()
	}
	return j.queued, nil
}

// flush writes batches until nothing is queued.
func (j *Journal) flush() {
	j.mu.Lock()
	defer j.mu.Unlock()
	for len(j.pending) > 0 && j.err == nil {
		batch, upto := j.pending, j.queued
		j.pending = j.spare[:0]
		j.mu.Unlock()
		_, err := j.w.Write(batch)
		if err == nil && j.sync != nil {
			err = j.sync()
		}
		j.mu.Lock()
		j.spare = batch
		if err != nil {
			j.err = fmt.Errorf("writing journal: %w", err)
		} else {
			j.durable = upto
		}
		j.cond.Broadcast()
	}
	j.flushing = false
	j.cond.Broadcast()
}

func (j *Journal) wait(n uint64) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	for j.durable < n && j.err == nil {
		j.cond.Wait()
	}
	return j.err
}

// Flush waits until every queued record is durable.
func (j *Journal) Flush() error {
	j.mu.Lock()
	n := j.queued
	j.mu.Unlock()
	return j.wait(n)
}

// Close closes the journal file.
func (j *Journal) Close() error {
	err := j.Flush()
	if j.f == nil {
		return err
	}
	if cerr := j.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Read reads every record. The last line may be torn (a crash mid-write):
// it is ignored when it does not parse. A bad line anywhere else is an error
// naming the line, since records would be lost.
func Read(path string) ([]Record, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("no rollout journal %s", path)
		}
		return nil, err
	}
	recs, err := Parse(path, data)
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 || recs[0].Type != RecPlan || recs[0].Plan == nil {
		return nil, fmt.Errorf("%s: the journal does not start with a plan record", path)
	}
	return recs, nil
}

// Parse reads the records of one JSON line each in data, from name (for
// errors). A torn last line is ignored; a bad line before it is an error.
func Parse(name string, data []byte) ([]Record, error) {
	var recs []Record
	lineNo := 0
	for len(data) > 0 {
		lineNo++
		i := bytes.IndexByte(data, '\n')
		line, last := data, true
		if i >= 0 {
			line, data, last = data[:i], data[i+1:], false
		} else {
			data = nil
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var r Record
		if err := json.Unmarshal(line, &r); err != nil || r.Type == "" {
			if last {
				break // torn tail: the record was never durable
			}
			return nil, fmt.Errorf("%s:%d: not a journal record (%v); the journal is damaged before its last line", name, lineNo, err)
		}
		recs = append(recs, r)
	}
	return recs, nil
}

func newCond(l sync.Locker) *sync.Cond { return sync.NewCond(l) }

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
