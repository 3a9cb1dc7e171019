package spec

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// SettingsFile is the name of the fleet-wide settings file inside the tenants directory.
const SettingsFile = "fleet.yaml"

// MaxFileSize bounds a tenant or settings file; real ones are a few hundred bytes,
// and the bound keeps a stray huge file from eating the PR check's memory.
const MaxFileSize = 256 << 10

// maxDepth bounds the nesting of a file: the schema is four levels deep.
const maxDepth = 16

// LoadDir reads tenants/fleet.yaml and every other tenants/*.yaml strictly, applies
// defaults and validates each file and the fleet. On any problem it returns the
// fleet as far as it could be read together with an ErrorList of every problem.
func LoadDir(dir string) (*Fleet, error) {
	f, err := ReadDir(dir)
	if err != nil {
		var list ErrorList
		if !errors.As(err, &list) {
			return nil, err
		}
	}
	if f.Settings.Source.node == nil {
		// Without readable settings every tenant check would fail on the tiers;
		// report what kept the settings from loading and stop there.
		return f, err
	}
	SetDefaults(f)
	verr := Validate(f)
	return f, JoinLists(err, verr)
}

// ReadDir decodes the settings and tenant files of a directory without defaults or
// validation. Errors are an ErrorList of every decoding problem, or an I/O error.
func ReadDir(dir string) (*Fleet, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("reading tenants directory: %w", err)
	}
	f := &Fleet{Dir: dir}
	var e errs
	settingsPath := filepath.Join(dir, SettingsFile)
	if data, ok := readFile(settingsPath, &e); ok {
		f.add(settingsPath, data, &e)
	}
	for _, ent := range entries {
		name := ent.Name()
		if ent.IsDir() || name == SettingsFile || !isYAMLName(name) {
			continue
		}
		path := filepath.Join(dir, name)
		if data, ok := readFile(path, &e); ok {
			f.add(path, data, &e)
		}
	}
	f.sortTenants()
	return f, e.err()
}

// ParseFleet decodes a fleet from file contents already in memory (e.g. read from
// git at another revision), keyed by file name inside dir, and applies defaults.
// It does not validate: a previous state is compared against, not judged.
func ParseFleet(dir string, files map[string][]byte) (*Fleet, error) {
	f := &Fleet{Dir: dir}
	var e errs
	for _, name := range sortedKeys(files) {
		if name != SettingsFile && !isYAMLName(name) {
			continue
		}
		path := filepath.Join(dir, name)
		if checkSize(&Source{File: path}, int64(len(files[name])), &e) {
			f.add(path, files[name], &e)
		}
	}
	f.sortTenants()
	SetDefaults(f)
	return f, e.err()
}

// add decodes one file of the tenants directory into the fleet.
func (f *Fleet) add(path string, data []byte, e *errs) {
	if filepath.Base(path) == SettingsFile {
		f.Settings.Source = Source{File: path}
		decodeFile(data, &f.Settings, &f.Settings.Source, e)
		return
	}
	t := &Tenant{Source: Source{File: path}}
	if decodeFile(data, t, &t.Source, e) {
		f.Tenants = append(f.Tenants, t)
	}
}

func (f *Fleet) sortTenants() {
	sort.SliceStable(f.Tenants, func(i, j int) bool { return f.Tenants[i].ID < f.Tenants[j].ID })
}

func isYAMLName(name string) bool {
	return strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml")
}

// checkSize refuses files over MaxFileSize before they are parsed.
func checkSize(src *Source, n int64, e *errs) bool {
	if n > MaxFileSize {
		e.at(src, "", "file is %d bytes, more than the %d allowed; a tenant file holds one tenant of a few hundred bytes, check that the right file is here", n, MaxFileSize)
		return false
	}
	return true
}

// ParseTenant decodes one tenant file's bytes (used by the fuzz target and by
// tools that read a tenant from git). name is the file name shown in errors.
func ParseTenant(name string, data []byte) (*Tenant, error) {
	var e errs
	t := &Tenant{Source: Source{File: name}}
	if !checkSize(&t.Source, int64(len(data)), &e) {
		return nil, e.err()
	}
	if !decodeFile(data, t, &t.Source, &e) {
		return nil, e.err()
	}
	return t, e.err()
}

func readFile(path string, e *errs) ([]byte, bool) {
	src := &Source{File: path}
	fi, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) && filepath.Base(path) == SettingsFile {
			e.at(src, "", "missing: the fleet-wide settings (tiers, shared network, OUs) live in %s; copy the sample from the README", SettingsFile)
		} else {
			e.at(src, "", "cannot read: %v", err)
		}
		return nil, false
	}
	if !checkSize(src, fi.Size(), e) {
		return nil, false
	}
	data, err := os.ReadFile(path)
	if err != nil {
		e.at(src, "", "cannot read: %v", err)
		return nil, false
	}
	return data, true
}

var yamlLineRe = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// decodeFile parses data into out, keeping the node tree in src. It reports every
// unknown field and every type error, not just the first. It returns false when
// the file could not be parsed at all.
func decodeFile(data []byte, out any, src *Source, e *errs) bool {
	if bytes.IndexByte(data, 0) >= 0 || !isText(data) {
		e.at(src, "", "not a text file (binary content); a tenant file is UTF-8 YAML")
		return false
	}
	if len(bytes.TrimSpace(data)) == 0 {
		e.at(src, "", "file is empty; a tenant file needs at least id, name, tier, costCenter and owner")
		return false
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		reportParseError(src, err, e)
		return false
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		e.list = append(e.list, &FieldError{File: src.File, Line: extra.Line, Col: extra.Column, Msg: "a second YAML document (---); put one tenant in each file"})
		return false
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		e.list = append(e.list, &FieldError{File: src.File, Line: root.Line, Col: root.Column, Msg: "the file must be a mapping of fields (key: value), not a " + kindName(root)})
		return false
	}
	src.node = root
	if !checkShape(root, reflect.TypeOf(out).Elem(), "", 0, src, e) {
		src.node = nil
		return false
	}
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
	return true
}

// checkShape walks the node tree against the Go type: unknown fields (with a
// "did you mean"), anchors and aliases (refused: they make YAML bombs possible and
// tenant files never need them) and excessive depth. It reports all it finds and
// returns false when decoding must not go on.
func checkShape(n *yaml.Node, t reflect.Type, path string, depth int, src *Source, e *errs) bool {
	if depth > maxDepth {
		e.list = append(e.list, &FieldError{File: src.File, Line: n.Line, Col: n.Column, Path: path, Msg: "nested too deeply; the schema is only a few levels deep"})
		return false
	}
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		e.list = append(e.list, &FieldError{File: src.File, Line: n.Line, Col: n.Column, Path: path, Msg: "YAML anchors and aliases (&, *) are not allowed in tenant files; write the value out"})
		return false
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	ok := true
	switch n.Kind {
	case yaml.MappingNode:
		switch t.Kind() {
		case reflect.Struct:
			fields := yamlFields(t)
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				if k.Kind != yaml.ScalarNode {
					e.list = append(e.list, &FieldError{File: src.File, Line: k.Line, Col: k.Column, Path: path, Msg: "field names must be plain strings"})
					ok = false
					continue
				}
				ft, known := fields[k.Value]
				p := joinPath(path, k.Value)
				if !known {
					msg := fmt.Sprintf("unknown field %q", k.Value)
					if s := suggest(k.Value, fields); s != "" {
						msg += fmt.Sprintf("; did you mean %q?", s)
					} else {
						msg += "; known fields: " + strings.Join(sortedKeys(fields), ", ")
					}
					e.list = append(e.list, &FieldError{File: src.File, Line: k.Line, Col: k.Column, Path: p, Msg: msg})
					continue
				}
				ok = checkShape(v, ft, p, depth+1, src, e) && ok
			}
		case reflect.Map:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				if k.Kind == yaml.AliasNode || k.Anchor != "" {
					ok = checkShape(k, t.Key(), path, depth+1, src, e) && ok
					continue
				}
				ok = checkShape(v, t.Elem(), joinPath(path, k.Value), depth+1, src, e) && ok
			}
		}
	case yaml.SequenceNode:
		if t.Kind() == reflect.Slice {
			for i, c := range n.Content {
				ok = checkShape(c, t.Elem(), fmt.Sprintf("%s[%d]", path, i), depth+1, src, e) && ok
			}
		}
	}
	return ok
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
	if strings.Contains(msg, "found character that cannot start any token") {
		msg += " (tabs are not allowed for indentation in YAML; indent with spaces)"
	}
	if strings.Contains(msg, "already defined") {
		msg += " (remove the duplicate key)"
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

var unmarshalRe = regexp.MustCompile("cannot unmarshal !!(\\w+) `?([^`]*)`? into (\\S+)")

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

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "list"
	case yaml.ScalarNode:
		return "plain value"
	}
	return "value"
}

func joinPath(base, key string) string {
	if base == "" {
		return key
	}
	return base + "." + key
}

// yamlFields maps a struct's YAML field names to their types.
func yamlFields(t reflect.Type) map[string]reflect.Type {
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

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// suggest returns the known field closest to name when it is a likely typo.
func suggest(name string, fields map[string]reflect.Type) string {
	best, bestD := "", 1<<30
	for _, k := range sortedKeys(fields) {
		if strings.EqualFold(k, name) {
			return k
		}
		if d := levenshtein(strings.ToLower(name), strings.ToLower(k)); d < bestD {
			best, bestD = k, d
		}
	}
	if bestD <= max(2, len(name)/3) {
		return best
	}
	return ""
}

func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Pos returns the line and column of a field path (`network.cidr`, `subnets[1]`,
// `tags.team`) in the source file: of the value when present, else of the
// nearest enclosing field that is present, else of the file's start (1, 1).
func (s *Source) Pos(path string) (line, col int) {
	if s.node == nil {
		return 0, 0
	}
	if path == "" {
		return 1, 1
	}
	n, _ := s.walk(path)
	return n.Line, n.Column
}

// KeyPos returns the position of the key of a field path (for messages about the
// key itself, such as a duplicate), else Pos.
func (s *Source) KeyPos(path string) (line, col int) {
	parent, key := "", path
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		parent, key = path[:i], path[i+1:]
	}
	if pn, found := s.walk(parent); found && pn.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(pn.Content); i += 2 {
			if pn.Content[i].Value == key {
				return pn.Content[i].Line, pn.Content[i].Column
			}
		}
	}
	return s.Pos(path)
}

// walk follows a field path down the node tree. It returns the node of the path
// and true, or the deepest node on the way and false.
func (s *Source) walk(path string) (*yaml.Node, bool) {
	n := s.node
	if path == "" || n == nil {
		return n, n != nil
	}
	for _, part := range splitPath(path) {
		var next *yaml.Node
		if idx, isIndex := part.index(); isIndex {
			if n.Kind == yaml.SequenceNode && idx < len(n.Content) {
				next = n.Content[idx]
			}
		} else if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == string(part) {
					next = n.Content[i+1]
					break
				}
			}
		}
		if next == nil {
			return n, false
		}
		n = next
	}
	return n, true
}

type pathPart string

func (p pathPart) index() (int, bool) {
	if len(p) < 2 || p[0] != '[' || p[len(p)-1] != ']' {
		return 0, false
	}
	i, err := strconv.Atoi(string(p[1 : len(p)-1]))
	return i, err == nil
}

// splitPath splits `a.b[2].c` into a, b, [2], c.
func splitPath(path string) []pathPart {
	var parts []pathPart
	for _, seg := range strings.Split(path, ".") {
		for seg != "" {
			i := strings.IndexByte(seg, '[')
			switch {
			case i < 0:
				parts = append(parts, pathPart(seg))
				seg = ""
			case i > 0:
				parts = append(parts, pathPart(seg[:i]))
				seg = seg[i:]
			default:
				j := strings.IndexByte(seg, ']')
				if j < 0 {
					parts = append(parts, pathPart(seg))
					seg = ""
					continue
				}
				parts = append(parts, pathPart(seg[:j+1]))
				seg = seg[j+1:]
			}
		}
	}
	return parts
}

// JoinLists merges ErrorLists (e.g. LoadDir's and ValidateChange's) into one
// sorted list; any other error wins as is.
func JoinLists(errsIn ...error) error {
	var out ErrorList
	for _, err := range errsIn {
		var l ErrorList
		if errors.As(err, &l) {
			out = append(out, l...)
		} else if err != nil {
			return err
		}
	}
	if len(out) == 0 {
		return nil
	}
	out.Sort()
	return out
}
