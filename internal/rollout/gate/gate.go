// Package gate decides, once a wave of a rollout has baked, whether the
// rollout may go on: a Gate reads the signals of the wave's stacks and names
// what is wrong. The runner halts on anything a gate finds and on any error a
// gate returns, so a gate that cannot read its signals never lets a release
// through. The alarms gate reads CloudWatch alarms (package alarms).
package gate

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/tenantctl/tenantctl/internal/alarms"
	"github.com/tenantctl/tenantctl/internal/rollout/outcome"
)

// Gate reads the signals of a wave's stacks.
type Gate interface {
	// Check returns the alarms in ALARM among stacks; an error means the
	// gate could not tell.
	Check(ctx context.Context, stacks []string) ([]outcome.Alarm, error)
}

// NameAlarms is the gate of CloudWatch alarms named <prefix>-<tenant>-<signal>.
const NameAlarms = "alarms"

// Names lists the gates a rollout can name with --gate.
func Names() []string { return []string{NameAlarms} }

// CheckName refuses a gate name no rollout knows.
func CheckName(name string) error {
	if !slices.Contains(Names(), name) {
		return fmt.Errorf("--gate %q: not a gate (one of %s)", name, strings.Join(Names(), ", "))
	}
	return nil
}

// Alarms is the alarms gate: it halts on any alarm of the wave's stacks in
// ALARM.
type Alarms struct{ Reader *alarms.Reader }

// Check reads every stack's firing alarms, stopping at the first that cannot
// be read.
func (g Alarms) Check(ctx context.Context, stacks []string) ([]outcome.Alarm, error) {
	var out []outcome.Alarm
	for _, s := range stacks {
		firing, err := g.Reader.Firing(ctx, s)
		if err != nil {
			return nil, err
		}
		for _, a := range firing {
			out = append(out, outcome.Alarm{Name: a.Name, Stack: s, Reason: a.Reason})
		}
	}
	return out, nil
}
