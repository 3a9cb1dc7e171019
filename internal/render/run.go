package render

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/tenantctl/tenantctl/internal/naming"
)

// Project is the Pulumi project name of tenantctl (Pulumi.yaml).
const Project = naming.Project

// Graph is the recorded resource graph of one stack.
type Graph struct {
	Stack     string      `json:"stack" yaml:"stack"`
	Resources []*Resource `json:"resources" yaml:"resources"`
	// URL is where the stack's tenant answers (its url output); empty for
	// the platform.
	URL string `json:"url,omitempty" yaml:"url,omitempty"`
	// EmulatorGaps are the ids of the emulator gaps the stack applied (what
	// it left out or adapted) when its configuration points it at an
	// emulator; nil otherwise.
	EmulatorGaps []string `json:"emulatorGaps,omitempty" yaml:"emulatorGaps,omitempty"`
	// Outputs are the names of the stack's outputs, sorted.
	Outputs []string `json:"-" yaml:"-"`
}

// Options of Run.
type Options struct {
	// Stack is the stack name ("platform" or a tenant id).
	Stack string
	// Config is the stack's configuration, keys as namespace:key.
	Config map[string]string
	// Secrets are the keys of Config that are secrets.
	Secrets []string
	// Recorder is the mock monitor; a Preview recorder when nil.
	Recorder *Recorder
}

// Run runs a program under the mock monitor and returns the graph it
// registered. The program's error (a bad tenant, a refused provider) is
// returned as is.
func Run(program pulumi.RunFunc, o Options) (*Graph, error) {
	rec := o.Recorder
	if rec == nil {
		rec = &Recorder{Preview: true}
	}
	err := pulumi.RunErr(program, pulumi.WithMocks(Project, o.Stack, rec), func(info *pulumi.RunInfo) {
		info.Config = o.Config
		info.ConfigSecretKeys = o.Secrets
		info.DryRun = rec.Preview
	})
	if err != nil {
		return nil, fmt.Errorf("stack %s: %w", o.Stack, err)
	}
	return &Graph{Stack: o.Stack, Resources: rec.Resources()}, nil
}
