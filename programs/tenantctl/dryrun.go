package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/tenantctl/tenantctl/internal/rollout/plan"
	"github.com/tenantctl/tenantctl/internal/textsafe"
)

// A dry run plans exactly as the real run would (the fleet, the selection,
// --changed-since, the waves) and prints the plan: no Pulumi CLI, backend,
// passphrase or cloud credentials are needed, and nothing is journaled or locked.

// writePlan prints a planned rollout: text for people, JSON (the plan as the
// journal would record it) for scripts.
func writePlan(w io.Writer, p *plan.Plan, output string) error {
	if output == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(p)
	}
	esc := textsafe.Escape
	name := string(p.Op)
	if p.Op == plan.OpUp {
		name = "rollout"
	}
	fmt.Fprintf(w, "%s plan: %d stacks in %d waves (%s); nothing runs (dry run)\n", name, p.Stacks(), len(p.Waves), esc(p.Selection))
	for _, wv := range p.Waves {
		fmt.Fprintf(w, "== %s: %d stacks, up to %d at once, tolerates %d failures (%s)\n", esc(wv.Name), len(wv.Stacks), wv.Limit(0), wv.Tolerance, esc(string(wv.Mode)))
		writeWrapped(w, "   ", wv.Stacks, 100)
	}
	for _, s := range p.Skipped {
		fmt.Fprintf(w, "skipped %s: %s\n", esc(s.Stack), esc(s.Reason))
	}
	return nil
}

// writeWrapped prints names separated by blanks in lines of at most width
// columns, each starting with indent.
func writeWrapped(w io.Writer, indent string, names []string, width int) {
	var line strings.Builder
	for _, n := range names {
		n = textsafe.Escape(n)
		if line.Len() > 0 && line.Len()+1+len(n) > width {
			fmt.Fprintln(w, line.String())
			line.Reset()
		}
		if line.Len() == 0 {
			line.WriteString(indent)
		} else {
			line.WriteByte(' ')
		}
		line.WriteString(n)
	}
	if line.Len() > 0 {
		fmt.Fprintln(w, line.String())
	}
}
