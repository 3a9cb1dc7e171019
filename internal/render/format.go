package render

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"gopkg.in/yaml.v3"
)

// Formats are the output formats of Write.
var Formats = []string{"table", "json", "yaml", "markdown", "dot"}

// Write prints graphs in a format. JSON and YAML print one graph as an object
// and several as a list.
func Write(w io.Writer, format string, graphs []*Graph) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if len(graphs) == 1 {
			return enc.Encode(graphs[0])
		}
		return enc.Encode(graphs)
	case "yaml":
		enc := yaml.NewEncoder(w)
		enc.SetIndent(2)
		defer enc.Close()
		if len(graphs) == 1 {
			return enc.Encode(graphs[0])
		}
		return enc.Encode(graphs)
	case "table":
		return writeTable(w, graphs)
	case "markdown":
		return writeMarkdown(w, graphs)
	case "dot":
		return writeDot(w, graphs)
	}
	return fmt.Errorf("unknown format %q; use one of %s", format, strings.Join(Formats, ", "))
}

// defaultTags returns the stack's provider default tags (the tags every
// taggable resource carries), and a resource's tags beyond them.
func defaultTags(g *Graph) map[string]string {
	for _, r := range g.Resources {
		if strings.HasPrefix(r.Type, providerTypePrefix) {
			return stringMap(r.Raw["defaultTags"], "tags")
		}
	}
	return nil
}

func extraTags(r *Resource, defaults map[string]string) map[string]string {
	extra := map[string]string{}
	for k, v := range r.Tags {
		if d, ok := defaults[k]; !ok || d != v {
			extra[k] = v
		}
	}
	return extra
}

func joinMap(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + m[k]
	}
	return strings.Join(parts, " ")
}

// maxInputLen bounds an input value in the table and Markdown formats; the
// JSON and YAML formats carry every input in full.
const maxInputLen = 48

// maxNestedLeaves bounds the values a nested input (a listener's actions, an
// alias, a security group's rules) may spread into before the table and
// Markdown formats leave it out; the JSON and YAML formats carry it in full.
const maxNestedLeaves = 12

// keyInputs summarises a resource's inputs, sorted by name: scalars and lists
// of scalars as they are, nested objects and lists as dotted paths to their
// values (`defaultActions.redirect.port=443`; an index only where a list
// holds several objects), when they spread into at most maxNestedLeaves
// values. A provider's defaultTags are left out: the header prints them.
func keyInputs(r *Resource) string {
	keys := make([]string, 0, len(r.Inputs))
	for k := range r.Inputs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		if k == "defaultTags" && strings.HasPrefix(r.Type, providerTypePrefix) {
			continue
		}
		leaves := flatten(k, r.Inputs[k], nil)
		if len(leaves) > 1 && len(leaves) > maxNestedLeaves {
			continue
		}
		parts = append(parts, leaves...)
	}
	return strings.Join(parts, " ")
}

// flatten appends path=value for every scalar (or list of scalars) under v.
func flatten(path string, v any, out []string) []string {
	var s string
	switch v := v.(type) {
	case string:
		s = v
	case int64, float64, bool:
		s = fmt.Sprint(v)
	case []any:
		if len(v) == 0 {
			return out
		}
		if !scalars(v) {
			if len(v) == 1 {
				return flatten(path, v[0], out)
			}
			for i, e := range v {
				out = flatten(fmt.Sprintf("%s[%d]", path, i), e, out)
			}
			return out
		}
		strs := make([]string, len(v))
		for i, e := range v {
			strs[i] = fmt.Sprint(e)
		}
		s = strings.Join(strs, ",")
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			out = flatten(path+"."+k, v[k], out)
		}
		return out
	default:
		return out
	}
	if len(s) > maxInputLen {
		s = s[:maxInputLen-1] + "…"
	}
	return append(out, path+"="+s)
}

func scalars(v []any) bool {
	for _, e := range v {
		switch e.(type) {
		case string, int64, float64, bool:
		default:
			return false
		}
	}
	return true
}

func writeTable(w io.Writer, graphs []*Graph) error {
	for i, g := range graphs {
		if i > 0 {
			fmt.Fprintln(w)
		}
		defaults := defaultTags(g)
		fmt.Fprintf(w, "stack %s: %d resources\n", g.Stack, len(g.Resources))
		fmt.Fprintf(w, "default tags: %s\n", joinMap(defaults))
		if g.URL != "" {
			fmt.Fprintf(w, "url: %s\n", g.URL)
		}
		if g.EmulatorGaps != nil {
			fmt.Fprintf(w, "emulator gaps applied: %s\n", dash(strings.Join(g.EmulatorGaps, ", ")))
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "TYPE\tNAME\tPARENT\tPROVIDER\tEXTRA TAGS\tKEY INPUTS")
		for _, r := range g.Resources {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Type, r.Name, dash(r.Parent), dash(r.Provider),
				dash(joinMap(extraTags(r, defaults))), keyInputs(r))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func writeMarkdown(w io.Writer, graphs []*Graph) error {
	esc := strings.NewReplacer("|", `\|`, "\n", " ")
	for i, g := range graphs {
		if i > 0 {
			fmt.Fprintln(w)
		}
		defaults := defaultTags(g)
		fmt.Fprintf(w, "## Stack `%s`\n\n%d resources. Default tags: %s\n\n", g.Stack, len(g.Resources), esc.Replace(joinMap(defaults)))
		if g.URL != "" {
			fmt.Fprintf(w, "URL: %s\n\n", g.URL)
		}
		if g.EmulatorGaps != nil {
			fmt.Fprintf(w, "Emulator gaps applied: %s\n\n", dash(strings.Join(g.EmulatorGaps, ", ")))
		}
		fmt.Fprintln(w, "| type | name | parent | provider | extra tags | key inputs |")
		fmt.Fprintln(w, "|---|---|---|---|---|---|")
		for _, r := range g.Resources {
			fmt.Fprintf(w, "| `%s` | `%s` | %s | %s | %s | %s |\n", r.Type, r.Name, esc.Replace(dash(r.Parent)),
				esc.Replace(dash(r.Provider)), esc.Replace(dash(joinMap(extraTags(r, defaults)))), esc.Replace(dash(keyInputs(r))))
		}
	}
	return nil
}

// writeDot prints one digraph per stack, with parent → child edges; each node
// names its provider.
func writeDot(w io.Writer, graphs []*Graph) error {
	for _, g := range graphs {
		fmt.Fprintf(w, "digraph %q {\n  rankdir=LR;\n  node [shape=box, fontsize=10];\n", g.Stack)
		for _, r := range g.Resources {
			label := r.Type + "\n" + r.Name
			if r.Provider != "" {
				label += "\nprovider: " + r.Provider
			}
			fmt.Fprintf(w, "  %q [label=%q];\n", r.Key(), label)
		}
		for _, r := range g.Resources {
			if p := r.ParentKey(); p != "" {
				fmt.Fprintf(w, "  %q -> %q;\n", p, r.Key())
			}
		}
		fmt.Fprintln(w, "}")
	}
	return nil
}
