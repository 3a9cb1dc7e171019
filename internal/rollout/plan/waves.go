package plan

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Quantity is a count ("5") or a percentage ("20%") of a wave's stacks.
type Quantity struct {
	N       int
	Percent bool
}

// ParseQuantity reads "N" or "P%" (0 ≤ P ≤ 100, N ≥ 0).
func ParseQuantity(s string) (Quantity, error) {
	s = strings.TrimSpace(s)
	if p, ok := strings.CutSuffix(s, "%"); ok {
		n, err := strconv.Atoi(p)
		q := Quantity{N: n, Percent: true}
		if err != nil || q.check() != nil {
			return Quantity{}, fmt.Errorf("%q: want a percentage between 0%% and 100%%", s)
		}
		return q, nil
	}
	n, err := strconv.Atoi(s)
	q := Quantity{N: n}
	if err != nil || q.check() != nil {
		return Quantity{}, fmt.Errorf("%q: want a count (e.g. 5) or a percentage (e.g. 20%%)", s)
	}
	return q, nil
}

// check is the range of a quantity: a count of 0 or more, a percentage from 0%
// to 100%.
func (q Quantity) check() error {
	if q.N < 0 || (q.Percent && q.N > 100) {
		return fmt.Errorf("%s: want a count of 0 or more or a percentage between 0%% and 100%%", q)
	}
	return nil
}

func (q Quantity) String() string {
	if q.Percent {
		return strconv.Itoa(q.N) + "%"
	}
	return strconv.Itoa(q.N)
}

// floorOf is the quantity of size, rounding percentages down (StackSets' rule
// for failure tolerance and concurrency).
func (q Quantity) floorOf(size int) int {
	if !q.Percent {
		return q.N
	}
	return size * q.N / 100
}

// Mode is how failure tolerance bounds concurrency, with CloudFormation StackSets'
// meanings.
type Mode string

const (
	// ModeStrict (STRICT_FAILURE_TOLERANCE) lowers concurrency as failures mount so
	// that failures never exceed tolerance + 1: at most min(max concurrency,
	// tolerance + 1 − failures) stacks run at once.
	ModeStrict Mode = "strict"
	// ModeSoft (SOFT_FAILURE_TOLERANCE) keeps max concurrency whatever fails; more
	// than tolerance + 1 stacks may fail before the wave halts.
	ModeSoft Mode = "soft"
)

// WaveOptions are the per-wave knobs of a rollout.
type WaveOptions struct {
	// Canary is the size of a first wave of the lowest-ranked tenants (0: none).
	Canary int
	// Waves are cumulative sizes of the waves after the canary, as counts or
	// percentages of the tenants left after it; the last must cover them all.
	Waves          []Quantity
	MaxConcurrency Quantity
	Tolerance      Quantity
	Mode           Mode
}

// ParseWaves reads "10%,50%,100%" or "5,20,100%".
func ParseWaves(s string) ([]Quantity, error) {
	var out []Quantity
	for _, part := range strings.Split(s, ",") {
		q, err := ParseQuantity(part)
		if err != nil {
			return nil, fmt.Errorf("--waves %s: %w", s, err)
		}
		if q.N == 0 {
			return nil, fmt.Errorf("--waves %s: a wave of 0 stacks", s)
		}
		out = append(out, q)
	}
	return out, nil
}

// Wave is a planned wave with its limits resolved to counts.
type Wave struct {
	Index  int      `json:"index"`
	Name   string   `json:"name"`
	Stacks []string `json:"stacks"`
	// MaxConcurrency is at least 1; Tolerance is the failures the wave absorbs.
	MaxConcurrency int  `json:"maxConcurrency"`
	Tolerance      int  `json:"tolerance"`
	Mode           Mode `json:"mode"`
}

// Limit is how many stacks may run at once given failures so far.
func (w Wave) Limit(failures int) int {
	k := w.MaxConcurrency
	if w.Mode == ModeStrict {
		k = min(k, w.Tolerance+1-failures)
	}
	return k
}

// Check refuses wave options no rollout may run with. The flags and the waves of
// a journaled plan (resume) both go through it, so a journal cannot smuggle in
// what the command line refuses.
func (o WaveOptions) Check() error {
	if o.Mode != ModeStrict && o.Mode != ModeSoft {
		return fmt.Errorf("--tolerance-mode %q: want strict or soft", o.Mode)
	}
	if o.MaxConcurrency.N < 1 || o.MaxConcurrency.check() != nil {
		return fmt.Errorf("--max-concurrency %s: want a count of at least 1 or a percentage above 0%%", o.MaxConcurrency)
	}
	if err := o.Tolerance.check(); err != nil {
		return fmt.Errorf("--failure-tolerance %w", err)
	}
	if o.Canary < 0 {
		return fmt.Errorf("--canary %d: want 0 or more", o.Canary)
	}
	for _, q := range o.Waves {
		if q.N < 1 || q.check() != nil {
			return fmt.Errorf("--waves: a wave of %s stacks; want a count of at least 1 or a percentage above 0%%", q)
		}
	}
	return nil
}

// checkCovers refuses a last wave that leaves stacks out: the waves of a rollout
// end at 100% of its stacks.
func checkCovers(last string, covered, total int) error {
	if covered < total {
		return fmt.Errorf("--waves: the last wave (%s) covers %d of %d stacks; end with 100%%", last, covered, total)
	}
	return nil
}

// platformWaveName names the wave of the platform stack (the first, alone) after
// the stack.
const platformWaveName = PlatformStack

// PlanWaves splits the selected targets (already ordered by tier rank then id)
// into waves: the platform alone first, then the canary, then the --waves sizes.
func PlanWaves(targets []Target, o WaveOptions) ([]Wave, error) {
	if err := o.Check(); err != nil {
		return nil, err
	}
	var waves []Wave
	add := func(name string, stacks []Target, platform bool) {
		ids := make([]string, len(stacks))
		for i, t := range stacks {
			ids[i] = t.Stack
		}
		w := Wave{Index: len(waves) + 1, Name: name, Stacks: ids, Mode: o.Mode}
		if platform {
			// Every tenant reads the platform's outputs: it runs alone and a
			// failure there halts the rollout.
			w.MaxConcurrency, w.Tolerance = 1, 0
		} else {
			w.MaxConcurrency = max(1, o.MaxConcurrency.floorOf(len(ids)))
			w.Tolerance = o.Tolerance.floorOf(len(ids))
		}
		waves = append(waves, w)
	}
	rest := targets
	if len(rest) > 0 && rest[0].Stack == PlatformStack {
		add(platformWaveName, rest[:1], true)
		rest = rest[1:]
	}
	if o.Canary > 0 && len(rest) > 0 {
		n := min(o.Canary, len(rest))
		add("canary", rest[:n], false)
		rest = rest[n:]
	}
	sizes := o.Waves
	if len(sizes) == 0 {
		sizes = []Quantity{{N: 100, Percent: true}}
	}
	total, done := len(rest), 0
	for i, q := range sizes {
		upto := q.N
		if q.Percent {
			upto = int(math.Ceil(float64(total) * float64(q.N) / 100))
		}
		if i == len(sizes)-1 {
			if err := checkCovers(q.String(), upto, total); err != nil {
				return nil, err
			}
		}
		upto = min(upto, total)
		if upto <= done {
			continue
		}
		add(fmt.Sprintf("wave %d", len(waves)+1), rest[done:upto], false)
		done = upto
	}
	return waves, nil
}
