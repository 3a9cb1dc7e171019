package rollout

import (
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Programs gives the inline Pulumi program and the stack configuration of each
// stack ("platform" or a tenant id). internal/stackconfig provides it from the
// isolation models; the rollout never builds resources itself.
type Programs interface {
	Program(stack string) (pulumi.RunFunc, error)
	Config(stack string) (map[string]auto.ConfigValue, error)
}
