// Package objstore keeps small objects where several processes on several
// machines can share them safely: every write is conditional (create only if
// absent, replace or delete only if unchanged since read), so two writers
// never both win. The S3 implementation uses S3's conditional writes
// (If-None-Match: * and If-Match: <etag>); Mem is the same contract in memory,
// for the tests of what is built on it.
package objstore

import (
	"context"
	"errors"
)

// ErrExists says a create found the key taken: another writer got there first.
var ErrExists = errors.New("the object exists already")

// ErrChanged says a replace or delete found the object changed (or gone)
// since its ETag was read.
var ErrChanged = errors.New("the object changed since it was read")

// ErrNotFound says there is no object at the key.
var ErrNotFound = errors.New("no such object")

// Object is an object's content and the ETag that names this version of it.
type Object struct {
	Data []byte
	ETag string
}

// Store is a bucket of objects under conditional writes. Keys are relative to
// the store's own prefix.
type Store interface {
	// Get reads an object; ErrNotFound when there is none.
	Get(ctx context.Context, key string) (Object, error)
	// Create writes an object that must not exist; ErrExists when it does.
	Create(ctx context.Context, key string, data []byte) (etag string, err error)
	// Replace overwrites the version etag names; ErrChanged otherwise.
	Replace(ctx context.Context, key string, data []byte, etag string) (string, error)
	// Delete removes the version etag names; ErrChanged otherwise. Deleting
	// what is gone already is no error.
	Delete(ctx context.Context, key, etag string) error
	// List returns the keys under prefix, sorted.
	List(ctx context.Context, prefix string) ([]string, error)
}
