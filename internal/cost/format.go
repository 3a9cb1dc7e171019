package cost

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/tenantctl/tenantctl/internal/textsafe"
)

// Formats a report can be written in.
var Formats = []string{"table", "csv", "json"}

// Write renders the report in a format (table, csv or json); explain adds the
// usage-share formula and every tenant's numbers (the table; csv and json
// always carry the shares).
func Write(w io.Writer, r *Report, format string, explain bool) error {
	switch format {
	case "table", "":
		return writeTable(w, r, explain)
	case "csv":
		return writeCSV(w, r)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	return fmt.Errorf("format %q: want one of %s", format, strings.Join(Formats, ", "))
}

// The table's text comes partly from tags (Cost Explorer's tag values, in the
// unallocated details and warnings) and tenant files: every such value goes
// through textsafe.Escape, so a control character in a tag can neither break
// the table's columns nor drive the terminal. csv and json quote by their own
// rules.
func writeTable(w io.Writer, r *Report, explain bool) error {
	esc := textsafe.Escape
	status := "final"
	if r.Estimated {
		status = "estimated: Cost Explorer has not closed the month"
	}
	fmt.Fprintf(w, "Chargeback %s · %s · %s (%s)\n\n", r.Month, r.Metric, r.Currency, status)
	// Amounts are right-aligned by padding them to the widest one; tabwriter
	// aligns every column the same way.
	width := len("DIRECT")
	for _, c := range []int64{r.TotalCents, r.AllocatedCents, r.UnallocatedCents, r.PoolCents} {
		width = max(width, len(formatCents(c)))
	}
	for _, t := range r.Tenants {
		width = max(width, len(formatCents(t.DirectCents)), len(formatCents(t.TotalCents)))
	}
	amt := func(c int64) string { return fmt.Sprintf("%*s", width, formatCents(c)) }
	head := func(s string) string { return fmt.Sprintf("%*s", width, s) }
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "TENANT\tMODEL\tTIER\tBASIS\t%s\t%s\t%s\n", head("DIRECT"), head("POOLED"), head("TOTAL"))
	for _, t := range r.Tenants {
		basis := strings.Join(t.Basis, " + ")
		if basis == "" {
			basis = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", esc(t.ID), esc(string(t.Model)), esc(t.Tier), esc(basis), amt(t.DirectCents), amt(t.PooledCents), amt(t.TotalCents))
	}
	blank := strings.Repeat(" ", width)
	row := func(label string, c int64) { fmt.Fprintf(tw, "%s\t\t\t\t%s\t%s\t%s\n", label, blank, blank, amt(c)) }
	row("ALLOCATED", r.AllocatedCents)
	for _, u := range r.Unallocated {
		row("unallocated: "+esc(u.Reason), u.Cents)
	}
	row("UNALLOCATED", r.UnallocatedCents)
	row("TOTAL (Cost Explorer)", r.TotalCents)
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(r.Unallocated) > 0 {
		fmt.Fprintln(w, "\nUnallocated:")
		for _, u := range r.Unallocated {
			fmt.Fprintf(w, "  %-20s %12s  %s\n", esc(u.Reason), formatCents(u.Cents), esc(u.Detail))
		}
	}
	if explain {
		writeExplain(w, r)
	}
	for _, warn := range r.Warnings {
		fmt.Fprintf(w, "\nwarning: %s", esc(warn))
	}
	if len(r.Warnings) > 0 {
		fmt.Fprintln(w)
	}
	return nil
}

func writeExplain(w io.Writer, r *Report) {
	fmt.Fprintln(w, "\nHow pooled cost is shared:")
	fmt.Fprintf(w, "  %s\n", r.Formula)
	var ws []string
	for _, x := range r.Weights {
		ws = append(ws, fmt.Sprintf("w_%s = %g (U = %g)", x.Metric, x.Factor, r.UsageTotals[x.Metric]))
	}
	fmt.Fprintf(w, "  weights: %s\n", strings.Join(ws, ", "))
	fmt.Fprintf(w, "  pool shared by usage: %s %s\n", formatCents(r.PoolCents), r.Currency)
	any := false
	for _, t := range r.Tenants {
		if t.Explain == "" {
			continue
		}
		any = true
		fmt.Fprintf(w, "  %s: %s → %s\n", textsafe.Escape(t.ID), textsafe.Escape(t.Explain), formatCents(t.PooledCents))
	}
	if !any {
		fmt.Fprintln(w, "  no tenant metered usage this month: the pool is unallocated")
	}
}

func writeCSV(w io.Writer, r *Report) error {
	cw := csv.NewWriter(w)
	rows := [][]string{{"kind", "id", "model", "tier", "basis", "direct", "pooled", "total", "share", "currency", "month"}}
	for _, t := range r.Tenants {
		rows = append(rows, []string{"tenant", t.ID, string(t.Model), t.Tier, strings.Join(t.Basis, "+"),
			formatCents(t.DirectCents), formatCents(t.PooledCents), formatCents(t.TotalCents),
			strconv.FormatFloat(t.Share, 'f', 6, 64), r.Currency, r.Month})
	}
	for _, u := range r.Unallocated {
		rows = append(rows, []string{"unallocated", u.Reason, "", "", "", "", "", formatCents(u.Cents), "", r.Currency, r.Month})
	}
	rows = append(rows, []string{"total", "", "", "", "", "", "", formatCents(r.TotalCents), "", r.Currency, r.Month})
	if err := cw.WriteAll(rows); err != nil {
		return err
	}
	return cw.Error()
}
