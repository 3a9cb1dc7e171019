// Package samplefleet loads the bundled sample fleet (tenants/ at the
// repository root) for the tests of every package, wherever they run from.
package samplefleet

import (
	"path/filepath"
	"testing"

	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/internal/testutil/sourcetree"
)

// root is the repository root.
func root() string { return sourcetree.Root() }

// Dir is the sample fleet's tenants directory.
func Dir() string { return filepath.Join(root(), "tenants") }

// StacksDir is the sample stacks' configuration directory.
func StacksDir() string { return filepath.Join(root(), "stacks") }

// Load loads, defaults and validates the sample fleet, failing the test when
// it does not load cleanly.
func Load(tb testing.TB) *spec.Fleet {
	tb.Helper()
	f, err := spec.LoadDir(Dir())
	if err != nil {
		tb.Fatalf("loading the sample fleet: %v", err)
	}
	return f
}
