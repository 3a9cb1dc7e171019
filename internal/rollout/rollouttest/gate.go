package rollouttest

import (
	"context"
	"sync"

	"github.com/tenantctl/tenantctl/internal/rollout/outcome"
)

// Gate is a gate whose alarms the test sets: Firing maps a stack to the
// alarms it has in ALARM; Err, when set, is what every check returns.
type Gate struct {
	mu     sync.Mutex
	Firing map[string][]string
	Err    error
	checks [][]string
}

// Check implements gate.Gate.
func (g *Gate) Check(_ context.Context, stacks []string) ([]outcome.Alarm, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.checks = append(g.checks, append([]string(nil), stacks...))
	if g.Err != nil {
		return nil, g.Err
	}
	var out []outcome.Alarm
	for _, s := range stacks {
		for _, name := range g.Firing[s] {
			out = append(out, outcome.Alarm{Name: name, Stack: s, Reason: "Threshold Crossed"})
		}
	}
	return out, nil
}

// Set replaces the firing alarms.
func (g *Gate) Set(firing map[string][]string) {
	g.mu.Lock()
	g.Firing = firing
	g.mu.Unlock()
}

// Checks lists the stacks of every check, in order.
func (g *Gate) Checks() [][]string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([][]string(nil), g.checks...)
}
