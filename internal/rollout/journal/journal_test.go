package journal_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tenantctl/tenantctl/internal/rollout/journal"
	"github.com/tenantctl/tenantctl/internal/rollout/outcome"
	"github.com/tenantctl/tenantctl/internal/rollout/plan"
)

// A reopened journal appends: a record another writer appended meanwhile is
// kept, not overwritten by the next record of this one.
func TestReopenedJournalAppends(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.jsonl")
	j, err := journal.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	p := &plan.Plan{ID: "r", Op: plan.OpUp, Waves: []plan.Wave{{Index: 1, Name: "wave 1", Stacks: []string{"a"}, MaxConcurrency: 1, Mode: plan.ModeSoft}}}
	if err := j.Append(journal.Record{Type: journal.RecPlan, Plan: p}); err != nil {
		t.Fatal(err)
	}
	j.Close()
	// A torn last line, cut on reopen.
	f, _ := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString(`{"type":"sta`)
	f.Close()
	j, err = journal.Reopen(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Append(journal.Record{Type: journal.RecResume}); err != nil {
		t.Fatal(err)
	}
	other, _ := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	other.WriteString(`{"type":"halt","reason":"written by another process"}` + "\n")
	other.Close()
	if err := j.Append(journal.Record{Type: journal.RecEnd, Status: outcome.StatusSucceeded}); err != nil {
		t.Fatal(err)
	}
	j.Close()
	recs, err := journal.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, r := range recs {
		types = append(types, r.Type)
	}
	if got := strings.Join(types, ","); got != "plan,resume,halt,end" {
		t.Errorf("records %s; want plan,resume,halt,end", got)
	}
}

func TestJournalDamagedBeforeItsLastLineIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.jsonl")
	var buf bytes.Buffer
	j := journal.New(&buf)
	_ = j.Append(journal.Record{Type: journal.RecPlan, Plan: &plan.Plan{ID: "x"}})
	_ = j.Append(journal.Record{Type: journal.RecStart, Stack: "a"})
	_ = j.Append(journal.Record{Type: journal.RecEnd, Status: outcome.StatusSucceeded})
	lines := strings.SplitAfter(buf.String(), "\n")
	damaged := lines[0] + "{\"type\":\"sta\n" + lines[2]
	os.WriteFile(path, []byte(damaged), 0o644)
	if _, err := journal.Read(path); err == nil || !strings.Contains(err.Error(), "j.jsonl:2:") {
		t.Errorf("error %v, want one naming line 2", err)
	}
}
