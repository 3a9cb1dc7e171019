// Package plan decides what a rollout runs: it selects stacks from the fleet
// (tenant ids, tiers, models, labels, shards, what changed since a git ref),
// orders them by tier rank into waves with their concurrency and failure
// tolerance, and holds the Plan that the journal records and a resume runs
// again. It also names the fleet directory and state backend a plan is of.
package plan

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"time"
)

// Plan is what a rollout set out to do; it is the journal's first record and
// what --resume runs again.
type Plan struct {
	ID    string `json:"id"`
	Op    Op     `json:"op"`
	Drift bool   `json:"drift,omitempty"`
	// Fingerprints are the desired state of the stacks the rollout deploys
	// (package fingerprint), recorded for each stack whose up succeeds.
	Fingerprints map[string]string `json:"fingerprints,omitempty"`
	Release      string            `json:"release,omitempty"`
	Created      time.Time         `json:"created"`
	// Fleet is the tenants directory and Backend the state backend URL: together
	// they name what the rollout lock guards.
	Fleet   string `json:"fleet"`
	Backend string `json:"backend"`
	// Selection records the command line's selection, for people reading it.
	Selection string `json:"selection,omitempty"`
	// Bake is how long each wave bakes, once it ended, before its Gate is
	// checked; Gate names the gate (package gate) that may stop the rollout
	// after each wave ("": none).
	Bake time.Duration `json:"bakeNs,omitempty"`
	Gate string        `json:"gate,omitempty"`
	// OnHalt is what follows a halt: OnHaltRollback rolls the rollout back.
	OnHalt string `json:"onHalt,omitempty"`
	// RollbackOf is the rollout a rollback rolls back; Releases the release
	// it redeploys on each stack (for a rollout, Release holds for all).
	RollbackOf string            `json:"rollbackOf,omitempty"`
	Releases   map[string]string `json:"releases,omitempty"`
	Waves      []Wave            `json:"waves"`
	Skipped    []Skip            `json:"skipped,omitempty"`
}

// OnHaltRollback is the Plan.OnHalt that rolls a halted rollout back.
const OnHaltRollback = "rollback"

// ReleaseOf is the release the plan deploys on stack: its own in Releases,
// else Release.
func (p *Plan) ReleaseOf(stack string) string {
	if r, ok := p.Releases[stack]; ok {
		return r
	}
	return p.Release
}

// Stacks counts the planned stacks.
func (p *Plan) Stacks() int {
	n := 0
	for _, w := range p.Waves {
		n += len(w.Stacks)
	}
	return n
}

// StackNames lists the planned stacks, wave by wave.
func (p *Plan) StackNames() []string {
	names := make([]string, 0, p.Stacks())
	for _, w := range p.Waves {
		names = append(names, w.Stacks...)
	}
	return names
}

// Check refuses a plan no rollout may run, as a journaled plan is read back
// on resume: every wave passes the checks the flags pass (WaveOptions.Check),
// waves are numbered in order and each holds at least one stack, every stack
// is in exactly one wave, and no tenant stack has a reserved id (the platform
// stack only as the platform wave: first and alone, or last and alone in a
// rollback, which runs the waves in reverse). A rollback names the rollout
// it rolls back, a bake needs a gate, and on-halt is a known action.
func (p *Plan) Check() error {
	if err := CheckID(p.ID); err != nil {
		return err
	}
	switch p.Op {
	case OpUp, OpPreview, OpRefresh, OpDestroy:
	case OpRollback:
		if err := CheckID(p.RollbackOf); err != nil {
			return fmt.Errorf("a rollback of no rollout: %w", err)
		}
	default:
		return fmt.Errorf("operation %q: not one tenantctl runs", p.Op)
	}
	if p.Bake < 0 || (p.Bake > 0 && p.Gate == "") {
		return fmt.Errorf("bake %s: want 0, or a duration with a gate", p.Bake)
	}
	if p.OnHalt != "" && p.OnHalt != OnHaltRollback {
		return fmt.Errorf("on halt %q: want %s or nothing", p.OnHalt, OnHaltRollback)
	}
	if len(p.Waves) == 0 {
		return errors.New("the plan has no waves")
	}
	inWave := map[string]int{}
	for i, w := range p.Waves {
		where := fmt.Sprintf("wave %d (%s)", i+1, w.Name)
		if w.Index != i+1 {
			return fmt.Errorf("%s is numbered %d", where, w.Index)
		}
		if len(w.Stacks) == 0 {
			return fmt.Errorf("%s has no stacks", where)
		}
		o := WaveOptions{MaxConcurrency: Quantity{N: w.MaxConcurrency}, Tolerance: Quantity{N: w.Tolerance}, Mode: w.Mode}
		if err := o.Check(); err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		// The platform runs first, alone; a rollback, in reverse, rolls it back last.
		platformAt := 0
		if p.Op == OpRollback {
			platformAt = len(p.Waves) - 1
		}
		platformWave := i == platformAt && len(w.Stacks) == 1 && w.Name == platformWaveName
		for _, s := range w.Stacks {
			if prev, ok := inWave[s]; ok {
				return fmt.Errorf("stack %s is in wave %d and in wave %d", s, prev, w.Index)
			}
			inWave[s] = w.Index
			if err := CheckStackName(s, platformWave); err != nil {
				return fmt.Errorf("%s: %w", where, err)
			}
		}
	}
	return nil
}

// BelongsTo refuses a plan made for another fleet directory or backend than
// fleetDir and backend; both sides are compared by their resolved names, so a
// symlinked --dir of the same fleet is the same fleet.
func (p *Plan) BelongsTo(fleetDir, backend string) error {
	mine, err := RealPath(fleetDir)
	if err != nil {
		return fmt.Errorf("--dir %s: %w", fleetDir, err)
	}
	if theirs, err := RealPath(p.Fleet); err != nil || theirs != mine {
		return fmt.Errorf("rollout %s is of the fleet in %s, not of %s; pass --dir %s", p.ID, p.Fleet, mine, p.Fleet)
	}
	a, err := BackendKey(p.Backend)
	if err != nil {
		return fmt.Errorf("rollout %s: %w", p.ID, err)
	}
	b, err := BackendKey(backend)
	if err != nil {
		return err
	}
	if a != b {
		return fmt.Errorf("rollout %s ran against backend %s, this one is %s; pass --backend %s", p.ID, p.Backend, backend, p.Backend)
	}
	return nil
}

var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`)

// CheckID refuses a rollout id that could not name a file of its own under
// the state directory (the journal and the engine logs are named by it).
func CheckID(id string) error {
	if !idPattern.MatchString(id) {
		return fmt.Errorf("rollout id %q: letters, digits, '.', '_' and '-' only", id)
	}
	return nil
}

// NewID returns a rollout id: UTC time then random hex, sortable by start.
func NewID(now time.Time) string {
	var b [3]byte
	_, _ = rand.Read(b[:])
	return now.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}
