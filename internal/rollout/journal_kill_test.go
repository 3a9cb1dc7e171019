package rollout_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/tenantctl/tenantctl/internal/rollout"
)

// TestJournalWriterProcess is the child of TestJournalSurvivesKill9: it
// journals a rollout's records as fast as it can until it is killed.
func TestJournalWriterProcess(t *testing.T) {
	path := os.Getenv("TENANTCTL_JOURNAL_CHILD")
	if path == "" {
		return // only meaningful as the child process
	}
	j, err := rollout.CreateJournal(path)
	if err != nil {
		os.Exit(3)
	}
	p := &rollout.Plan{ID: "killed", Op: rollout.OpUp, Waves: []rollout.Wave{{Index: 1, Name: "wave 1"}}}
	for i := 0; i < 10000; i++ {
		p.Waves[0].Stacks = append(p.Waves[0].Stacks, fmt.Sprintf("t%06d", i))
	}
	_ = j.Append(rollout.Record{Type: rollout.RecPlan, Plan: p})
	for i := 0; ; i++ {
		s := fmt.Sprintf("t%06d", i%10000)
		_ = j.Queue(rollout.Record{Type: rollout.RecStart, Wave: 1, Stack: s})
		_ = j.Queue(rollout.Record{Type: rollout.RecAttempt, Stack: s, Attempt: 1})
		_ = j.Append(rollout.Record{Type: rollout.RecResult, Wave: 1, Stack: s, Result: rollout.ResultSucceeded, Changes: &rollout.Changes{Update: 1}, Error: "padding the record so that writes are long enough to be cut"})
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
	recs, err := rollout.ReadJournal(path)
	if err != nil {
		t.Fatalf("journal after kill -9: %v", err)
	}
	st := rollout.Fold(recs)
	if len(st.Succeeded()) == 0 {
		t.Fatalf("no journaled success survived (%d records)", len(recs))
	}
	j, err := rollout.ReopenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Append(rollout.Record{Type: rollout.RecResume}); err != nil {
		t.Fatal(err)
	}
	j.Close()
	again, err := rollout.ReadJournal(path)
	if err != nil || again[len(again)-1].Type != rollout.RecResume || len(again) < len(recs)+1 {
		t.Fatalf("after resume's append: %d records (had %d), err %v", len(again), len(recs), err)
	}
	t.Logf("%d records survived the kill; %d stacks journaled as succeeded", len(recs), len(st.Succeeded()))
}
