package shared

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/tenantctl/tenantctl/internal/objstore"
	"github.com/tenantctl/tenantctl/internal/rollout/journal"
)

// lockKey is the one rollout lock of a backend. Runners of one fleet check
// it out at different paths on different machines, so unlike the local lock
// it is not keyed on the fleet directory: one rollout at a time per backend.
const lockKey = "locks/rollout.json"

// Lock is a held (or joined) rollout lock in the object store.
type Lock struct {
	store  objstore.Store
	etag   string
	Joined bool // another runner of the same rollout took it
}

// Acquire takes the backend's rollout lock for info.Rollout. A runner of the
// same rollout joins the lock its first runner took; a lock left by a
// rollout that has ended (its end marker is on the board: it crashed after
// finishing, before giving the lock up) is taken over; any other holder is a
// *journal.LockedError naming it.
func Acquire(ctx context.Context, store objstore.Store, info journal.LockInfo) (*Lock, error) {
	data, err := json.Marshal(info)
	if err != nil {
		return nil, err
	}
	etag, err := store.Create(ctx, lockKey, data)
	if err == nil {
		return &Lock{store: store, etag: etag}, nil
	}
	if !errors.Is(err, objstore.ErrExists) {
		return nil, fmt.Errorf("taking the rollout lock: %w", err)
	}
	held, err := store.Get(ctx, lockKey)
	if errors.Is(err, objstore.ErrNotFound) {
		return Acquire(ctx, store, info) // given up meanwhile: try again
	}
	if err != nil {
		return nil, fmt.Errorf("reading the rollout lock: %w", err)
	}
	var holder journal.LockInfo
	if err := json.Unmarshal(held.Data, &holder); err != nil {
		return nil, fmt.Errorf("the rollout lock %s is damaged (%v); if no rollout runs, delete it", lockKey, err)
	}
	if holder.Rollout == info.Rollout {
		return &Lock{store: store, etag: held.ETag, Joined: true}, nil
	}
	board, err := Open(store, holder.Rollout, "")
	if err != nil {
		return nil, fmt.Errorf("the rollout lock %s names no valid rollout (%v); if no rollout runs, delete it", lockKey, err)
	}
	if ended, err := board.Ended(ctx); err != nil {
		return nil, err
	} else if !ended {
		return nil, &journal.LockedError{Path: ".tenantctl/" + lockKey, Holder: holder}
	}
	etag, err = store.Replace(ctx, lockKey, data, held.ETag)
	if errors.Is(err, objstore.ErrChanged) {
		return Acquire(ctx, store, info) // another rollout took it over first
	}
	if err != nil {
		return nil, err
	}
	return &Lock{store: store, etag: etag}, nil
}

// Release gives the lock up; the runner that finished the rollout does it.
// A lock that changed hands meanwhile is left to its new holder.
func (l *Lock) Release(ctx context.Context) error {
	if err := l.store.Delete(ctx, lockKey, l.etag); err != nil && !errors.Is(err, objstore.ErrChanged) {
		return fmt.Errorf("releasing the rollout lock: %w", err)
	}
	return nil
}
