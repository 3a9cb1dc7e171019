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
	// OpRollback redeploys, with the engine's up, the release each stack ran
	// before the rollout it rolls back (Plan.RollbackOf, Plan.Releases).
	OpRollback Op = "rollback"
)

// Engine is the engine operation op runs on each stack: a rollback is an up
// of the earlier release.
func (op Op) Engine() Op {
	if op == OpRollback {
		return OpUp
	}
	return op
}

// Deploys reports whether op deploys a release onto its stacks (up and
// rollback): the operations the release ledger records.
func (op Op) Deploys() bool { return op == OpUp || op == OpRollback }

// Valid reports whether op is one of the four operations.
func (op Op) Valid() bool {
	return op == OpPreview || op == OpUp || op == OpRefresh || op == OpDestroy
}

// PlatformStack is the name of the stack of the platform's shared infrastructure;
// every other stack is named by a tenant id.
const PlatformStack = naming.PlatformStack
