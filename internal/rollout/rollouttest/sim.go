// Package rollouttest simulates a Deployer for tests and benchmarks of the
// rollout: latency, failures by stack, transient errors, and hangs that only
// cancellation ends; it measures the concurrency it sees.
package rollouttest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tenantctl/tenantctl/internal/rollout/outcome"
	"github.com/tenantctl/tenantctl/internal/rollout/plan"
	"github.com/tenantctl/tenantctl/internal/rollout/runner"
)

// Sim is a simulated engine. Configure it before the rollout starts.
type Sim struct {
	// Steps are engine events a stack's operation emits after its one
	// simulated resource step (the changes the engine would report).
	Steps map[string][]runner.Event
	// Latency is how long each operation takes (PerStack overrides it).
	Latency  time.Duration
	PerStack map[string]time.Duration
	// Fail makes a stack's every attempt fail with that class.
	Fail map[string]outcome.Class
	// Transient makes a stack's first N attempts fail with a concurrent-update error.
	Transient map[string]int
	// Hang makes a stack's operation block until its context is cancelled.
	Hang map[string]bool
	// Changes is what a successful operation reports.
	Changes outcome.Changes

	running atomic.Int64
	peak    atomic.Int64
	busy    atomic.Int64 // nanoseconds spent inside Run, summed over calls
	runs    atomic.Int64
	mu      sync.Mutex
	starts  []string
	calls   map[string]int
	ops     map[plan.Op]int
	updated map[string]time.Time
	log     []OpCall
	deploys []Deploy
}

// OpCall is one operation the simulated engine ran.
type OpCall struct {
	Op    plan.Op
	Stack string
}

// OpLog lists every operation run so far, in order.
func (s *Sim) OpLog() []OpCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]OpCall(nil), s.log...)
}

// Deploy is a stack's operation with the release it deployed.
type Deploy struct {
	Stack, Release string
}

// Run implements runner.Deployer.
func (s *Sim) Run(ctx context.Context, op plan.Op, stack string, st runner.Stream) (outcome.Changes, error) {
	n := s.running.Add(1)
	entered := time.Now()
	defer func() {
		s.busy.Add(int64(time.Since(entered)))
		s.runs.Add(1)
		s.running.Add(-1)
	}()
	for {
		p := s.peak.Load()
		if n <= p || s.peak.CompareAndSwap(p, n) {
			break
		}
	}
	s.mu.Lock()
	if s.calls == nil {
		s.calls = map[string]int{}
	}
	s.calls[stack]++
	if s.ops == nil {
		s.ops = map[plan.Op]int{}
	}
	s.ops[op]++
	s.log = append(s.log, OpCall{Op: op, Stack: stack})
	attempt := s.calls[stack]
	if attempt == 1 {
		s.starts = append(s.starts, stack)
	}
	if st.Release != "" {
		s.deploys = append(s.deploys, Deploy{Stack: stack, Release: st.Release})
	}
	s.mu.Unlock()
	if st.Log != nil {
		fmt.Fprintf(st.Log, "%s %s: attempt %d\n", op, stack, attempt)
	}
	if st.Event != nil {
		st.Event(runner.Event{Kind: "pre", Op: "create", URN: SimURN(stack)})
		for _, e := range s.Steps[stack] {
			st.Event(e)
		}
	}
	if s.Hang[stack] {
		<-ctx.Done()
		return outcome.Changes{}, outcome.Classify(outcome.ClassCancelled, ctx.Err())
	}
	d := s.Latency
	if v, ok := s.PerStack[stack]; ok {
		d = v
	}
	if d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return outcome.Changes{}, outcome.Classify(outcome.ClassCancelled, ctx.Err())
		}
	}
	if c, ok := s.Fail[stack]; ok {
		return outcome.Changes{}, outcome.Classify(c, fmt.Errorf("simulated %s failure of %s", c, stack))
	}
	if attempt <= s.Transient[stack] {
		return outcome.Changes{}, outcome.Classify(outcome.ClassConcurrentUpdate, errors.New("the stack is currently locked by 1 lock(s)"))
	}
	if st.Event != nil {
		st.Event(runner.Event{Kind: "done", Op: "create", URN: SimURN(stack)})
	}
	if op != plan.OpPreview && !(op == plan.OpRefresh && st.PreviewOnly) {
		s.mu.Lock()
		if s.updated == nil {
			s.updated = map[string]time.Time{}
		}
		s.updated[stack] = time.Now().UTC()
		if op == plan.OpDestroy {
			delete(s.updated, stack) // as the engine's stack rm after a destroy
		}
		s.mu.Unlock()
	}
	return s.Changes, nil
}

// Updated is when each stack was last changed by an operation, as the
// backend's stack listing tells it (auto.Updated).
func (s *Sim) Updated(context.Context) (map[string]time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]time.Time, len(s.updated))
	for k, v := range s.updated {
		out[k] = v
	}
	return out, nil
}

// SimURN is the URN of the one resource the simulated engine steps through
// on a stack.
func SimURN(stack string) string {
	return "urn:pulumi:" + stack + "::tenantctl::tenantctl:sim:Component$tenantctl:sim:Resource::" + stack + "-resource"
}

// MeanStackTime is the mean time an operation took, as measured inside Run
// (the timer's own overshoot included).
func (s *Sim) MeanStackTime() time.Duration {
	if n := s.runs.Load(); n > 0 {
		return time.Duration(s.busy.Load() / n)
	}
	return 0
}

// Peak is the most operations that ran at once.
func (s *Sim) Peak() int { return int(s.peak.Load()) }

// Starts lists stacks in the order their first attempt started.
func (s *Sim) Starts() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.starts...)
}

// Calls counts the attempts on a stack.
func (s *Sim) Calls(stack string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[stack]
}

// Ops counts the attempts of an operation over every stack.
func (s *Sim) Ops(op plan.Op) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ops[op]
}

// Deploys lists the operations that deployed a release, in the order they
// started.
func (s *Sim) Deploys() []Deploy {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Deploy(nil), s.deploys...)
}

// ResetPeak forgets the peak (between runs).
func (s *Sim) ResetPeak() { s.peak.Store(0) }
