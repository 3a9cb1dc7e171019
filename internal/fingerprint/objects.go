package fingerprint

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/tenantctl/tenantctl/internal/objstore"
	"golang.org/x/sync/errgroup"
)

// Objects is a Store of one object per stack in an object store: the
// records of a backend kept in the backend itself (S3), so every runner of
// every machine decides alike.
type Objects struct{ Store objstore.Store }

func objectKey(stack string) (string, error) {
	if !stackNameRe.MatchString(stack) {
		return "", fmt.Errorf("stack %q: not a stack name (lower-case letters, digits and '-')", stack)
	}
	return "fingerprints/" + stack + ".json", nil
}

// Load implements Store, reading up to 32 records at a time.
func (o Objects) Load(ctx context.Context, stacks []string) (map[string]Record, error) {
	out := make(map[string]Record, len(stacks))
	got := make([]*Record, len(stacks))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(32)
	for i, s := range stacks {
		g.Go(func() error {
			key, err := objectKey(s)
			if err != nil {
				return nil // a name no record can have: the stack runs
			}
			obj, err := o.Store.Get(gctx, key)
			if errors.Is(err, objstore.ErrNotFound) {
				return nil
			}
			if err != nil {
				return err
			}
			var r Record
			if err := json.Unmarshal(obj.Data, &r); err != nil || r.Stack != s || !Valid(r.Fingerprint) {
				return fmt.Errorf("%s: not a fingerprint record of stack %s; delete it and the stack runs again", key, s)
			}
			got[i] = &r
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for i, r := range got {
		if r != nil {
			out[stacks[i]] = *r
		}
	}
	return out, nil
}

// Put implements Store: create, or replace the version read just before.
func (o Objects) Put(ctx context.Context, r Record) error {
	if !Valid(r.Fingerprint) {
		return fmt.Errorf("stack %s: %q is not a fingerprint", r.Stack, r.Fingerprint)
	}
	key, err := objectKey(r.Stack)
	if err != nil {
		return err
	}
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	for {
		_, err := o.Store.Create(ctx, key, data)
		if !errors.Is(err, objstore.ErrExists) {
			return err
		}
		old, err := o.Store.Get(ctx, key)
		if errors.Is(err, objstore.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if _, err := o.Store.Replace(ctx, key, data, old.ETag); !errors.Is(err, objstore.ErrChanged) {
			return err
		}
	}
}

// Forget implements Store.
func (o Objects) Forget(ctx context.Context, stack string) error {
	key, err := objectKey(stack)
	if err != nil {
		return nil // a name no record can have has none
	}
	for {
		old, err := o.Store.Get(ctx, key)
		if errors.Is(err, objstore.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := o.Store.Delete(ctx, key, old.ETag); !errors.Is(err, objstore.ErrChanged) {
			return err
		}
	}
}
