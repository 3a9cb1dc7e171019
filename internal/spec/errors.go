package spec

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/tenantctl/tenantctl/internal/textsafe"
)

// FieldError is one problem in one file, at a position, on a field path such as
// `network.cidr` or `subnets[1]`. Msg says what is wrong and how to fix it.
type FieldError struct {
	File string `json:"file"`
	Line int    `json:"line"`
	Col  int    `json:"col"`
	Path string `json:"path,omitempty"`
	Msg  string `json:"message"`
}

// Error is the problem as one line of text. File names, keys in the path and
// values quoted in the message come from files anyone can commit, so control
// characters in them are escaped (textsafe.Escape): a name holding "\n" or an
// escape sequence cannot forge or hide a line of the report.
func (e *FieldError) Error() string {
	var b strings.Builder
	if e.File != "" { // a tenant built in Go rather than read from a file has none
		b.WriteString(textsafe.Escape(e.File))
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d:%d", e.Line, e.Col)
		}
		b.WriteString(": ")
	}
	if e.Path != "" {
		b.WriteString(textsafe.Escape(e.Path))
		b.WriteString(": ")
	}
	b.WriteString(textsafe.Escape(e.Msg))
	return b.String()
}

// ErrorList is every problem found, returned together like Kubernetes'
// field.ErrorList so that a pull request check shows them all at once.
type ErrorList []*FieldError

func (l ErrorList) Error() string {
	msgs := make([]string, len(l))
	for i, e := range l {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

// Sort orders the errors by file, line, column, path and message.
func (l ErrorList) Sort() {
	sort.SliceStable(l, func(i, j int) bool {
		a, b := l[i], l[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Col != b.Col {
			return a.Col < b.Col
		}
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return a.Msg < b.Msg
	})
}

// errs collects FieldErrors during loading and validation.
type errs struct{ list ErrorList }

// at records a problem at the position of path in the source (the file's start
// when the path is not in the file, e.g. a required field that is missing).
func (e *errs) at(src *Source, path, format string, args ...any) {
	if src.reported(path) {
		return
	}
	line, col := src.Pos(path)
	e.list = append(e.list, &FieldError{File: src.File, Line: line, Col: col, Path: path, Msg: fmt.Sprintf(format, args...)})
}

// err returns the collected errors sorted, or nil.
func (e *errs) err() error {
	if len(e.list) == 0 {
		return nil
	}
	e.list.Sort()
	return e.list
}

// atKey records a problem with the key of a map entry (a tag or label key, a tier
// name) at the key's position; keys may hold dots, so the path is not walked.
func (e *errs) atKey(src *Source, mapPath, key, format string, args ...any) {
	if src.reported(mapPath) {
		return
	}
	line, col := src.Pos(mapPath)
	if m, ok := src.walk(mapPath); ok && m.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(m.Content); i += 2 {
			if m.Content[i].Value == key {
				line, col = m.Content[i].Line, m.Content[i].Column
				break
			}
		}
	}
	e.list = append(e.list, &FieldError{File: src.File, Line: line, Col: col, Path: mapPath + "." + key, Msg: fmt.Sprintf(format, args...)})
}

// reported reports whether the loader already reported the path, or a field
// enclosing it, as malformed.
func (s *Source) reported(path string) bool {
	for _, b := range s.bad {
		if path == b || (strings.HasPrefix(path, b) && (path[len(b)] == '.' || path[len(b)] == '[')) {
			return true
		}
	}
	return false
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
