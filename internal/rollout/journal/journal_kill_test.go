package journal_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/tenantctl/tenantctl/internal/rollout/journal"
	"github.com/tenantctl/tenantctl/internal/rollout/outcome"
	"github.com/tenantctl/tenantctl/internal/rollout/plan"
)

// TestJournalWriterProcess is the child of TestJournalSurvivesKill9: it
// journals a rollout's records as fast as it can until it is killed.
func TestJournalWriterProcess(t *testing.T) {
	path := os.Getenv("TENANTCTL_JOURNAL_CHILD")
	if path == "" {
		return // only meaningful as the child process
	}
	j, err := journal.Create(path)
	if err != nil {
		os.Exit(3)
	}
	p := &plan.Plan{ID: "killed", Op: plan.OpUp, Waves: []plan.Wave{{Index: 1, Name: "wave 1"}}}
	for i := 0; i < 10000; i++ {
		p.Waves[0].Stacks = append(p.Waves[0].Stacks, fmt.Sprintf("t%06d", i))
	}
	_ = j.Append(journal.Record{Type: journal.RecPlan, Plan: p})
	for i := 0; ; i++ {
		s := fmt.Sprintf("t%06d", i%10000)
		_ = j.Queue(journal.Record{Type: journal.RecStart, Wave: 1, Stack: s})
		_ = j.Queue(journal.Record{Type: journal.RecAttempt, Stack: s, Attempt: 1})
		_ = j.Append(journal.Record{Type: journal.RecResult, Wave: 1, Stack: s, Result: outcome.ResultSucceeded, Changes: &outcome.Changes{Update: 1}, Error: "padding the record so that writes are long enough to be cut"})
	}
}

// kill -9 of a process in the middle of journaling: the journal it leaves is
// readable, resume can append to it, and what was journaled stays.
func TestJournalSurvivesKill9(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rollouts", "killed.jsonl")
	cmd := exec.Command(os.Args[0], "-test.run=^TestJournalWriterProcess$")
	cmd.Env = append(os.Environ(), "TENANTCTL_JOURNAL_CHILD="+path)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		if st, err := os.Stat(path); err == nil && st.Size() > 512<<10 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the journal writer wrote too little")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	_ = cmd.Wait()
	recs, err := journal.Read(path)
	if err != nil {
		t.Fatalf("journal after kill -9: %v", err)
	}
	st := journal.Fold(recs)
	if len(st.Succeeded()) == 0 {
		t.Fatalf("no journaled success survived (%d records)", len(recs))
	}
	j, err := journal.Reopen(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Append(journal.Record{Type: journal.RecResume}); err != nil {
		t.Fatal(err)
	}
	j.Close()
	again, err := journal.Read(path)
	if err != nil || again[len(again)-1].Type != journal.RecResume || len(again) < len(recs)+1 {
		t.Fatalf("after resume's append: %d records (had %d), err %v", len(again), len(recs), err)
	}
	t.Logf("%d records survived the kill; %d stacks journaled as succeeded", len(recs), len(st.Succeeded()))
}
