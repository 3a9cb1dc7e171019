package render

import (
	"errors"
	"maps"
	"runtime"
	"slices"

	"github.com/tenantctl/tenantctl/internal/lambdabuild"
	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/internal/stackconfig"
	"github.com/tenantctl/tenantctl/models"
	"github.com/tenantctl/tenantctl/models/emulation"
	"golang.org/x/sync/errgroup"
)

// Stack renders one stack of the fleet ("platform" or a tenant id) in Preview
// mode, with its configuration from config (none when nil). It builds no
// Lambda package: the graph names the package a deployment builds.
func Stack(f *spec.Fleet, stack string, config stackconfig.Source) (*Graph, error) {
	return StackWith(f, stack, config, lambdabuild.Unbuilt{})
}

// StackWith is Stack with the platform's Lambda packages from lambdas.
func StackWith(f *spec.Fleet, stack string, config stackconfig.Source, lambdas lambdabuild.Builder) (*Graph, error) {
	var gaps, outputs []string
	program, err := models.ProgramWith(f, stack, models.Options{Lambdas: lambdas, Observe: func(outs models.Outputs) {
		if ids, ok := emulation.AppliedIn(outs); ok {
			gaps = append([]string{}, ids...)
		}
		outputs = slices.Sorted(maps.Keys(outs))
	}})
	if err != nil {
		return nil, err
	}
	o := Options{Stack: stack}
	if config != nil {
		cfg, err := config(stack)
		if err != nil {
			return nil, err
		}
		o.Config, o.Secrets = stackconfig.Plain(cfg)
	}
	g, err := Run(program, o)
	if err != nil {
		return nil, err
	}
	g.EmulatorGaps, g.Outputs = gaps, outputs
	// The stack's url output is spec.Settings.URL, known before anything
	// deploys (models/models_test checks the output against it).
	if t := f.Tenant(stack); t != nil {
		g.URL = f.Settings.URL(t)
	}
	return g, nil
}

// Stacks renders several stacks, up to GOMAXPROCS at a time, and returns the
// graphs in the order of the names. Every failure is returned, joined; the
// graphs are returned only when all succeeded.
func Stacks(f *spec.Fleet, stacks []string, config stackconfig.Source) ([]*Graph, error) {
	graphs := make([]*Graph, len(stacks))
	errs := make([]error, len(stacks))
	// A plain Group, not WithContext: one failure must not stop the others,
	// every error is reported.
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i := range stacks {
		g.Go(func() error {
			graphs[i], errs[i] = Stack(f, stacks[i], config)
			return nil
		})
	}
	g.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return graphs, nil
}

// AllStacks are the fleet's stacks: the platform, then every tenant by id.
func AllStacks(f *spec.Fleet) []string {
	out := []string{models.PlatformStack}
	for _, t := range f.Tenants {
		out = append(out, t.ID)
	}
	return out
}
