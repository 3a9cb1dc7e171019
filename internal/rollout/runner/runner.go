// Package runner runs a plan: each wave through a bounded worker pool with
// StackSets-style failure tolerance, transient engine errors retried with
// backoff, every step journaled, each stack's engine log in a file of its own.
//
// The engine sits behind the Deployer interface; package auto implements it on
// the Pulumi Automation API, package rollouttest simulates it for tests.
package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tenantctl/tenantctl/internal/ctxtime"
	"github.com/tenantctl/tenantctl/internal/rollout/gate"
	"github.com/tenantctl/tenantctl/internal/rollout/journal"
	"github.com/tenantctl/tenantctl/internal/rollout/outcome"
	"github.com/tenantctl/tenantctl/internal/rollout/plan"
)

// Progress is what the runner tells its observer as the rollout moves.
type Progress struct {
	// Kind is "wave" (a wave starts), "start", "step" (a running stack's
	// engine began a resource step), "retry", "done" (a stack ended),
	// "bake" (a wave bakes, Left to go), "gate" (a wave's gate was checked),
	// "halt" or "end".
	Kind  string
	Wave  *plan.Wave
	Stack string
	Row   *outcome.Row
	// Step is what a running stack's engine is doing, for "step": the
	// operation and the resource, e.g. "create aws:budgets/budget:Budget
	// acme-corp-budget". A stack whose last step is old is waiting on it.
	Step string
	// Attempt and Delay describe a retry; Err is the error being retried.
	Attempt int
	Delay   time.Duration
	Err     error
	// Left is how long a baking wave still bakes; Gate what its gate found.
	Left time.Duration
	Gate *outcome.GateCheck
	// Running, Done and Total count stacks of the whole rollout.
	Running, Done, Failed, Total int
	Reason                       string
}

// Runner runs a plan's waves through a bounded worker pool.
type Runner struct {
	Deployer Deployer
	Journal  *journal.Journal
	Retry    Retry
	// Logs opens a stack's engine log; every stack gets a writer of its own so
	// parallel runs never interleave. Nil discards the logs.
	Logs func(stack string) (io.WriteCloser, error)
	// Observe is told of progress, one call at a time. Nil ignores it.
	Observe func(Progress)
	// StackTimeout bounds one attempt on one stack (0: no bound). An attempt
	// that runs over is cancelled and fails; it is not retried.
	StackTimeout time.Duration
	// Gate is checked after each wave of a plan that names one (Plan.Gate),
	// once the wave has baked (Plan.Bake); nil halts such a plan at its
	// first gate. BakeTick is how often a bake reports (DefaultBakeTick).
	Gate     gate.Gate
	BakeTick time.Duration
	// Shared, when set, makes this runner one of several runners of the
	// rollout: it runs its share of each wave and meets the others at the
	// end of every wave (see Shared).
	Shared Shared

	mu                           sync.Mutex
	running, done, failed, total int
}

// Outcome is how a run of a rollout ended.
type Outcome struct {
	Status outcome.Status
	Reason string
	Rows   []outcome.Row
	// Gates are the last check of each wave's gate, this run's or an
	// earlier one's, in wave order.
	Gates []outcome.GateCheck
}

// Run executes the plan. prior is the state of an earlier run of the same
// rollout (nil for a new one): its succeeded stacks are not run again. The
// journal gets the plan (or a resume record), then every stack's start,
// attempts, retries and result, every wave's end, and the rollout's end.
func (r *Runner) Run(ctx context.Context, p *plan.Plan, prior *journal.State) (*Outcome, error) {
	if r.Retry.Attempts < 1 {
		r.Retry.Attempts = 1
	}
	done := map[string]bool{}
	if prior != nil {
		done = prior.Succeeded()
		cleared, err := clearStaleLocks(ctx, r.Deployer, r.ownPrior(p, prior))
		if err != nil {
			return nil, err
		}
		if err := r.Journal.Append(journal.Record{Type: journal.RecResume, Reason: fmt.Sprintf("%d of %d stacks succeeded earlier%s", len(done), p.Stacks(), cleared)}); err != nil {
			return nil, err
		}
	} else if err := r.Journal.Append(journal.Record{Type: journal.RecPlan, Plan: p}); err != nil {
		return nil, err
	}
	rows := map[string]*outcome.Row{}
	r.running, r.done, r.failed, r.total = 0, 0, 0, p.Stacks()
	for _, w := range p.Waves {
		for _, s := range w.Stacks {
			row := &outcome.Row{Stack: s, Wave: w.Index, Result: outcome.ResultNotStarted}
			if done[s] {
				*row = *prior.Rows[s]
				row.Earlier = true
				r.done++
			}
			rows[s] = row
		}
	}
	if r.Shared != nil {
		// Progress counts this runner's share.
		r.total, r.done = 0, 0
		for i := range p.Waves {
			for _, s := range p.Waves[i].Stacks {
				if r.mine(&p.Waves[i], s) {
					r.total++
					if done[s] {
						r.done++
					}
				}
			}
		}
	}
	out := &Outcome{Status: outcome.StatusSucceeded}
	gates := map[int]outcome.GateCheck{}
	if prior != nil {
		for i, g := range prior.Gates {
			gates[i] = *g
		}
	}
	var journalErr error
	for i := range p.Waves {
		w := &p.Waves[i]
		if ctx.Err() != nil {
			out.Status, out.Reason = outcome.StatusCancelled, "cancelled (Ctrl-C) before "+w.Name
			break
		}
		status, reason, err := r.runWave(ctx, p, w, done, rows)
		if err != nil {
			journalErr = err
		}
		if status == outcome.StatusSucceeded || status == outcome.StatusFailed {
			ran := slices.ContainsFunc(w.Stacks, func(s string) bool { return !done[s] })
			gs, greason, err := r.bakeAndGate(ctx, p, w, ran, prior, gates)
			if err != nil && journalErr == nil {
				journalErr = err
			}
			if gs != outcome.StatusSucceeded {
				status, reason = gs, greason
				if r.Shared != nil && gs == outcome.StatusHalted {
					// The first halt stands for every runner.
					if standing, err := r.Shared.Halt(ctx, greason); err == nil {
						reason = standing
					}
				}
			}
		}
		if status == outcome.StatusFailed && out.Status == outcome.StatusSucceeded {
			out.Status = outcome.StatusFailed
			out.Reason = reason
		}
		if status == outcome.StatusHalted || status == outcome.StatusCancelled {
			out.Status, out.Reason = status, reason
			break
		}
	}
	for _, w := range p.Waves {
		for _, s := range w.Stacks {
			out.Rows = append(out.Rows, *rows[s])
		}
		if g, ok := gates[w.Index]; ok {
			out.Gates = append(out.Gates, g)
		}
	}
	if err := r.Journal.Append(journal.Record{Type: journal.RecEnd, Status: out.Status, Reason: out.Reason}); err != nil && journalErr == nil {
		journalErr = err
	}
	r.observe(Progress{Kind: "end", Reason: out.Reason})
	return out, journalErr
}

// runWave runs one wave with at most MaxConcurrency workers. A worker claims
// the next stack while fewer than the wave's limit run (in strict mode the
// limit shrinks with each failure), and no stack is claimed once failures
// exceed the tolerance or ctx is cancelled; what runs always finishes. Since
// the limit never grows, a worker that cannot claim retires for good. Workers
// claim the next stack themselves, so a freed slot is refilled without a hop
// through a coordinator.
func (r *Runner) runWave(ctx context.Context, p *plan.Plan, w *plan.Wave, done map[string]bool, rows map[string]*outcome.Row) (outcome.Status, string, error) {
	var pending []string
	for _, s := range w.Stacks {
		if !done[s] && r.mine(w, s) {
			pending = append(pending, s)
		}
	}
	var others int // failures of the wave's stacks other runners ran
	if r.Shared != nil {
		var halted string
		var err error
		if others, halted, err = r.Shared.Status(ctx, w); err != nil {
			return outcome.StatusHalted, fmt.Sprintf("%s: the shared rollout could not be read (%v); nothing was started", w.Name, err), nil
		}
		if halted != "" {
			return outcome.StatusHalted, halted, nil
		}
	} else if len(pending) == 0 {
		return outcome.StatusSucceeded, "", nil
	}
	r.observe(Progress{Kind: "wave", Wave: w})
	var (
		mu                      sync.Mutex
		running, failures, next int
		halt                    string
		firstErr                error
	)
	claim := func() (string, bool) {
		mu.Lock()
		defer mu.Unlock()
		// A broken journal stops scheduling at once: a stack it cannot record
		// would be invisible to resume and status.
		if halt != "" || ctx.Err() != nil || next >= len(pending) || running >= r.share(w.Limit(failures+others)) || r.Journal.Err() != nil {
			return "", false
		}
		s := pending[next]
		next++
		running++
		return s, true
	}
	settle := func(row outcome.Row) {
		// What the other runners did meanwhile: their failures count
		// against the tolerance, and their halt stops this runner too.
		var elsewhere string
		if r.Shared != nil {
			if n, h, err := r.Shared.Status(ctx, w); err == nil {
				mu.Lock()
				others = max(others, n)
				mu.Unlock()
				elsewhere = h
			}
		}
		mu.Lock()
		running--
		*rows[row.Stack] = row
		var halted string
		if row.Result == outcome.ResultFailed {
			failures++
		}
		if halt == "" && elsewhere != "" {
			halt = elsewhere
		}
		if failures > 0 && failures+others > w.Tolerance && halt == "" {
			halt = fmt.Sprintf("%s: %d stacks failed, over its failure tolerance of %d; nothing more was started", w.Name, failures+others, w.Tolerance)
			halted = halt
		}
		mu.Unlock()
		if halted != "" && r.Shared != nil {
			if standing, err := r.Shared.Halt(ctx, halted); err == nil && standing != halted {
				mu.Lock()
				halt, halted = standing, standing
				mu.Unlock()
			}
		}
		r.count(func() {
			r.running--
			r.done++
			if row.Result == outcome.ResultFailed {
				r.failed++
			}
		})
		r.observe(Progress{Kind: "done", Wave: w, Stack: row.Stack, Row: &row})
		if halted != "" {
			if err := r.Journal.Append(journal.Record{Type: journal.RecHalt, Wave: w.Index, Reason: halted}); err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
			r.observe(Progress{Kind: "halt", Wave: w, Reason: halted})
		}
	}
	var wg sync.WaitGroup
	for range min(w.MaxConcurrency, len(pending)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				stack, ok := claim()
				if !ok {
					return
				}
				r.count(func() { r.running++ })
				r.observe(Progress{Kind: "start", Wave: w, Stack: stack})
				settle(r.runStack(ctx, p, w, stack))
			}
		}()
	}
	wg.Wait()
	if r.Shared != nil && r.Journal.Err() == nil && ctx.Err() == nil {
		// This runner's results where the others can read them, then wait
		// for theirs: the wave ends when every stack of it has a result.
		if err := r.Journal.Flush(); err == nil {
			all, halted, err := r.Shared.Barrier(ctx, w)
			switch {
			case err != nil && ctx.Err() == nil:
				halt = fmt.Sprintf("%s: waiting for the other runners failed (%v); nothing more was started", w.Name, err)
			case err == nil:
				failures = 0
				for _, s := range w.Stacks {
					if row, ok := all[s]; ok && !r.mine(w, s) {
						*rows[s] = *row
					}
					if rows[s].Result == outcome.ResultFailed || rows[s].Result == outcome.ResultCancelled {
						failures++
					}
				}
				others = 0
				if halt == "" && halted != "" {
					halt = halted
				}
				if halt == "" && failures > w.Tolerance {
					halt = fmt.Sprintf("%s: %d stacks failed, over its failure tolerance of %d; nothing more was started", w.Name, failures, w.Tolerance)
				}
			}
		}
	}
	status, reason := outcome.StatusSucceeded, ""
	switch jerr := r.Journal.Err(); {
	case jerr != nil:
		status, reason = outcome.StatusHalted, fmt.Sprintf("%s: the journal could not be written (%v); nothing more was started", w.Name, jerr)
		if firstErr == nil {
			firstErr = jerr
		}
	case ctx.Err() != nil:
		status, reason = outcome.StatusCancelled, fmt.Sprintf("cancelled (Ctrl-C) during %s: %d of its stacks were not started", w.Name, len(pending)-next)
	case halt != "":
		status, reason = outcome.StatusHalted, halt
	case failures > 0:
		status, reason = outcome.StatusFailed, fmt.Sprintf("%s: %d stacks failed, within its failure tolerance of %d", w.Name, failures, w.Tolerance)
	}
	if err := r.Journal.Append(journal.Record{Type: journal.RecWave, Wave: w.Index, Status: status, Reason: reason}); err != nil && firstErr == nil {
		firstErr = err
	}
	return status, reason, firstErr
}

// runStack runs the operation on one stack, retrying transient failures, and
// journals each step. It never returns before the deployer's call has ended.
func (r *Runner) runStack(ctx context.Context, p *plan.Plan, w *plan.Wave, stack string) outcome.Row {
	row := outcome.Row{Stack: stack, Wave: w.Index, Started: time.Now()}
	if p.Op.Deploys() {
		row.Release = p.ReleaseOf(stack)
	}
	// The start record is made durable before the stack runs (one fsync shared
	// by the stacks starting together): every stack that ran is in the journal,
	// with the release it deploys, and a journal that cannot be written starts
	// nothing more.
	if err := r.Journal.Append(journal.Record{Type: journal.RecStart, Wave: w.Index, Stack: stack, Release: row.Release}); err != nil {
		row.Result, row.Error = outcome.ResultNotStarted, "not started: "+firstLine(err)
		return row
	}
	log := io.WriteCloser(nopCloser{io.Discard})
	if r.Logs != nil {
		l, err := r.Logs(stack)
		if err != nil {
			return r.finish(row, outcome.ResultFailed, nil, fmt.Errorf("opening the engine log: %w", err))
		}
		log = l
	}
	defer log.Close()
	var steps stepLog
	stream := Stream{Log: log, PreviewOnly: p.Drift, Release: row.Release, Event: func(e Event) {
		if e.Kind == "pre" {
			r.observe(Progress{Kind: "step", Stack: stack, Step: Step(e)})
			steps.add(e)
		}
	}}
	for attempt := 1; ; attempt++ {
		row.Attempts = attempt
		r.journal(journal.Record{Type: journal.RecAttempt, Stack: stack, Attempt: attempt})
		steps.reset() // a retry's steps replace the failed attempt's
		changes, err, timedOut := r.attempt(ctx, p.Op.Engine(), stack, stream)
		row.Steps, row.StepsOmitted = steps.take()
		if err == nil {
			return r.finish(row, outcome.ResultSucceeded, &changes, nil)
		}
		class := outcome.ClassOf(err)
		if ctx.Err() != nil {
			class = outcome.ClassCancelled
		} else if timedOut {
			return r.finish(row, outcome.ResultFailed, &changes, outcome.Classify(outcome.ClassFailed, fmt.Errorf("timed out after %s (--stack-timeout): %w", r.StackTimeout, err)))
		}
		if class == outcome.ClassCancelled {
			return r.finish(row, outcome.ResultCancelled, nil, outcome.Classify(outcome.ClassCancelled, err))
		}
		if !class.Transient() || attempt >= r.Retry.Attempts {
			if class.Transient() {
				err = fmt.Errorf("gave up after %d attempts: %w", attempt, err)
			}
			return r.finish(row, outcome.ResultFailed, &changes, outcome.Classify(class, err))
		}
		delay := r.Retry.Delay(attempt)
		r.journal(journal.Record{Type: journal.RecRetry, Stack: stack, Attempt: attempt, Class: class, Error: firstLine(err), DelayMS: delay.Milliseconds()})
		r.observe(Progress{Kind: "retry", Wave: w, Stack: stack, Attempt: attempt, Delay: delay, Err: err})
		fmt.Fprintf(log, "tenantctl: attempt %d failed (%s), retrying in %s: %v\n", attempt, class, delay.Round(time.Millisecond), err)
		if ctxtime.Sleep(ctx, delay) != nil {
			return r.finish(row, outcome.ResultCancelled, nil, outcome.Classify(outcome.ClassCancelled, fmt.Errorf("cancelled while waiting to retry: %w", err)))
		}
	}
}

// attempt runs the deployer once, within StackTimeout when set.
func (r *Runner) attempt(ctx context.Context, op plan.Op, stack string, s Stream) (outcome.Changes, error, bool) {
	if r.StackTimeout <= 0 {
		ch, err := r.Deployer.Run(ctx, op, stack, s)
		return ch, err, false
	}
	actx, cancel := context.WithTimeout(ctx, r.StackTimeout)
	defer cancel()
	ch, err := r.Deployer.Run(actx, op, stack, s)
	return ch, err, err != nil && ctx.Err() == nil && errors.Is(actx.Err(), context.DeadlineExceeded)
}

func (r *Runner) finish(row outcome.Row, res outcome.Result, ch *outcome.Changes, err error) outcome.Row {
	row.Result, row.Ended = res, time.Now()
	row.Duration = row.Ended.Sub(row.Started)
	if ch != nil {
		row.Changes = *ch
	}
	rec := journal.Record{Type: journal.RecResult, Wave: row.Wave, Stack: row.Stack, Result: res, Attempt: row.Attempts, Duration: row.Duration.Milliseconds()}
	if ch != nil {
		rec.Changes = ch
	}
	if err != nil {
		row.Error, row.Class = firstLine(err), outcome.ClassOf(err)
		rec.Error, rec.Class = row.Error, row.Class
	}
	r.journal(rec)
	return row
}

// journal queues a stack's record from its goroutine. A failed write is kept by
// the journal (Journal.Err): no stack is claimed after it, the wave halts, and
// Run returns it.
func (r *Runner) journal(rec journal.Record) { _ = r.Journal.Queue(rec) }

func (r *Runner) count(f func()) {
	r.mu.Lock()
	f()
	r.mu.Unlock()
}

func (r *Runner) observe(p Progress) {
	if r.Observe == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	p.Running, p.Done, p.Failed, p.Total = r.running, r.done, r.failed, r.total
	r.Observe(p)
}

// Step describes an engine event as "<op> <type> <name>".
func Step(e Event) string {
	typ, name := typeAndName(e.URN)
	return strings.TrimSpace(strings.Join([]string{e.Op, typ, name}, " "))
}

// typeAndName are a resource's type token and logical name from its URN
// (urn:pulumi:<stack>::<project>::<type path>::<name>, the type path's last
// element being the resource's own type); the URN itself when it is not one.
func typeAndName(urn string) (typ, name string) {
	parts := strings.Split(urn, "::")
	if len(parts) < 4 {
		return urn, ""
	}
	typ, name = parts[len(parts)-2], parts[len(parts)-1]
	if i := strings.LastIndex(typ, "$"); i >= 0 {
		typ = typ[i+1:]
	}
	return typ, name
}

// stepLog collects the resources an attempt changes, from the engine's step
// events: creates, updates, replacements and deletes (a replacement's own
// create-replacement and delete-replaced steps are one replace).
type stepLog struct {
	mu      sync.Mutex
	steps   []outcome.Step
	omitted int
}

func (l *stepLog) add(e Event) {
	switch e.Op {
	case "create", "update", "replace", "delete":
	default:
		return
	}
	typ, name := typeAndName(e.URN)
	if typ == "pulumi:pulumi:Stack" {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.steps) >= outcome.MaxSteps {
		l.omitted++
		return
	}
	l.steps = append(l.steps, outcome.Step{Op: e.Op, Type: typ, Name: name})
}

func (l *stepLog) reset() {
	l.mu.Lock()
	l.steps, l.omitted = nil, 0
	l.mu.Unlock()
}

func (l *stepLog) take() ([]outcome.Step, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.steps, l.omitted
}

// firstLine keeps error messages one line long in the journal and the table;
// the full text is in the stack's engine log.
func firstLine(err error) string {
	s := err.Error()
	for i, c := range s {
		if c == '\n' {
			return s[:i]
		}
	}
	return s
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }
