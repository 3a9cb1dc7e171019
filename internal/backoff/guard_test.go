package backoff

import (
	"testing"

	"github.com/tenantctl/tenantctl/internal/testutil/sourcetree"
)

// TestOneBackoff fails when Go code outside this package grows a delay by
// doubling: the rollout's retries and the account manager's polls once had a
// backoff loop each.
func TestOneBackoff(t *testing.T) {
	for _, file := range sourcetree.Containing(t, "*= 2", "internal/backoff") {
		t.Errorf("%s doubles a delay itself; use backoff.Exp", file)
	}
}
