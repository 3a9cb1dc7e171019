package spec

// Strict YAML decoding with positions: every unknown field and type error of a
// file is reported with its line and column, not just the first, and the node
// tree is bounded in depth and size before it is decoded.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// maxDepth bounds the nesting of a file: the schema is four levels deep.
const maxDepth = 16

// maxEntries bounds the keys of one mapping and the items of one list: a tenant
// has at most 50 tags and a few dozen fields, and yaml.v3 checks a mapping's
// keys for duplicates pairwise, so a file of 40,000 keys would take seconds.
const maxEntries = 1000

var yamlLineRe = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// decodeFile parses data into out, keeping the node tree in src. It reports every
// unknown field and every type error, not just the first. It returns false when
// the file could not be parsed at all.
func decodeFile(data []byte, out any, src *Source, e *errs) bool {
	if bytes.IndexByte(data, 0) >= 0 || !isText(data) {
		e.at(src, "", "not a text file (binary content); a tenant file is UTF-8 YAML, check that the right file is here")
		return false
	}
	if !utf8.Valid(data) {
		line, col, b := firstInvalidUTF8(data)
		e.list = append(e.list, &FieldError{File: src.File, Line: line, Col: col, Msg: fmt.Sprintf("byte 0x%02x is not UTF-8; save the file as UTF-8 (it looks like Latin-1 or another legacy encoding)", b)})
		return false
	}
	if len(bytes.TrimSpace(data)) == 0 {
		e.at(src, "", "file is empty; a tenant file needs at least id, name, tier, costCenter and owner")
		return false
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			e.at(src, "", "the file holds only comments; a tenant file needs at least id, name, tier, costCenter and owner")
		} else {
			reportSyntaxError(src, data, err, e)
		}
		return false
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		e.list = append(e.list, &FieldError{File: src.File, Line: extra.Line, Col: extra.Column, Msg: "a second YAML document (---); put one tenant in each file"})
		return false
	}
	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) != 1 {
			e.at(src, "", "the file holds only comments; a tenant file needs at least id, name, tier, costCenter and owner")
			return false
		}
		root = root.Content[0]
	}
	if !checkTree(root, "", 0, src, e) {
		return false
	}
	if root.Kind != yaml.MappingNode {
		e.list = append(e.list, &FieldError{File: src.File, Line: root.Line, Col: root.Column, Msg: "the file must be a mapping of fields (key: value), not " + kindName(root)})
		return false
	}
	checkShape(root, reflect.TypeOf(out).Elem(), "", src, e)
	// checkShape has reported and cut out every duplicate key and every value of
	// the wrong type, so what decoding still finds is unexpected; report it as is.
	if err := root.Decode(out); err != nil {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			for _, m := range te.Errors {
				reportParseError(src, errors.New("yaml: "+m), e)
			}
		} else {
			reportParseError(src, err, e)
		}
	}
	src.tree = &sourceTree{data: data}
	return true
}

// checkTree walks the whole node tree, known fields or not, before anything is
// decoded: anchors and aliases are refused (they make YAML bombs possible and
// tenant files never need them) and so is nesting deeper than the schema's.
func checkTree(n *yaml.Node, path string, depth int, src *Source, e *errs) bool {
	if depth > maxDepth {
		e.list = append(e.list, &FieldError{File: src.File, Line: n.Line, Col: n.Column, Path: path, Msg: fmt.Sprintf("nested more than %d levels deep; the schema is only a few levels deep, check the indentation", maxDepth)})
		return false
	}
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		e.list = append(e.list, &FieldError{File: src.File, Line: n.Line, Col: n.Column, Path: path, Msg: "YAML anchors and aliases (&, *) are not allowed in tenant files; write the value out"})
		return false
	}
	if (n.Kind == yaml.MappingNode && len(n.Content)/2 > maxEntries) || (n.Kind == yaml.SequenceNode && len(n.Content) > maxEntries) {
		e.list = append(e.list, &FieldError{File: src.File, Line: n.Line, Col: n.Column, Path: path, Msg: fmt.Sprintf("more than %d entries; no field of a tenant file holds that many, check that the right file is here", maxEntries)})
		return false
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if !checkTree(k, path, depth+1, src, e) || !checkTree(n.Content[i+1], joinPath(path, k.Value), depth+1, src, e) {
				return false
			}
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			if !checkTree(c, fmt.Sprintf("%s[%d]", path, i), depth+1, src, e) {
				return false
			}
		}
	}
	return true
}

// checkShape walks the node tree against the Go type and reports every unknown
// field (with a "did you mean"), duplicate key and value of the wrong kind, each
// at its own position. Duplicates and wrong values are cut out of the tree (a
// wrong value becomes null) and their paths marked, so that decoding the rest
// goes on and validation does not report the same field again as missing.
func checkShape(n *yaml.Node, t reflect.Type, path string, src *Source, e *errs) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if !kindFits(n, t) {
		e.list = append(e.list, &FieldError{File: src.File, Line: n.Line, Col: n.Column, Path: path, Msg: wrongKind(n, t)})
		src.bad = append(src.bad, path)
		*n = yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "", Line: n.Line, Column: n.Column}
		return
	}
	switch n.Kind {
	case yaml.MappingNode:
		var fields map[string]reflect.Type
		if t.Kind() == reflect.Struct {
			fields = yamlFields(t)
		}
		seen := map[string]int{}
		kept := n.Content[:0]
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := joinPath(path, k.Value)
			if k.Kind != yaml.ScalarNode {
				e.list = append(e.list, &FieldError{File: src.File, Line: k.Line, Col: k.Column, Path: path, Msg: "keys must be plain strings, not " + kindName(k) + "; write key: value"})
				continue
			}
			if first, dup := seen[k.Value]; dup {
				e.list = append(e.list, &FieldError{File: src.File, Line: k.Line, Col: k.Column, Path: p, Msg: fmt.Sprintf("duplicate key %q (first at line %d); remove one of them", k.Value, first)})
				src.bad = append(src.bad, p)
				continue
			}
			seen[k.Value] = k.Line
			kept = append(kept, k, v)
			if fields == nil {
				if isNull(v) && isScalarKind(t.Elem()) {
					// `team:` with nothing after it decodes as "", which
					// hides a forgotten value.
					e.list = append(e.list, &FieldError{File: src.File, Line: v.Line, Col: v.Column, Path: p, Msg: fmt.Sprintf("%q has no value (null); write its value, or \"\" for an empty one", k.Value)})
					src.bad = append(src.bad, p)
					continue
				}
				checkShape(v, t.Elem(), p, src, e)
				continue
			}
			ft, known := fields[k.Value]
			if !known {
				msg := fmt.Sprintf("unknown field %q", k.Value)
				if s := suggest(k.Value, sortedKeys(fields)); s != "" {
					msg += fmt.Sprintf("; did you mean %q?", s)
				} else {
					msg += "; known fields: " + strings.Join(sortedKeys(fields), ", ")
				}
				e.list = append(e.list, &FieldError{File: src.File, Line: k.Line, Col: k.Column, Path: p, Msg: msg})
				continue
			}
			checkShape(v, ft, p, src, e)
		}
		n.Content = kept
	case yaml.SequenceNode:
		nulls := false
		for i, c := range n.Content {
			p := fmt.Sprintf("%s[%d]", path, i)
			if isNull(c) {
				e.list = append(e.list, &FieldError{File: src.File, Line: c.Line, Col: c.Column, Path: p, Msg: "empty list entry (null); remove it or write its value"})
				nulls = true
				continue
			}
			checkShape(c, t.Elem(), p, src, e)
		}
		if nulls {
			// Decoding drops null entries, so the items after one would be
			// checked at the wrong index and position: the list stays
			// unchecked until its nulls are gone.
			src.bad = append(src.bad, path)
		}
	}
}

// isNull reports whether a node is YAML's null: `null`, `~` or nothing at all.
func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// isScalarKind reports whether values of t are written as YAML scalars.
func isScalarKind(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.String, reflect.Int, reflect.Int64, reflect.Float64, reflect.Bool:
		return true
	}
	return false
}

// kindFits reports whether a node can decode into a Go type: a mapping into a
// struct or map, a list into a slice, a scalar into a scalar of its kind. Null
// fits anything.
func kindFits(n *yaml.Node, t reflect.Type) bool {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return true
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		return n.Kind == yaml.MappingNode
	case reflect.Slice:
		return n.Kind == yaml.SequenceNode
	case reflect.String:
		return n.Kind == yaml.ScalarNode
	case reflect.Int, reflect.Int64, reflect.Float64, reflect.Bool:
		if n.Kind != yaml.ScalarNode {
			return false
		}
		// The common cases without reflection; yaml.v3 itself decides the rest.
		switch tag := n.ShortTag(); {
		case t.Kind() == reflect.Bool && tag == "!!bool",
			t.Kind() == reflect.Float64 && (tag == "!!float" || tag == "!!int"):
			return true
		case tag == "!!int":
			if _, err := strconv.ParseInt(n.Value, 10, 64); err == nil {
				return true
			}
		}
		return n.Decode(reflect.New(t).Interface()) == nil
	}
	return true
}

// wrongKind says what a field expects, what the file gives and how to write it.
func wrongKind(n *yaml.Node, t reflect.Type) string {
	var want string
	switch t.Kind() {
	case reflect.Struct:
		want = "a mapping of fields (indented key: value lines)"
	case reflect.Map:
		want = "a mapping of key: value (e.g. {team: payments})"
	case reflect.Slice:
		want = "a list (e.g. [10.0.16.0/24, 10.0.17.0/24] or one \"- item\" per line)"
	case reflect.String:
		want = "a text value (quote it if it looks like something else)"
	case reflect.Int, reflect.Int64:
		want = "a whole number (e.g. 512, without quotes or units)"
	case reflect.Float64:
		want = "a number (e.g. 50 or 2.5, without quotes)"
	case reflect.Bool:
		want = "true or false"
	}
	got := kindName(n)
	if n.Kind == yaml.ScalarNode {
		got = strconv.Quote(n.Value)
	}
	return "expected " + want + ", got " + got
}

// firstInvalidUTF8 finds the line, column and value of the first byte that is
// not valid UTF-8.
func firstInvalidUTF8(data []byte) (line, col int, b byte) {
	line, col = 1, 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return line, col, data[i]
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		i += size
	}
	return line, col, 0
}

// reportSyntaxError reports a YAML syntax error. yaml.v3 places a tab in the
// indentation at the line of the scanner's context (often the line before), so
// that error is moved to the first indenting tab at or after that line.
func reportSyntaxError(src *Source, data []byte, err error, e *errs) {
	reportParseError(src, err, e)
	last := e.list[len(e.list)-1]
	if !strings.Contains(last.Msg, "tab character") || last.Line == 0 {
		return
	}
	for i, l := range bytes.Split(data, []byte("\n")) {
		if i+1 < last.Line {
			continue
		}
		indent := len(l) - len(bytes.TrimLeft(l, " \t"))
		if tab := bytes.IndexByte(l[:indent], '\t'); tab >= 0 {
			last.Line, last.Col = i+1, tab+1
			return
		}
	}
}

func reportParseError(src *Source, err error, e *errs) {
	msg := err.Error()
	line := 0
	if m := yamlLineRe.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	for _, h := range parseHints {
		if strings.Contains(msg, h[0]) {
			msg += " (" + h[1] + ")"
			break
		}
	}
	if strings.Contains(msg, "cannot unmarshal") {
		msg = explainTypeError(msg)
	}
	col := 0
	if line > 0 {
		col = 1
	}
	e.list = append(e.list, &FieldError{File: src.File, Line: line, Col: col, Msg: msg})
}

// parseHints explain yaml.v3's most common syntax errors in terms of the fix.
var parseHints = [][2]string{
	{"found character that cannot start any token", "tabs are not allowed for indentation in YAML; indent with spaces"},
	{"tab character that violates indentation", "indent with spaces; YAML does not allow tabs"},
	{"already defined", "remove the duplicate key"},
	{"found unexpected end of stream", "a quote or bracket is left open"},
	{"did not find expected key", "check the indentation of this line and the ones above"},
	{"mapping values are not allowed in this context", "a value containing \": \" needs quotes"},
	{"could not find expected ':'", "write key: value, or quote a value that spans lines"},
	{"did not find expected ',' or ']'", "a [list] is left open or misses a comma"},
	{"did not find expected ',' or '}'", "a {mapping} is left open or misses a comma"},
	{"found unknown escape character", "inside double quotes write \\\\ for a backslash, or use single quotes"},
}

var unmarshalRe = regexp.MustCompile("cannot unmarshal !!(\\w+)(?: `([^`]*)`)? into (\\S+)")

// explainTypeError turns yaml.v3's Go-flavoured type error into the kind of
// value the field expects.
func explainTypeError(msg string) string {
	m := unmarshalRe.FindStringSubmatch(msg)
	if m == nil {
		return msg
	}
	want := m[3]
	switch {
	case strings.HasPrefix(want, "map["):
		want = "a mapping of key: value"
	case strings.HasPrefix(want, "[]"):
		want = "a list"
	case want == "int" || want == "float64":
		want = "a number"
	case want == "bool":
		want = "true or false"
	case want == "string" || strings.HasPrefix(want, "spec."):
		if strings.HasPrefix(want, "spec.") && want != "spec.IsolationModel" && want != "spec.Status" {
			want = "a mapping of fields"
		} else {
			want = "a string"
		}
	}
	got := m[1]
	if m[2] != "" {
		got += " " + strconv.Quote(m[2])
	}
	return fmt.Sprintf("expected %s, got %s", want, got)
}

func isText(data []byte) bool {
	ctl := 0
	for _, c := range data[:min(len(data), 4096)] {
		if c < 0x09 || (c > 0x0d && c < 0x20) {
			ctl++
		}
	}
	return ctl == 0
}

// kindName names a node's kind with its article, for messages.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return "a plain value"
	}
	return "a value"
}

func joinPath(base, key string) string {
	if base == "" {
		return key
	}
	return base + "." + key
}

// fieldCache holds yamlFields per struct type: every file of a fleet asks for the
// same few types, from several goroutines.
var fieldCache sync.Map // reflect.Type → map[string]reflect.Type

// yamlFields maps a struct's YAML field names to their types. The map is shared:
// callers only read it.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	if m, ok := fieldCache.Load(t); ok {
		return m.(map[string]reflect.Type)
	}
	m := structFields(t)
	fieldCache.Store(t, m)
	return m
}

func structFields(t reflect.Type) map[string]reflect.Type {
	m := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		m[name] = f.Type
	}
	return m
}
