package rollout_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tenantctl/tenantctl/internal/rollout"
	"github.com/tenantctl/tenantctl/internal/rollout/rollouttest"
)

// fullDisk keeps the first limit records written to it, then fails every
// write with ENOSPC, as a full disk would.
type fullDisk struct {
	mu     sync.Mutex
	limit  int
	kept   bytes.Buffer
	failed bool
}

func (d *fullDisk) Write(p []byte) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.failed || bytes.Count(d.kept.Bytes(), []byte("\n"))+bytes.Count(p, []byte("\n")) > d.limit {
		d.failed = true
		return 0, syscall.ENOSPC
	}
	return d.kept.Write(p)
}

func (d *fullDisk) records(t *testing.T) []rollout.Record {
	t.Helper()
	d.mu.Lock()
	defer d.mu.Unlock()
	var recs []rollout.Record
	for _, line := range bytes.Split(bytes.TrimSpace(d.kept.Bytes()), []byte("\n")) {
		var r rollout.Record
		if err := json.Unmarshal(line, &r); err != nil {
			t.Fatalf("kept a torn record %q: %v", line, err)
		}
		recs = append(recs, r)
	}
	return recs
}

// A journal that cannot be written halts the rollout before the next stack
// starts: every stack that ran has its start record in the journal, the wave
// halts at once (not after the last wave) and Run says the journal failed.
func TestJournalWriteFailureStartsNoMoreStacks(t *testing.T) {
	for _, limit := range []int{3, 9, 20, 41} {
		disk := &fullDisk{limit: limit}
		sim := &rollouttest.Sim{Latency: 2 * time.Millisecond}
		p := plan(t, targets(60), rollout.WaveOptions{Canary: 4, Waves: []rollout.Quantity{{N: 50, Percent: true}, {N: 100, Percent: true}}, MaxConcurrency: rollout.Quantity{N: 4}, Tolerance: rollout.Quantity{N: 100, Percent: true}})
		r := &rollout.Runner{Deployer: sim, Journal: rollout.NewJournal(disk), Retry: rollout.Retry{Attempts: 1}}
		out, err := r.Run(context.Background(), p, nil)
		if !errors.Is(err, syscall.ENOSPC) {
			t.Fatalf("limit %d: Run returned %v; want the journal's ENOSPC", limit, err)
		}
		journaled := map[string]bool{}
		for _, rec := range disk.records(t) {
			if rec.Type == rollout.RecStart {
				journaled[rec.Stack] = true
			}
		}
		ran := sim.Starts()
		for _, s := range ran {
			if !journaled[s] {
				t.Errorf("limit %d: %s ran without a journaled start: it started after the journal failed", limit, s)
			}
		}
		if len(ran) >= 60 {
			t.Errorf("limit %d: all %d stacks ran with a broken journal", limit, len(ran))
		}
		if out == nil || out.Status != rollout.StatusHalted || !strings.Contains(out.Reason, "the journal could not be written") {
			t.Errorf("limit %d: outcome %+v; want halted because of the journal", limit, out)
		}
		t.Logf("limit %d records: %d of 60 stacks ran, each journaled", limit, len(ran))
	}
}

// A reopened journal appends: a record another writer appended meanwhile is
// kept, not overwritten by the next record of this one.
func TestReopenedJournalAppends(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.jsonl")
	j, err := rollout.CreateJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	p := &rollout.Plan{ID: "r", Op: rollout.OpUp, Waves: []rollout.Wave{{Index: 1, Name: "wave 1", Stacks: []string{"a"}, MaxConcurrency: 1, Mode: rollout.ModeSoft}}}
	if err := j.Append(rollout.Record{Type: rollout.RecPlan, Plan: p}); err != nil {
		t.Fatal(err)
	}
	j.Close()
	// A torn last line, cut on reopen.
	f, _ := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString(`{"type":"sta`)
	f.Close()
	j, err = rollout.ReopenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Append(rollout.Record{Type: rollout.RecResume}); err != nil {
		t.Fatal(err)
	}
	other, _ := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	other.WriteString(`{"type":"halt","reason":"written by another process"}` + "\n")
	other.Close()
	if err := j.Append(rollout.Record{Type: rollout.RecEnd, Status: rollout.StatusSucceeded}); err != nil {
		t.Fatal(err)
	}
	j.Close()
	recs, err := rollout.ReadJournal(path)
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
