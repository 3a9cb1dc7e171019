// Package report renders a rollout's outcome: the final table and summary line
// for people, JSON for machines, markdown for a pull request comment.
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/tenantctl/tenantctl/internal/rollout/outcome"
	"github.com/tenantctl/tenantctl/internal/rollout/plan"
	"github.com/tenantctl/tenantctl/internal/textsafe"
)

// Report is a rollout's outcome for people (table, markdown) and machines (JSON).
type Report struct {
	ID      string         `json:"id"`
	Op      plan.Op        `json:"op"`
	Drift   bool           `json:"drift,omitempty"`
	Release string         `json:"release,omitempty"`
	Status  outcome.Status `json:"status"`
	Reason  string         `json:"reason,omitempty"`
	Started time.Time      `json:"started"`
	Ended   time.Time      `json:"ended"`
	Waves   []plan.Wave    `json:"waves"`
	Stacks  []outcome.Row  `json:"stacks"`
	Skipped []plan.Skip    `json:"skipped,omitempty"`
	Totals  Totals         `json:"totals"`
	Journal string         `json:"journal,omitempty"`
	Logs    string         `json:"logs,omitempty"`
	// URLs are where the tenants of the report's stacks answer, by stack
	// (the url output every tenant stack exports; the CLI fills them from
	// the fleet, which names them before anything deploys).
	URLs map[string]string `json:"urls,omitempty"`
	// Gates are the last check of each wave's gate (bake and gate).
	Gates []outcome.GateCheck `json:"gates,omitempty"`
	// RollbackOf is the rollout a rollback rolls back; Rollback the report
	// of the rollback that followed this rollout's halt (--on-halt rollback).
	RollbackOf string  `json:"rollbackOf,omitempty"`
	Rollback   *Report `json:"rollback,omitempty"`
}

// Totals sum a report's rows.
type Totals struct {
	Stacks     int `json:"stacks"`
	Succeeded  int `json:"succeeded"`
	Failed     int `json:"failed"`
	Cancelled  int `json:"cancelled"`
	NotStarted int `json:"notStarted"`
	Skipped    int `json:"skipped"`
	// Unchanged counts the skipped stacks whose desired state is the one
	// they were last deployed with.
	Unchanged int             `json:"unchanged"`
	Changed   int             `json:"changed"`
	Changes   outcome.Changes `json:"changes"`
}

// New puts a plan and its rows together.
func New(p *plan.Plan, status outcome.Status, reason string, rows []outcome.Row, started, ended time.Time) *Report {
	r := &Report{ID: p.ID, Op: p.Op, Drift: p.Drift, Release: p.Release, Status: status, Reason: reason,
		Started: started, Ended: ended, Waves: p.Waves, Stacks: rows, Skipped: p.Skipped, RollbackOf: p.RollbackOf}
	r.Totals.Stacks, r.Totals.Skipped = len(rows), len(p.Skipped)
	for _, s := range p.Skipped {
		if s.Unchanged {
			r.Totals.Unchanged++
		}
	}
	for _, row := range rows {
		switch row.Result {
		case outcome.ResultSucceeded:
			r.Totals.Succeeded++
		case outcome.ResultFailed:
			r.Totals.Failed++
		case outcome.ResultCancelled:
			r.Totals.Cancelled++
		default:
			r.Totals.NotStarted++
		}
		if row.Changes.Any() {
			r.Totals.Changed++
		}
		r.Totals.Changes = r.Totals.Changes.Add(row.Changes)
	}
	return r
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteTable writes the final table: tenant, wave, result, +/~/-, duration, error.
// Stack names, errors and reasons come from tenant files, the engine and the
// journal: they are escaped (textsafe.Escape), so no control character reaches
// the terminal or the CI log.
func (r *Report) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STACK\tWAVE\tRESULT\t+/~/-\tDURATION\tDETAIL")
	for _, row := range r.Stacks {
		detail := r.detail(row)
		if row.Earlier {
			detail = "succeeded in an earlier run"
		} else if row.Attempts > 1 {
			detail = strings.TrimSpace(fmt.Sprintf("%d attempts %s", row.Attempts, detail))
		}
		if r.Drift && row.Result == outcome.ResultSucceeded && row.Changes.Any() {
			detail = "DRIFT " + detail
		}
		dur := "-"
		if row.Duration > 0 {
			dur = row.Duration.Round(100 * time.Millisecond).String()
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\n", textsafe.Escape(row.Stack), row.Wave, textsafe.Escape(string(row.Result)), row.Changes.Counts(), dur, textsafe.Escape(detail))
	}
	for _, s := range r.Skipped {
		if !s.Unchanged { // a release's unchanged stacks are counted, not listed
			fmt.Fprintf(tw, "%s\t-\tskipped\t\t\t%s\n", textsafe.Escape(s.Stack), textsafe.Escape(s.Reason))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if danger := r.Dangerous(); len(danger) > 0 {
		fmt.Fprintf(w, "DANGER: %d stateful resources %s replaced or deleted (their data or identity is lost):\n", len(danger), r.would())
		for _, d := range danger {
			fmt.Fprintf(w, "  %s: %s %s %s\n", textsafe.Escape(d.Stack), d.Op, textsafe.Escape(d.Type), textsafe.Escape(d.Name))
		}
	}
	for _, g := range r.Gates {
		fmt.Fprintln(w, gateLine(g))
		for _, a := range g.Alarms {
			fmt.Fprintf(w, "  ALARM %s (%s): %s\n", textsafe.Escape(a.Name), textsafe.Escape(a.Stack), textsafe.Escape(a.Reason))
		}
	}
	if _, err := fmt.Fprintln(w, r.Summary()); err != nil {
		return err
	}
	if r.Rollback != nil {
		fmt.Fprintf(w, "\nrolled back by %s:\n", textsafe.Escape(r.Rollback.ID))
		return r.Rollback.WriteTable(w)
	}
	return nil
}

// gateLine is one wave's gate check on one line, escaped.
func gateLine(g outcome.GateCheck) string {
	what := "passed"
	switch {
	case g.Error != "":
		what = "HALTED: could not read its signals: " + g.Error
	case !g.Passed:
		what = fmt.Sprintf("HALTED: %d alarms in ALARM", len(g.Alarms))
	}
	return textsafe.Escape(fmt.Sprintf("GATE %s after wave %d (%s): %s", g.Gate, g.Wave, g.WaveName, what))
}

// detail is a row's error, or for a rollback the release its stack went back to.
func (r *Report) detail(row outcome.Row) string {
	if r.Op == plan.OpRollback && row.Error == "" && row.Release != "" {
		return "back to release " + row.Release
	}
	return row.Error
}

// StackStep is a step of one stack.
type StackStep struct {
	Stack string `json:"stack"`
	outcome.Step
}

// Dangerous are the steps that lose state — stateful resources replaced or
// deleted — of every stack, in the report's order. A destroy is all
// deletes by intent, so it has none.
func (r *Report) Dangerous() []StackStep {
	if r.Op == plan.OpDestroy {
		return nil
	}
	var out []StackStep
	for _, row := range r.Stacks {
		for _, st := range row.Steps {
			if st.Dangerous() {
				out = append(out, StackStep{Stack: row.Stack, Step: st})
			}
		}
	}
	return out
}

// would is "would be" for a preview, "were" otherwise.
func (r *Report) would() string {
	if r.Op == plan.OpPreview {
		return "would be"
	}
	return "were"
}

// Summary is the one-line outcome, then the reason on a line of its own; both
// escaped (textsafe.Escape).
func (r *Report) Summary() string {
	t := r.Totals
	s := fmt.Sprintf("%s %s: %s — %d stacks: %d succeeded, %d failed", textsafe.Escape(string(r.Op)), textsafe.Escape(r.ID), textsafe.Escape(string(r.Status)), t.Stacks, t.Succeeded, t.Failed)
	if r.RollbackOf != "" {
		to := "the releases its stacks ran before"
		if r.Release != "" {
			to = "release " + r.Release
		}
		s = fmt.Sprintf("rollback %s of %s to %s: %s — %d stacks: %d succeeded, %d failed", textsafe.Escape(r.ID), textsafe.Escape(r.RollbackOf), textsafe.Escape(to), textsafe.Escape(string(r.Status)), t.Stacks, t.Succeeded, t.Failed)
	}
	if t.Cancelled > 0 {
		s += fmt.Sprintf(", %d cancelled", t.Cancelled)
	}
	if t.NotStarted > 0 {
		s += fmt.Sprintf(", %d not started", t.NotStarted)
	}
	if n := t.Skipped - t.Unchanged; n > 0 {
		s += fmt.Sprintf(", %d skipped", n)
	}
	if t.Unchanged > 0 {
		s += fmt.Sprintf(", %d unchanged since their last rollout (not run; --force runs them)", t.Unchanged)
	}
	what := "with changes"
	if r.Drift {
		what = "drifted"
	}
	s += fmt.Sprintf("; %d %s (%s)", t.Changed, what, t.Changes.Counts())
	if r.Reason != "" {
		s += "\n" + textsafe.Escape(r.Reason)
	}
	return s
}

// MarkdownLimit is GitHub's size limit of an issue or pull request comment.
const MarkdownLimit = 65536

// Markdown renders the report for a pull request comment within limit bytes:
// stacks that failed or change come first, and rows that do not fit are
// counted in a closing line instead. The report of the rollback that followed
// a halt comes after, in the room left.
func (r *Report) Markdown(limit int) string {
	if r.Rollback == nil {
		return r.markdown(limit)
	}
	const rollbackRoom = 1024 // the rollback's head and its worst rows
	own := r.markdown(limit - rollbackRoom)
	return own + "\n" + r.Rollback.markdown(limit-len(own)-1)
}

func (r *Report) markdown(limit int) string {
	var head strings.Builder
	title := map[plan.Op]string{plan.OpPreview: "Preview", plan.OpUp: "Rollout", plan.OpRefresh: "Refresh", plan.OpDestroy: "Destroy", plan.OpRollback: "Rollback"}[r.Op]
	if r.Drift {
		title = "Drift report"
	}
	fmt.Fprintf(&head, "### tenantctl %s `%s`: %s\n\n", strings.ToLower(title), mdEscape(r.ID), mdEscape(string(r.Status)))
	t := r.Totals
	fmt.Fprintf(&head, "**%d stacks**: %d succeeded, %d failed, %d not run, %d skipped, %d unchanged — **%d with changes** (%s)\n\n",
		t.Stacks, t.Succeeded, t.Failed, t.Cancelled+t.NotStarted, t.Skipped-t.Unchanged, t.Unchanged, t.Changed, t.Changes.Counts())
	if r.RollbackOf != "" {
		fmt.Fprintf(&head, "Rolls back `%s`: each stack redeploys the release it ran before it.\n\n", mdEscape(r.RollbackOf))
	}
	if r.Reason != "" {
		fmt.Fprintf(&head, "> %s\n\n", mdEscape(r.Reason))
	}
	for _, g := range r.Gates {
		if g.Passed {
			fmt.Fprintf(&head, "- gate `%s` after wave %d (%s): passed\n", mdEscape(g.Gate), g.Wave, mdEscape(g.WaveName))
			continue
		}
		fmt.Fprintf(&head, "> [!WARNING]\n> **gate `%s` halted the rollout after wave %d (%s)**", mdEscape(g.Gate), g.Wave, mdEscape(g.WaveName))
		if g.Error != "" {
			fmt.Fprintf(&head, ": it could not read its signals: %s", mdEscape(g.Error))
		}
		head.WriteString("\n")
		for i, a := range g.Alarms {
			if i == 20 {
				fmt.Fprintf(&head, "> - … and %d more (the JSON report lists every alarm)\n", len(g.Alarms)-i)
				break
			}
			fmt.Fprintf(&head, "> - `%s` (`%s`) in ALARM: %s\n", mdEscape(a.Name), mdEscape(a.Stack), mdEscape(a.Reason))
		}
		head.WriteString("\n")
	}
	if danger := r.Dangerous(); len(danger) > 0 {
		fmt.Fprintf(&head, "> [!CAUTION]\n> **%d stateful resources %s replaced or deleted** — their data or identity is lost:\n", len(danger), r.would())
		for i, d := range danger {
			if i == 20 {
				fmt.Fprintf(&head, "> - … and %d more (the JSON report lists every step)\n", len(danger)-i)
				break
			}
			fmt.Fprintf(&head, "> - `%s`: **%s** `%s` `%s`\n", mdEscape(d.Stack), d.Op, mdEscape(d.Type), mdEscape(d.Name))
		}
		head.WriteString("\n")
	}
	head.WriteString("| stack | wave | result | + | ~ | - | duration | detail |\n|---|---|---|---:|---:|---:|---:|---|\n")
	var rows []string
	for _, pass := range []func(outcome.Row) bool{
		func(x outcome.Row) bool { return x.Result != outcome.ResultSucceeded },
		func(x outcome.Row) bool { return x.Result == outcome.ResultSucceeded && x.Changes.Any() },
		func(x outcome.Row) bool { return x.Result == outcome.ResultSucceeded && !x.Changes.Any() },
	} {
		for _, x := range r.Stacks {
			if pass(x) {
				rows = append(rows, fmt.Sprintf("| `%s` | %d | %s | %d | %d | %d | %s | %s |\n", mdEscape(x.Stack), x.Wave, mdEscape(string(x.Result)),
					x.Changes.Create, x.Changes.Update+x.Changes.Replace, x.Changes.Delete, x.Duration.Round(time.Second), mdEscape(r.detail(x))))
			}
		}
	}
	for _, s := range r.Skipped {
		if !s.Unchanged {
			rows = append(rows, fmt.Sprintf("| `%s` | - | skipped | | | | | %s |\n", mdEscape(s.Stack), mdEscape(s.Reason)))
		}
	}
	var b strings.Builder
	b.WriteString(head.String())
	const tailRoom = 120 // room for the "… more" line
	for i, row := range rows {
		if b.Len()+len(row)+tailRoom > limit {
			fmt.Fprintf(&b, "\n… and %d more stacks not shown (the full report is the JSON artifact)\n", len(rows)-i)
			return b.String()
		}
		b.WriteString(row)
	}
	// Each changed stack's resources, folded, as room allows.
	for i, x := range r.Stacks {
		if len(x.Steps) == 0 {
			continue
		}
		var d strings.Builder
		fmt.Fprintf(&d, "\n<details><summary><code>%s</code>: %d resources</summary>\n\n", mdEscape(x.Stack), len(x.Steps)+x.StepsOmitted)
		for _, st := range x.Steps {
			fmt.Fprintf(&d, "- %s `%s` `%s`\n", st.Op, mdEscape(st.Type), mdEscape(st.Name))
		}
		if x.StepsOmitted > 0 {
			fmt.Fprintf(&d, "- … and %d more\n", x.StepsOmitted)
		}
		d.WriteString("\n</details>\n")
		if b.Len()+d.Len()+tailRoom > limit {
			fmt.Fprintf(&b, "\n… the changed resources of %d more stacks are in the JSON artifact\n", countSteps(r.Stacks[i:]))
			return b.String()
		}
		b.WriteString(d.String())
	}
	return b.String()
}

func countSteps(rows []outcome.Row) int {
	n := 0
	for _, x := range rows {
		if len(x.Steps) > 0 {
			n++
		}
	}
	return n
}

// mdEscape keeps a value inside its table cell: control characters escaped
// (textsafe.Escape: a newline would end the row, an escape sequence would reach
// whoever reads the raw text), '|' escaped, and at most 300 bytes, cut on a
// character boundary.
func mdEscape(s string) string {
	s = strings.ReplaceAll(textsafe.Escape(s), "|", `\|`)
	if len(s) > 300 {
		cut := 300
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}
