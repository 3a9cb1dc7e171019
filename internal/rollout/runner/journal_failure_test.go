package runner_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tenantctl/tenantctl/internal/rollout/journal"
	"github.com/tenantctl/tenantctl/internal/rollout/outcome"
	"github.com/tenantctl/tenantctl/internal/rollout/plan"
	"github.com/tenantctl/tenantctl/internal/rollout/rollouttest"
	"github.com/tenantctl/tenantctl/internal/rollout/runner"
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

func (d *fullDisk) records(t *testing.T) []journal.Record {
	t.Helper()
	d.mu.Lock()
	defer d.mu.Unlock()
	var recs []journal.Record
	for _, line := range bytes.Split(bytes.TrimSpace(d.kept.Bytes()), []byte("\n")) {
		var r journal.Record
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
		p := newPlan(t, targets(60), plan.WaveOptions{Canary: 4, Waves: []plan.Quantity{{N: 50, Percent: true}, {N: 100, Percent: true}}, MaxConcurrency: plan.Quantity{N: 4}, Tolerance: plan.Quantity{N: 100, Percent: true}})
		r := &runner.Runner{Deployer: sim, Journal: journal.New(disk), Retry: runner.Retry{Attempts: 1}}
		out, err := r.Run(context.Background(), p, nil)
		if !errors.Is(err, syscall.ENOSPC) {
			t.Fatalf("limit %d: Run returned %v; want the journal's ENOSPC", limit, err)
		}
		journaled := map[string]bool{}
		for _, rec := range disk.records(t) {
			if rec.Type == journal.RecStart {
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
		if out == nil || out.Status != outcome.StatusHalted || !strings.Contains(out.Reason, "the journal could not be written") {
			t.Errorf("limit %d: outcome %+v; want halted because of the journal", limit, out)
		}
		t.Logf("limit %d records: %d of 60 stacks ran, each journaled", limit, len(ran))
	}
}
