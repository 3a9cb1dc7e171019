package render

import (
	"testing"

	"github.com/tenantctl/tenantctl/internal/testutil/sourcetree"
)

// TestWorkerPoolsAreErrgroups fails when a hand-written sync.WaitGroup pool
// comes back: bounded fan-out is errgroup.Group with SetLimit. The rollout's
// scheduler keeps its own (it has tolerance logic), and internal/spec's
// loader pool is left to the split of load.go.
func TestWorkerPoolsAreErrgroups(t *testing.T) {
	for _, file := range sourcetree.Containing(t, "sync.WaitGroup", "internal/rollout/runner/runner.go", "internal/spec") {
		t.Errorf("%s runs a WaitGroup pool; use errgroup.Group with SetLimit", file)
	}
}
