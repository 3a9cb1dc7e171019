package spec

// Positions of field paths in a file's YAML node tree, for error messages and for
// telling a value the file gives from a default.

import (
	"strconv"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

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
