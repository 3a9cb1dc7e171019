package plan

import "github.com/tenantctl/tenantctl/internal/naming"

// Op is the operation a rollout runs on each stack.
type Op string

// The operations a rollout runs.
const (
	OpPreview Op = "preview"
	OpUp      Op = "up"
	// OpRefresh of a drift plan (Plan.Drift) reports drift without writing state.
	OpRefresh Op = "refresh"
	OpDestroy Op = "destroy"
)

// Valid reports whether op is one of the four operations.
func (op Op) Valid() bool {
	return op == OpPreview || op == OpUp || op == OpRefresh || op == OpDestroy
}

// PlatformStack is the name of the stack of the platform's shared infrastructure;
// every other stack is named by a tenant id.
const PlatformStack = naming.PlatformStack
