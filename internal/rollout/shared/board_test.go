package shared_test

import (
	"context"
	"errors"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/tenantctl/tenantctl/internal/objstore"
	"github.com/tenantctl/tenantctl/internal/rollout/journal"
	"github.com/tenantctl/tenantctl/internal/rollout/outcome"
	"github.com/tenantctl/tenantctl/internal/rollout/plan"
	"github.com/tenantctl/tenantctl/internal/rollout/shared"
	"github.com/tenantctl/tenantctl/internal/testutil/moto"
)

func TestMain(m *testing.M) { os.Exit(moto.Main(m)) }

func stores(t *testing.T) map[string]objstore.Store {
	return map[string]objstore.Store{"mem": &objstore.Mem{}, "s3": moto.Bucket(t, "s3://tenantctl-state/prod")}
}

func testPlan() *plan.Plan {
	return &plan.Plan{
		ID: "20261202T070000Z-abcdef", Op: plan.OpUp, Created: time.Date(2026, 12, 2, 7, 0, 0, 0, time.UTC),
		Fleet: "tenants", Backend: "s3://tenantctl-state/prod",
		Waves: []plan.Wave{
			{Index: 1, Name: "canary", Stacks: []string{"hooli"}, MaxConcurrency: 1},
			{Index: 2, Name: "wave-2", Stacks: []string{"initech", "wonka", "oscorp", "soylent", "tyrell"}, MaxConcurrency: 4, Tolerance: 1},
		},
	}
}

func result(stack string, r outcome.Result) journal.Record {
	return journal.Record{Type: journal.RecResult, Stack: stack, Result: r}
}

// TestRunnersShareOneJournal: two shards write their own streams; every
// runner reads the same merged state, a wave's barrier opens only when both
// have finished their share, and the failure count is the wave's, whoever ran
// the failed stack.
func TestRunnersShareOneJournal(t *testing.T) {
	ctx := context.Background()
	for name, store := range stores(t) {
		t.Run(name, func(t *testing.T) {
			p := testPlan()
			one, _ := shared.Open(store, p.ID, "1of2")
			two, _ := shared.Open(store, p.ID, "2of2")
			if err := one.CreatePlan(ctx, p); err != nil {
				t.Fatal(err)
			}
			if err := two.CreatePlan(ctx, p); !errors.Is(err, shared.ErrExists) {
				t.Fatalf("a second plan for the rollout: %v", err)
			}
			wave := p.Waves[1].Stacks
			mine1, mine2 := shared.Mine(wave, 1, 2), shared.Mine(wave, 2, 2)
			if !slices.Equal(mine1, []string{"initech", "oscorp", "tyrell"}) || !slices.Equal(mine2, []string{"wonka", "soylent"}) {
				t.Fatalf("shares %v and %v", mine1, mine2)
			}
			j1, j2 := one.Journal(ctx), two.Journal(ctx)
			for _, s := range mine1 {
				if err := j1.Append(journal.Record{Type: journal.RecStart, Stack: s}); err != nil {
					t.Fatal(err)
				}
				if err := j1.Append(result(s, outcome.ResultSucceeded)); err != nil {
					t.Fatal(err)
				}
			}
			// Runner one waits at the barrier while runner two works.
			opened := make(chan error, 1)
			go func() {
				reason, err := one.Barrier(ctx, wave, 20*time.Millisecond)
				if err == nil && reason != "" {
					err = errors.New("halted: " + reason)
				}
				opened <- err
			}()
			j2.Append(journal.Record{Type: journal.RecStart, Stack: "wonka"})
			j2.Append(result("wonka", outcome.ResultFailed))
			select {
			case err := <-opened:
				t.Fatalf("the barrier opened with soylent still to run: %v", err)
			case <-time.After(100 * time.Millisecond):
			}
			j2.Append(journal.Record{Type: journal.RecStart, Stack: "soylent"})
			j2.Append(result("soylent", outcome.ResultSucceeded))
			if err := <-opened; err != nil {
				t.Fatal(err)
			}
			for _, b := range []*shared.Board{one, two} {
				st, err := b.State(ctx)
				if err != nil {
					t.Fatal(err)
				}
				settled, failed := shared.Settled(st, wave)
				if !settled || failed != 1 || st.Rows["wonka"].Result != outcome.ResultFailed || st.Plan.ID != p.ID {
					t.Fatalf("%s sees settled=%v failed=%d rows=%v", b.Writer(), settled, failed, st.Rows)
				}
			}
			if first, err := two.Finish(ctx, outcome.StatusSucceeded); err != nil || !first {
				t.Fatalf("finish: %v, %v", first, err)
			}
			if first, err := one.Finish(ctx, outcome.StatusSucceeded); err != nil || first {
				t.Fatalf("a second finish stood: %v, %v", first, err)
			}
		})
	}
}

// TestResumeByAnotherRunner: a runner dies after starting a stack; a new
// process for the same shard sees it interrupted, runs it, and the merged
// journal shows it succeeded once.
func TestResumeByAnotherRunner(t *testing.T) {
	ctx := context.Background()
	for name, store := range stores(t) {
		t.Run(name, func(t *testing.T) {
			p := testPlan()
			dead, _ := shared.Open(store, p.ID, "1of1")
			if err := dead.CreatePlan(ctx, p); err != nil {
				t.Fatal(err)
			}
			jd := dead.Journal(ctx)
			jd.Append(journal.Record{Type: journal.RecStart, Stack: "hooli"})
			jd.Append(result("hooli", outcome.ResultSucceeded))
			jd.Append(journal.Record{Type: journal.RecStart, Stack: "initech"})
			// ... and the runner is gone.
			heir, _ := shared.Open(store, p.ID, "1of1")
			if heir.Writer() == dead.Writer() {
				t.Fatal("two processes share a journal stream")
			}
			st, err := heir.State(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if st.Rows["initech"].Result != outcome.ResultInterrupted || !st.Succeeded()["hooli"] {
				t.Fatalf("the heir sees %v", st.Rows)
			}
			jh := heir.Journal(ctx)
			jh.Append(journal.Record{Type: journal.RecResume})
			jh.Append(journal.Record{Type: journal.RecStart, Stack: "initech"})
			jh.Append(result("initech", outcome.ResultSucceeded))
			st, err = dead.State(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if st.Rows["initech"].Result != outcome.ResultSucceeded || st.Runs != 2 {
				t.Fatalf("after the resume: %v, %d runs", st.Rows["initech"], st.Runs)
			}
		})
	}
}

// TestHaltFirstWins: the first runner to halt names the reason for all.
func TestHaltFirstWins(t *testing.T) {
	ctx := context.Background()
	store := &objstore.Mem{}
	p := testPlan()
	one, _ := shared.Open(store, p.ID, "1of2")
	two, _ := shared.Open(store, p.ID, "2of2")
	one.CreatePlan(ctx, p)
	if got, err := two.Halt(ctx, "wave 2: 2 failed, tolerance 1"); err != nil || got != "wave 2: 2 failed, tolerance 1" {
		t.Fatalf("halt: %q, %v", got, err)
	}
	if got, err := one.Halt(ctx, "alarm hooli-5xx"); err != nil || got != "wave 2: 2 failed, tolerance 1" {
		t.Fatalf("second halt: %q, %v", got, err)
	}
	if reason, err := one.Barrier(ctx, p.Waves[1].Stacks, time.Millisecond); err != nil || reason == "" {
		t.Fatalf("a barrier of a halted rollout: %q, %v", reason, err)
	}
	missing, _ := shared.Open(store, "20261202T070000Z-ffffff", "")
	if _, err := missing.State(ctx); !errors.Is(err, shared.ErrNoRollout) {
		t.Fatalf("state of no rollout: %v", err)
	}
}

// TestLock: runners of one rollout join its lock, another rollout is told
// who holds it, and a lock an ended rollout left behind is taken over.
func TestLock(t *testing.T) {
	ctx := context.Background()
	for name, store := range stores(t) {
		t.Run(name, func(t *testing.T) {
			p := testPlan()
			board, _ := shared.Open(store, p.ID, "1of2")
			board.CreatePlan(ctx, p)
			first, err := shared.Acquire(ctx, store, journal.LockInfo{Rollout: p.ID, Host: "runner-1"})
			if err != nil || first.Joined {
				t.Fatalf("first: %+v, %v", first, err)
			}
			second, err := shared.Acquire(ctx, store, journal.LockInfo{Rollout: p.ID, Host: "runner-2"})
			if err != nil || !second.Joined {
				t.Fatalf("a runner of the same rollout: %+v, %v", second, err)
			}
			other := journal.LockInfo{Rollout: "20261202T080000Z-000000", Host: "laptop"}
			var locked *journal.LockedError
			if _, err := shared.Acquire(ctx, store, other); !errors.As(err, &locked) || locked.Holder.Host != "runner-1" {
				t.Fatalf("another rollout: %v", err)
			}
			board.Finish(ctx, outcome.StatusSucceeded) // ended, but the lock was never given up
			taken, err := shared.Acquire(ctx, store, other)
			if err != nil || taken.Joined {
				t.Fatalf("taking over the lock of an ended rollout: %+v, %v", taken, err)
			}
			if err := first.Release(ctx); err != nil {
				t.Fatalf("releasing a lock taken over: %v", err)
			}
			if _, err := shared.Acquire(ctx, store, journal.LockInfo{Rollout: p.ID}); !errors.As(err, &locked) {
				t.Fatalf("the old holder's release freed the new holder's lock: %v", err)
			}
			if err := taken.Release(ctx); err != nil {
				t.Fatal(err)
			}
			if l, err := shared.Acquire(ctx, store, journal.LockInfo{Rollout: "20261202T090000Z-000000"}); err != nil || l.Joined {
				t.Fatalf("after release: %+v, %v", l, err)
			}
		})
	}
}
