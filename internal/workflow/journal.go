package workflow

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Record types of a workflow journal.
const (
	recPlan   = "plan"
	recResume = "resume"
	recStart  = "start"
	recRetry  = "retry"
	recDone   = "done"
	recFailed = "failed"
	recEnd    = "end"
)

// record is one line of a workflow journal.
type record struct {
	Time    time.Time `json:"time"`
	Type    string    `json:"type"`
	ID      string    `json:"id,omitempty"`
	Kind    string    `json:"kind,omitempty"`
	Tenant  string    `json:"tenant,omitempty"`
	Steps   []string  `json:"steps,omitempty"`
	Input   Values    `json:"input,omitempty"`
	Step    string    `json:"step,omitempty"`
	Attempt int       `json:"attempt,omitempty"`
	Values  Values    `json:"values,omitempty"`
	Error   string    `json:"error,omitempty"`
	Status  string    `json:"status,omitempty"`
}

// file is an open journal: every record is written and fsynced before the
// step it announces runs (steps are minutes of cloud work; an fsync each
// costs nothing beside them).
type file struct{ f *os.File }

func create(path string) (*file, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("creating the workflow journal: %w", err)
	}
	return &file{f}, nil
}

// reopen opens a journal to append to, cutting a torn last line first.
func reopen(path string) (*file, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if keep := int64(bytes.LastIndexByte(data, '\n') + 1); keep < int64(len(data)) {
		if err := os.Truncate(path, keep); err != nil {
			return nil, fmt.Errorf("cutting the torn last line of %s: %w", path, err)
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return nil, err
	}
	return &file{f}, nil
}

func (j *file) append(r record) error {
	if r.Time.IsZero() {
		r.Time = time.Now().UTC()
	}
	line, err := json.Marshal(r)
	if err != nil {
		return err
	}
	if _, err := j.f.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("writing the workflow journal: %w", err)
	}
	if err := j.f.Sync(); err != nil {
		return fmt.Errorf("writing the workflow journal: %w", err)
	}
	return nil
}

func (j *file) close() error { return j.f.Close() }

// read reads a journal; a torn last line is ignored, a bad line before it
// is an error naming it.
func read(path string) ([]record, error) {
	info, err := os.Lstat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("no workflow journal %s", path)
	}
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var recs []record
	lines := bytes.Split(data, []byte{'\n'})
	for i, line := range lines {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var r record
		if err := json.Unmarshal(line, &r); err != nil || r.Type == "" {
			if i == len(lines)-1 {
				break // torn tail: never durable, its step runs again
			}
			return nil, fmt.Errorf("%s:%d: not a workflow record; the journal is damaged", path, i+1)
		}
		recs = append(recs, r)
	}
	if len(recs) == 0 || recs[0].Type != recPlan {
		return nil, fmt.Errorf("%s: the journal does not start with a plan record", path)
	}
	return recs, nil
}
