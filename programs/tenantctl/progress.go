package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/tenantctl/tenantctl/internal/rollout/outcome"
	"github.com/tenantctl/tenantctl/internal/rollout/plan"
	"github.com/tenantctl/tenantctl/internal/rollout/runner"
	"github.com/tenantctl/tenantctl/internal/textsafe"
)

// progressPrinter shows the rollout as it moves: on a terminal a progress line
// kept at the bottom under per-stack status lines; elsewhere (CI) plain lines.
// It also watches the running stacks' engine steps: a stack whose engine has
// been on one step longer than waitAfter is waiting on it (a resource the
// cloud, or an emulator, is slow to answer for), and the printer says so —
// on the progress line, or once every waitAfter as a line of its own — so a
// hanging stack is visible long before any timeout.
type progressPrinter struct {
	mu      sync.Mutex
	w       io.Writer
	tty     bool
	last    runner.Progress
	running map[string]*stackStep

	stop, stopped chan struct{}
}

// stackStep is what a running stack's engine is doing, since when, and when
// the printer last said it waits.
type stackStep struct {
	step            string
	since, reported time.Time
}

// waitAfter is how long one engine step may take before the printer reports
// the stack as waiting on it.
const waitAfter = time.Minute

func newProgressPrinter(w io.Writer) *progressPrinter {
	p := &progressPrinter{w: w, tty: isTerminal(w) && os.Getenv("CI") == "", running: map[string]*stackStep{},
		stop: make(chan struct{}), stopped: make(chan struct{})}
	tick := 15 * time.Second
	if p.tty {
		tick = time.Second // the progress line shows the wait as it grows
	}
	go func() {
		defer close(p.stopped)
		t := time.NewTicker(tick)
		defer t.Stop()
		for {
			select {
			case now := <-t.C:
				p.watch(now)
			case <-p.stop:
				return
			}
		}
	}()
	return p
}

// watch reports the stacks waiting on one engine step at now.
func (p *progressPrinter) watch(now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty {
		if p.last.Kind != "" && p.last.Kind != "end" {
			fmt.Fprint(p.w, "\r\033[K"+bar(p.last)+p.waiting(now))
		}
		return
	}
	for _, stack := range sortedStacks(p.running) {
		st := p.running[stack]
		if st.step == "" || now.Sub(st.since) < waitAfter || now.Sub(st.reported) < waitAfter {
			continue
		}
		st.reported = now
		fmt.Fprintf(p.w, "[%d/%d] %s waiting %s on %s\n", p.last.Done, p.last.Total, textsafe.Escape(stack), now.Sub(st.since).Round(time.Second), textsafe.Escape(st.step))
	}
}

// waiting is the progress line's note of the stack waiting longest on one
// step, when one has waited waitAfter or more.
func (p *progressPrinter) waiting(now time.Time) string {
	var longest string
	for _, stack := range sortedStacks(p.running) {
		st := p.running[stack]
		if st.step != "" && now.Sub(st.since) >= waitAfter && (longest == "" || st.since.Before(p.running[longest].since)) {
			longest = stack
		}
	}
	if longest == "" {
		return ""
	}
	st := p.running[longest]
	return fmt.Sprintf("; %s waiting %s on %s", textsafe.Escape(longest), now.Sub(st.since).Round(time.Second), textsafe.Escape(st.step))
}

func sortedStacks(m map[string]*stackStep) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && isCharDevice(f)
}

func isTerminalReader(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && isCharDevice(f)
}

func isCharDevice(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// handle prints one event. Stack names, wave names, errors and reasons are
// escaped (textsafe.Escape): they come from tenant files, the engine and the
// journal, and a control character must not drive the terminal.
func (p *progressPrinter) handle(ev runner.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.last = ev
	now := time.Now()
	if p.running == nil {
		p.running = map[string]*stackStep{}
	}
	var line string
	esc := textsafe.Escape
	switch ev.Kind {
	case "step":
		if st := p.running[ev.Stack]; st != nil {
			st.step, st.since, st.reported = ev.Step, now, time.Time{}
		}
		if !p.tty {
			return // the watch reports a step only once it keeps the stack waiting
		}
	case "wave":
		line = fmt.Sprintf("== %s: %d stacks, up to %d at once, tolerates %d failures (%s)", esc(ev.Wave.Name), len(ev.Wave.Stacks), ev.Wave.Limit(0), ev.Wave.Tolerance, esc(string(ev.Wave.Mode)))
	case "start":
		p.running[ev.Stack] = &stackStep{since: now}
		if p.tty {
			break // the progress line shows what runs
		}
		line = fmt.Sprintf("[%d/%d] %s started", ev.Done, ev.Total, esc(ev.Stack))
	case "retry":
		line = fmt.Sprintf("[%d/%d] %s attempt %d failed (%s), retrying in %s", ev.Done, ev.Total, esc(ev.Stack), ev.Attempt, outcome.ClassOf(ev.Err), ev.Delay.Round(time.Second))
	case "done":
		delete(p.running, ev.Stack)
		r := ev.Row
		line = fmt.Sprintf("[%d/%d] %s %s %s (%s)", ev.Done, ev.Total, esc(r.Stack), r.Result, r.Changes.Counts(), r.Duration.Round(100*time.Millisecond))
		if r.Error != "" {
			line += ": " + esc(r.Error)
		}
	case "bake":
		line = fmt.Sprintf("baking %s, %s left", waveLabel(ev.Wave), left(ev.Left))
	case "gate":
		line = gateProgress(ev.Gate)
	case "halt":
		line = "HALT " + esc(ev.Reason)
	}
	if p.tty {
		fmt.Fprint(p.w, "\r\033[K")
		if line != "" {
			fmt.Fprintln(p.w, line)
		}
		if ev.Kind != "end" {
			fmt.Fprint(p.w, bar(ev)+p.waiting(now))
		}
		return
	}
	if line != "" {
		fmt.Fprintln(p.w, line)
	}
}

func (p *progressPrinter) finish() {
	if p.stop != nil { // nil for a printer built without its watch
		close(p.stop)
		<-p.stopped
	}
	if p.tty {
		p.mu.Lock()
		fmt.Fprint(p.w, "\r\033[K")
		p.mu.Unlock()
	}
}

// bar is the live progress line: [#####.....] done/total, running, failed.
func bar(ev runner.Progress) string {
	const width = 30
	filled := 0
	if ev.Total > 0 {
		filled = ev.Done * width / ev.Total
	}
	return fmt.Sprintf("[%s%s] %d/%d done, %d running, %d failed", strings.Repeat("#", filled), strings.Repeat(".", width-filled), ev.Done, ev.Total, ev.Running, ev.Failed)
}

// waveLabel is "wave N", with the wave's name when it is another (canary,
// platform).
func waveLabel(w *plan.Wave) string {
	label := fmt.Sprintf("wave %d", w.Index)
	if w.Name != label {
		label += " (" + textsafe.Escape(w.Name) + ")"
	}
	return label
}

// left is a bake's time left: whole minutes (rounded up) from a minute on,
// seconds below.
func left(d time.Duration) string {
	if d >= time.Minute {
		return fmt.Sprintf("%dm", int((d+time.Minute-1)/time.Minute))
	}
	return fmt.Sprintf("%ds", int((d+time.Second-1)/time.Second))
}

// gateProgress is a gate check as a progress line.
func gateProgress(g *outcome.GateCheck) string {
	head := fmt.Sprintf("gate %s after wave %d (%s)", textsafe.Escape(g.Gate), g.Wave, textsafe.Escape(g.WaveName))
	switch {
	case g.Error != "":
		return head + ": could not read its signals: " + textsafe.Escape(g.Error)
	case !g.Passed:
		names := make([]string, len(g.Alarms))
		for i, a := range g.Alarms {
			names[i] = textsafe.Escape(a.Name)
		}
		return fmt.Sprintf("%s: %d alarms in ALARM: %s", head, len(g.Alarms), strings.Join(names, ", "))
	}
	return head + ": passed"
}
