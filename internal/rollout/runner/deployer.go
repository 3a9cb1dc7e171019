package runner

import (
	"context"
	"io"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/tenantctl/tenantctl/internal/rollout/outcome"
	"github.com/tenantctl/tenantctl/internal/rollout/plan"
)

// Stream is where one stack's operation reports as it runs.
type Stream struct {
	// Log receives the engine's progress text; it belongs to this stack alone.
	Log io.Writer
	// Event, when set, is called for each resource step the engine reports.
	Event func(Event)
	// PreviewOnly makes refresh a preview (drift detection) that changes no state.
	PreviewOnly bool
	// Release, when set, is the release an up deploys: the stack records it
	// (package auto: the tenantctl:release output and stack tag).
	Release string
}

// Event is one resource step of a running operation, as the engine reports it.
type Event struct {
	// Kind is "pre" when a step starts, "done" when it finished, "diag" for a
	// diagnostic message.
	Kind string
	// Op is the step's operation (create, update, delete, same, replace, refresh).
	Op string
	// URN names the resource.
	URN string
	// Message holds a diagnostic's text.
	Message string
}

// Deployer runs one operation on one stack. Implementations honour ctx: when it
// is cancelled the operation stops as cleanly as the engine allows and returns
// an error that outcome.ClassOf reports as outcome.ClassCancelled.
type Deployer interface {
	Run(ctx context.Context, op plan.Op, stack string, s Stream) (outcome.Changes, error)
}

// Programs gives the inline Pulumi program and the stack configuration of each
// stack ("platform" or a tenant id). internal/stackconfig provides it from the
// isolation models; the rollout never builds resources itself.
type Programs interface {
	Program(stack string) (pulumi.RunFunc, error)
	Config(stack string) (map[string]auto.ConfigValue, error)
}
