// Package shared keeps one rollout where all of its runners meet: in the
// state backend's object store (S3, under .tenantctl/), so that the
// `--shard i/n` runners of a CI matrix share one plan, one journal, one lock,
// one failure count and the barrier at the end of every wave, and any runner
// can resume what another one started.
//
// Every write is conditional (package objstore): the plan, the halt and the
// end are created once, first writer wins; each runner appends its journal
// batches as objects of its own stream that are never overwritten; the lock
// is taken by create and given up by delete-if-unchanged. Nothing is read
// back and rewritten, so no runner can lose another's record.
package shared

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/tenantctl/tenantctl/internal/objstore"
	"github.com/tenantctl/tenantctl/internal/rollout/journal"
	"github.com/tenantctl/tenantctl/internal/rollout/outcome"
	"github.com/tenantctl/tenantctl/internal/rollout/plan"
)

// Board is one rollout's shared state, as one runner process sees it.
type Board struct {
	store  objstore.Store
	id     string
	writer string

	mu    sync.Mutex
	cache map[string][]journal.Record // log objects read, by key: they never change
}

// Open returns the board of rollout id for a runner of shard (e.g. "2of4";
// "" for a runner of the whole plan). Each process writes a stream of its
// own, named by the shard and a random suffix, so a runner that resumes a
// dead one's shard never writes over its records.
func Open(store objstore.Store, id, shard string) (*Board, error) {
	if err := plan.CheckID(id); err != nil {
		return nil, err
	}
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	if shard == "" {
		shard = "all"
	}
	return &Board{store: store, id: id, writer: shard + "-" + hex.EncodeToString(b[:]), cache: map[string][]journal.Record{}}, nil
}

// Writer names this runner's journal stream.
func (b *Board) Writer() string { return b.writer }

func (b *Board) key(parts ...string) string {
	return "rollouts/" + b.id + "/" + strings.Join(parts, "/")
}

// ErrExists says a plan for the rollout id is on the board already.
var ErrExists = errors.New("the rollout exists already")

// CreatePlan puts the plan on the board: the journal's first record, for
// every runner. It is refused when one is there (ErrExists).
func (b *Board) CreatePlan(ctx context.Context, p *plan.Plan) error {
	if p.ID != b.id {
		return fmt.Errorf("plan %s on the board of rollout %s", p.ID, b.id)
	}
	data, err := json.Marshal(journal.Record{Time: p.Created.UTC(), Type: journal.RecPlan, Plan: p})
	if err != nil {
		return err
	}
	if _, err := b.store.Create(ctx, b.key("plan.json"), data); err != nil {
		if errors.Is(err, objstore.ErrExists) {
			return fmt.Errorf("rollout %s: %w", b.id, ErrExists)
		}
		return err
	}
	return nil
}

// ErrNoRollout says the board holds no plan for the rollout id.
var ErrNoRollout = errors.New("no such rollout on the backend")

// Records are the rollout's journal: the plan, then every runner's records
// merged by time (a stack's records come from one runner at a time, and a
// runner resuming a dead one's stack starts after it died, so time orders
// each stack's records).
func (b *Board) Records(ctx context.Context) ([]journal.Record, error) {
	obj, err := b.store.Get(ctx, b.key("plan.json"))
	if errors.Is(err, objstore.ErrNotFound) {
		return nil, fmt.Errorf("rollout %s: %w", b.id, ErrNoRollout)
	}
	if err != nil {
		return nil, err
	}
	var first journal.Record
	if err := json.Unmarshal(obj.Data, &first); err != nil || first.Type != journal.RecPlan || first.Plan == nil {
		return nil, fmt.Errorf("rollout %s: its plan object is not a plan record", b.id)
	}
	keys, err := b.store.List(ctx, b.key("log")+"/")
	if err != nil {
		return nil, err
	}
	if err := b.readNew(ctx, keys); err != nil {
		return nil, err
	}
	b.mu.Lock()
	type at struct {
		rec  journal.Record
		key  string
		line int
	}
	var all []at
	for _, k := range keys {
		for i, r := range b.cache[k] {
			all = append(all, at{r, k, i})
		}
	}
	b.mu.Unlock()
	sort.SliceStable(all, func(i, j int) bool {
		if !all[i].rec.Time.Equal(all[j].rec.Time) {
			return all[i].rec.Time.Before(all[j].rec.Time)
		}
		if all[i].key != all[j].key {
			return all[i].key < all[j].key
		}
		return all[i].line < all[j].line
	})
	recs := []journal.Record{first}
	for _, a := range all {
		recs = append(recs, a.rec)
	}
	return recs, nil
}

// readNew reads the log objects not read yet, a few at a time.
func (b *Board) readNew(ctx context.Context, keys []string) error {
	var todo []string
	b.mu.Lock()
	for _, k := range keys {
		if _, ok := b.cache[k]; !ok {
			todo = append(todo, k)
		}
	}
	b.mu.Unlock()
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(16)
	for _, k := range todo {
		g.Go(func() error {
			obj, err := b.store.Get(gctx, k)
			if err != nil {
				return err
			}
			recs, err := journal.Parse(k, obj.Data)
			if err != nil {
				return err
			}
			b.mu.Lock()
			b.cache[k] = recs
			b.mu.Unlock()
			return nil
		})
	}
	return g.Wait()
}

// State folds the merged journal.
func (b *Board) State(ctx context.Context) (*journal.State, error) {
	recs, err := b.Records(ctx)
	if err != nil {
		return nil, err
	}
	return journal.Fold(recs), nil
}

// Journal is this runner's journal: each group-committed batch becomes one
// object of the runner's stream, created (never overwritten) before the
// batch counts as durable.
func (b *Board) Journal(ctx context.Context) *journal.Journal {
	s := &sink{ctx: ctx, board: b}
	return journal.NewSink(s, s.store)
}

type sink struct {
	ctx   context.Context
	board *Board
	buf   bytes.Buffer
	seq   int
}

func (s *sink) Write(p []byte) (int, error) { return s.buf.Write(p) }

func (s *sink) store() error {
	if s.buf.Len() == 0 {
		return nil
	}
	key := s.board.key("log", s.board.writer, fmt.Sprintf("%010d.jsonl", s.seq))
	// A cancelled rollout still records how it ended: the write outlives
	// the context it was started under.
	ctx := context.WithoutCancel(s.ctx)
	if _, err := s.board.store.Create(ctx, key, s.buf.Bytes()); err != nil {
		return err
	}
	s.buf.Reset()
	s.seq++
	return nil
}

// marker is what the halt and end objects hold.
type marker struct {
	Writer string         `json:"writer"`
	Reason string         `json:"reason,omitempty"`
	Status outcome.Status `json:"status,omitempty"`
	Time   time.Time      `json:"time"`
}

// Halt halts the rollout for every runner. The first halt stands: the
// reason returned is the one on the board, this runner's or an earlier one's.
func (b *Board) Halt(ctx context.Context, reason string) (string, error) {
	data, _ := json.Marshal(marker{Writer: b.writer, Reason: reason, Time: time.Now().UTC()})
	_, err := b.store.Create(ctx, b.key("halt.json"), data)
	if err == nil {
		return reason, nil
	}
	if !errors.Is(err, objstore.ErrExists) {
		return "", err
	}
	got, _, err := b.Halted(ctx)
	return got, err
}

// Halted tells whether a runner halted the rollout, and why.
func (b *Board) Halted(ctx context.Context) (string, bool, error) {
	obj, err := b.store.Get(ctx, b.key("halt.json"))
	if errors.Is(err, objstore.ErrNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	var m marker
	if err := json.Unmarshal(obj.Data, &m); err != nil {
		return "", false, fmt.Errorf("rollout %s: its halt marker is damaged: %w", b.id, err)
	}
	return m.Reason, true, nil
}

// Finish marks the rollout ended with status; true for the one runner whose
// mark stands, which then writes the journal's end record and gives the lock up.
func (b *Board) Finish(ctx context.Context, status outcome.Status) (bool, error) {
	data, _ := json.Marshal(marker{Writer: b.writer, Status: status, Time: time.Now().UTC()})
	_, err := b.store.Create(ctx, b.key("end.json"), data)
	if errors.Is(err, objstore.ErrExists) {
		return false, nil
	}
	return err == nil, err
}

// Ended tells whether the rollout was finished.
func (b *Board) Ended(ctx context.Context) (bool, error) {
	_, err := b.store.Get(ctx, b.key("end.json"))
	if errors.Is(err, objstore.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// Settled reports whether every one of stacks has a final result (succeeded,
// failed or cancelled) in st, and how many failed.
func Settled(st *journal.State, stacks []string) (settled bool, failed int) {
	settled = true
	for _, s := range stacks {
		row := st.Rows[s]
		if row == nil {
			settled = false
			continue
		}
		switch row.Result {
		case outcome.ResultSucceeded:
		case outcome.ResultFailed, outcome.ResultCancelled:
			failed++
		default:
			settled = false
		}
	}
	return settled, failed
}

// Barrier waits until every stack of stacks has a final result, by whichever
// runner, polling the board every poll; it returns the halt reason when a
// runner halts the rollout first. ctx ends the wait.
func (b *Board) Barrier(ctx context.Context, stacks []string, poll time.Duration) (halted string, err error) {
	for {
		if reason, ok, err := b.Halted(ctx); err != nil || ok {
			return reason, err
		}
		st, err := b.State(ctx)
		if err != nil {
			return "", err
		}
		if ok, _ := Settled(st, stacks); ok {
			return "", nil
		}
		t := time.NewTimer(poll)
		select {
		case <-ctx.Done():
			t.Stop()
			return "", ctx.Err()
		case <-t.C:
		}
	}
}

// Mine is the part of a wave's stacks shard i of n runs: every n-th stack of
// the wave from the i-th (1-based), so each runner gets an even share of
// every wave and all runners agree without talking.
func Mine(stacks []string, i, n int) []string {
	var out []string
	for k, s := range stacks {
		if k%n == i-1 {
			out = append(out, s)
		}
	}
	return slices.Clip(out)
}
