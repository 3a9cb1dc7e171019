package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/tenantctl/tenantctl/internal/rollout/outcome"
	"github.com/tenantctl/tenantctl/internal/rollout/runner"
	"github.com/tenantctl/tenantctl/internal/textsafe"
)

// progressPrinter shows the rollout as it moves: on a terminal a progress line
// kept at the bottom under per-stack status lines; elsewhere (CI) plain lines.
type progressPrinter struct {
	mu  sync.Mutex
	w   io.Writer
	tty bool
}

func newProgressPrinter(w io.Writer) *progressPrinter {
	return &progressPrinter{w: w, tty: isTerminal(w) && os.Getenv("CI") == ""}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// handle prints one event. Stack names, wave names, errors and reasons are
// escaped (textsafe.Escape): they come from tenant files, the engine and the
// journal, and a control character must not drive the terminal.
func (p *progressPrinter) handle(ev runner.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var line string
	esc := textsafe.Escape
	switch ev.Kind {
	case "wave":
		line = fmt.Sprintf("== %s: %d stacks, up to %d at once, tolerates %d failures (%s)", esc(ev.Wave.Name), len(ev.Wave.Stacks), ev.Wave.Limit(0), ev.Wave.Tolerance, esc(string(ev.Wave.Mode)))
	case "start":
		if p.tty {
			break // the progress line shows what runs
		}
		line = fmt.Sprintf("[%d/%d] %s started", ev.Done, ev.Total, esc(ev.Stack))
	case "retry":
		line = fmt.Sprintf("[%d/%d] %s attempt %d failed (%s), retrying in %s", ev.Done, ev.Total, esc(ev.Stack), ev.Attempt, outcome.ClassOf(ev.Err), ev.Delay.Round(time.Second))
	case "done":
		r := ev.Row
		line = fmt.Sprintf("[%d/%d] %s %s %s (%s)", ev.Done, ev.Total, esc(r.Stack), r.Result, r.Changes.Counts(), r.Duration.Round(100*time.Millisecond))
		if r.Error != "" {
			line += ": " + esc(r.Error)
		}
	case "halt":
		line = "HALT " + esc(ev.Reason)
	}
	if p.tty {
		fmt.Fprint(p.w, "\r\033[K")
		if line != "" {
			fmt.Fprintln(p.w, line)
		}
		if ev.Kind != "end" {
			fmt.Fprint(p.w, bar(ev))
		}
		return
	}
	if line != "" {
		fmt.Fprintln(p.w, line)
	}
}

func (p *progressPrinter) finish() {
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
