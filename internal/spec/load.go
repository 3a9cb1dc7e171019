package spec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// SettingsFile is the name of the fleet-wide settings file inside the tenants directory.
const SettingsFile = "fleet.yaml"

// MaxFileSize bounds a tenant or settings file; real ones are a few hundred bytes,
// and the bound keeps a stray huge file from eating the PR check's memory.
const MaxFileSize = 256 << 10

// maxDepth bounds the nesting of a file: the schema is four levels deep.
const maxDepth = 16

// maxEntries bounds the keys of one mapping and the items of one list: a tenant
// has at most 50 tags and a few dozen fields, and yaml.v3 checks a mapping's
// keys for duplicates pairwise, so a file of 40,000 keys would take seconds.
const maxEntries = 1000

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
	if f.Settings.Source.tree == nil {
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
		f.addSettings(settingsPath, data, &e)
	}
	var paths []string
	for _, ent := range entries {
		name := ent.Name()
		path := filepath.Join(dir, name)
		switch {
		case name == SettingsFile:
		case ent.IsDir():
			// A directory named *.yaml is refused like any file that is not
			// regular; tenant files below a subdirectory are never read, so
			// they are reported rather than silently left out of the fleet.
			if isYAMLName(name) {
				paths = append(paths, path)
			} else {
				checkSubdir(dir, path, &e)
			}
		case isYAMLName(name):
			paths = append(paths, path)
		case hasYAMLExt(name):
			e.at(&Source{File: path}, "", "%s", wrongExtCase(name))
		}
	}
	f.addTenants(len(paths), func(i int, e *errs) (string, []byte, bool) {
		data, ok := readFile(paths[i], e)
		return paths[i], data, ok
	}, &e)
	f.sortTenants()
	return f, e.err()
}

// ParseFleet decodes a fleet from file contents already in memory (e.g. read from
// git at another revision), keyed by file name inside dir, and applies defaults.
// It does not validate: a previous state is compared against, not judged.
func ParseFleet(dir string, files map[string][]byte) (*Fleet, error) {
	f := &Fleet{Dir: dir}
	var e errs
	if data, ok := files[SettingsFile]; ok {
		path := filepath.Join(dir, SettingsFile)
		if checkSize(&Source{File: path}, int64(len(data)), &e) {
			f.addSettings(path, data, &e)
		}
	}
	var names []string
	for _, name := range sortedKeys(files) {
		if name != SettingsFile && isYAMLName(name) {
			names = append(names, name)
		}
	}
	f.addTenants(len(names), func(i int, e *errs) (string, []byte, bool) {
		path, data := filepath.Join(dir, names[i]), files[names[i]]
		return path, data, checkSize(&Source{File: path}, int64(len(data)), e)
	}, &e)
	f.sortTenants()
	SetDefaults(f)
	return f, e.err()
}

func (f *Fleet) addSettings(path string, data []byte, e *errs) {
	f.Settings.Source = Source{File: path}
	decodeFile(data, &f.Settings, &f.Settings.Source, e)
}

// addTenants reads and decodes n tenant files on every CPU: decoding is the bulk
// of loading a large fleet and the files are independent. Tenants and errors keep
// the order of the files, so the result does not depend on scheduling.
func (f *Fleet) addTenants(n int, read func(i int, e *errs) (path string, data []byte, ok bool), e *errs) {
	tenants := make([]*Tenant, n)
	lists := make([]ErrorList, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < min(runtime.GOMAXPROCS(0), n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				var fe errs
				if path, data, ok := read(i, &fe); ok {
					t := &Tenant{Source: Source{File: path}}
					if decodeFile(data, t, &t.Source, &fe) {
						tenants[i] = t
					}
				}
				lists[i] = fe.list
			}
		}()
	}
	wg.Wait()
	for i, t := range tenants {
		if t != nil {
			f.Tenants = append(f.Tenants, t)
		}
		e.list = append(e.list, lists[i]...)
	}
}

func (f *Fleet) sortTenants() {
	sort.SliceStable(f.Tenants, func(i, j int) bool { return f.Tenants[i].ID < f.Tenants[j].ID })
}

func isYAMLName(name string) bool {
	return strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml")
}

// hasYAMLExt reports whether name ends in .yaml or .yml in any case (.YAML, .Yml).
func hasYAMLExt(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".yaml" || ext == ".yml"
}

// wrongExtCase is the message for a file whose YAML extension is not lowercase:
// it would look like a tenant file to a reviewer but never be read.
func wrongExtCase(name string) string {
	ext := filepath.Ext(name)
	return fmt.Sprintf("the extension %s is not lowercase, so this file is not read as a tenant file; rename it to %s (or remove it)",
		ext, strings.TrimSuffix(name, ext)+strings.ToLower(ext))
}

// checkSubdir reports every YAML file below a subdirectory of the tenants
// directory: tenantctl reads only the files directly inside it, and a tenant
// file someone put in a subdirectory would otherwise be silently left out of
// the fleet (never validated, never deployed). Symbolic links are not followed.
func checkSubdir(dir, sub string, e *errs) {
	_ = filepath.WalkDir(sub, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			e.at(&Source{File: path}, "", "cannot read: %v", err)
			return nil
		}
		if !hasYAMLExt(d.Name()) {
			return nil
		}
		e.at(&Source{File: path}, "", "a YAML file in a subdirectory of the tenants directory %s is not read; tenant files live directly in it: move it to %s, or out of the tenants directory", dir, filepath.Join(dir, d.Name()))
		if d.IsDir() {
			return filepath.SkipDir
		}
		return nil
	})
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

// readFile reads a settings or tenant file: only a regular file directly in the
// tenants directory, never through a symbolic link, and at most MaxFileSize
// bytes. A committed `x.yaml -> /dev/zero` would otherwise exhaust memory, a
// FIFO would block the check forever, and a link out of the directory would
// load a file the pull request does not show. Symbolic links inside the
// directory are refused too: a link to another tenant file can never be valid
// (the id must match the link's own name), and refusing every link keeps the
// rule simple — what a review shows is what is loaded.
func readFile(path string, e *errs) ([]byte, bool) {
	src := &Source{File: path}
	fi, err := os.Lstat(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) && filepath.Base(path) == SettingsFile {
			e.at(src, "", "missing: the fleet-wide settings (tiers, shared network, OUs) live in %s; copy the sample from the README", SettingsFile)
		} else {
			e.at(src, "", "cannot read: %v", err)
		}
		return nil, false
	}
	if !fi.Mode().IsRegular() {
		e.at(src, "", "%s", notRegular(path, fi.Mode()))
		return nil, false
	}
	if !checkSize(src, fi.Size(), e) {
		return nil, false
	}
	// Opened without following links and without blocking, then checked
	// again: the file may have been replaced since Lstat.
	f, err := openNoFollow(path)
	if err != nil {
		e.at(src, "", "cannot read: %v", err)
		return nil, false
	}
	defer f.Close()
	if fi, err = f.Stat(); err != nil || !fi.Mode().IsRegular() {
		if err == nil {
			e.at(src, "", "%s", notRegular(path, fi.Mode()))
		} else {
			e.at(src, "", "cannot read: %v", err)
		}
		return nil, false
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		e.at(src, "", "cannot read: %v", err)
		return nil, false
	}
	if !checkSize(src, int64(len(data)), e) { // it grew since Stat
		return nil, false
	}
	return data, true
}

// notRegular says what a file that is not a regular file is, and the fix.
func notRegular(path string, mode fs.FileMode) string {
	const fix = "settings and tenant files must be regular files directly in the tenants directory; replace it with the file itself, or remove it"
	switch {
	case mode&fs.ModeSymlink != 0:
		where := "inside"
		if !linkStaysIn(path) {
			where = "outside"
		}
		target, _ := os.Readlink(path)
		return fmt.Sprintf("a symbolic link to %s, which resolves %s the tenants directory; links are not followed: %s", target, where, fix)
	case mode.IsDir():
		return "a directory, not a file; " + fix
	case mode&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO), not a file; " + fix
	case mode&fs.ModeSocket != 0:
		return "a socket, not a file; " + fix
	case mode&fs.ModeDevice != 0:
		return "a device, not a file; " + fix
	}
	return "not a regular file; " + fix
}

// linkStaysIn reports whether the symbolic link at path resolves to a path
// inside its own directory (resolved too). It only resolves names; it never
// opens the target.
func linkStaysIn(path string) bool {
	dir, err := filepath.EvalSymlinks(filepath.Dir(path))
	if err != nil {
		return false
	}
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return false
	}
	rel, err := filepath.Rel(dir, target)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

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

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// suggest returns the known name closest to name when it is a likely typo.
func suggest(name string, known []string) string {
	best, bestD := "", 1<<30
	for _, k := range known {
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

// didYouMean is ` (did you mean "x"?)` for a likely typo of one of known, else "".
func didYouMean(name string, known []string) string {
	if s := suggest(name, known); s != "" {
		return fmt.Sprintf(" (did you mean %q?)", s)
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
	if s.root() == nil {
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

// sourceTree is a file's YAML node tree, parsed again from its bytes on first use.
// The bytes are the ones decoded, so positions are those the loader saw.
type sourceTree struct {
	data []byte
	once sync.Once
	node *yaml.Node
}

// root is the file's top-level mapping, or nil for a tenant built in Go.
func (s *Source) root() *yaml.Node {
	t := s.tree
	if t == nil {
		return nil
	}
	t.once.Do(func() {
		var doc yaml.Node
		if yaml.Unmarshal(t.data, &doc) == nil && doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
			t.node = doc.Content[0]
		}
	})
	return t.node
}

// has reports whether the file itself gives a field path (rather than defaults).
func (s *Source) has(path string) bool {
	_, found := s.walk(path)
	return found
}

// walk follows a field path down the node tree. It returns the node of the path
// and true, or the deepest node on the way and false.
func (s *Source) walk(path string) (*yaml.Node, bool) {
	n := s.root()
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
