package objstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"
	"sync"
)

// Mem is a Store in memory. The zero value is ready.
type Mem struct {
	mu      sync.Mutex
	objects map[string]Object
	version int
}

func (m *Mem) etag(data []byte) string {
	m.version++
	sum := sha256.Sum256(append([]byte{byte(m.version), byte(m.version >> 8)}, data...))
	return `"` + hex.EncodeToString(sum[:8]) + `"`
}

// Get implements Store.
func (m *Mem) Get(_ context.Context, key string) (Object, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	o, ok := m.objects[key]
	if !ok {
		return Object{}, ErrNotFound
	}
	return Object{Data: append([]byte(nil), o.Data...), ETag: o.ETag}, nil
}

// Create implements Store.
func (m *Mem) Create(_ context.Context, key string, data []byte) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.objects[key]; ok {
		return "", ErrExists
	}
	if m.objects == nil {
		m.objects = map[string]Object{}
	}
	o := Object{Data: append([]byte(nil), data...), ETag: m.etag(data)}
	m.objects[key] = o
	return o.ETag, nil
}

// Replace implements Store.
func (m *Mem) Replace(_ context.Context, key string, data []byte, etag string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	o, ok := m.objects[key]
	if !ok || o.ETag != etag {
		return "", ErrChanged
	}
	o = Object{Data: append([]byte(nil), data...), ETag: m.etag(data)}
	m.objects[key] = o
	return o.ETag, nil
}

// Delete implements Store.
func (m *Mem) Delete(_ context.Context, key, etag string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	o, ok := m.objects[key]
	if !ok {
		return nil
	}
	if o.ETag != etag {
		return ErrChanged
	}
	delete(m.objects, key)
	return nil
}

// List implements Store.
func (m *Mem) List(_ context.Context, prefix string) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var keys []string
	for k := range m.objects {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys, nil
}
