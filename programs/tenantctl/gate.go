package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/cobra"

	"github.com/tenantctl/tenantctl/internal/alarms"
	"github.com/tenantctl/tenantctl/internal/awscfg"
	"github.com/tenantctl/tenantctl/internal/rollout/gate"
	"github.com/tenantctl/tenantctl/internal/rollout/outcome"
	"github.com/tenantctl/tenantctl/internal/rollout/plan"
	"github.com/tenantctl/tenantctl/internal/spec"
)

// safeReleaseOptions are rollout's flags of a safe release: how long each
// wave bakes, the gate checked after it, and what follows a halt.
type safeReleaseOptions struct {
	bake   time.Duration
	gate   string
	onHalt string
}

func (s *safeReleaseOptions) addFlags(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.DurationVar(&s.bake, "bake", 0, "after each wave, wait this long (e.g. 10m) before checking --gate; needs --gate")
	fs.StringVar(&s.gate, "gate", "", "after each wave (and its --bake), halt when the gate finds a problem: alarms (CloudWatch alarms <prefix>-<tenant>-* in ALARM)")
	fs.StringVar(&s.onHalt, "on-halt", "", "what follows a halt (over tolerance or at a gate): rollback redeploys what the rollout changed at the release it replaced")
}

// validate refuses a bake without a gate, an unknown gate and an unknown
// on-halt action: usage errors, before anything starts.
func (s *safeReleaseOptions) validate() error {
	if s.bake < 0 {
		return usageError(fmt.Errorf("--bake %s: want a duration above 0, e.g. 10m", s.bake))
	}
	if s.gate != "" {
		if err := gate.CheckName(s.gate); err != nil {
			return usageError(err)
		}
	}
	if s.bake > 0 && s.gate == "" {
		return usageError(errors.New("--bake waits before a gate is checked; name the gate with --gate alarms"))
	}
	if s.onHalt != "" && s.onHalt != plan.OnHaltRollback {
		return usageError(fmt.Errorf("--on-halt %q: want %s", s.onHalt, plan.OnHaltRollback))
	}
	return nil
}

// newGate builds the gate a plan names for the fleet f; tests replace it.
// A gate that cannot be built still comes back, as one that halts the
// rollout with the reason at its first check.
var newGate = func(ctx context.Context, e *engineOptions, f *spec.Fleet, name string) gate.Gate {
	if err := gate.CheckName(name); err != nil {
		return brokenGate{err}
	}
	reader, err := alarmReader(ctx, e, f)
	if err != nil {
		return brokenGate{err}
	}
	return gate.Alarms{Reader: reader}
}

// alarmReader reads the fleet's alarms: from the emulator at the endpoint,
// else from AWS in the platform region with the standard credential chain.
func alarmReader(ctx context.Context, e *engineOptions, f *spec.Fleet) (*alarms.Reader, error) {
	var cfg aws.Config
	var err error
	if e.endpoint.url != "" {
		cfg, _, err = e.endpoint.sdkConfig(ctx, f.Settings.PlatformRegion)
	} else {
		cfg, err = awscfg.Load(ctx, awscfg.Options{Region: f.Settings.PlatformRegion})
	}
	if err != nil {
		return nil, err
	}
	owners := []string{plan.PlatformStack}
	for _, t := range f.Tenants {
		owners = append(owners, t.ID)
	}
	return &alarms.Reader{API: alarms.NewClient(cfg), Prefix: f.Settings.NamePrefix, Owners: owners}, nil
}

// brokenGate is a gate that could not be set up: every check fails with why.
type brokenGate struct{ err error }

func (b brokenGate) Check(context.Context, []string) ([]outcome.Alarm, error) { return nil, b.err }
