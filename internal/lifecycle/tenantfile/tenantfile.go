// Package tenantfile edits a tenant file in place for the lifecycle
// workflows: its status (onboard makes it active, offboard suspended) and its
// migration marker (migrate removes it when done). yaml.v3's node tree says
// where the field is; the edit splices the file's bytes there and nowhere
// else, so comments, blank lines, key order and quoting stay exactly as the
// author wrote them (re-encoding the tree would lose blank lines and restyle
// the file). The result is written atomically and must still parse.
package tenantfile

import (
	"bytes"
	"fmt"
	"os"

	"gopkg.in/yaml.v3"

	"github.com/tenantctl/tenantctl/internal/atomicfile"
)

// top is the file's top-level mapping with the file's lines.
type top struct {
	data  []byte
	lines [][]byte // each with its '\n'
	m     *yaml.Node
}

func read(path string) (*top, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode || doc.Content[0].Style&yaml.FlowStyle != 0 {
		return nil, fmt.Errorf("%s: not a block mapping of fields; edit it by hand", path)
	}
	return &top{data: data, lines: bytes.SplitAfter(data, []byte{'\n'}), m: doc.Content[0]}, nil
}

// field returns a top-level key and its value, or nils.
func (t *top) field(name string) (key, value *yaml.Node) {
	for i := 0; i+1 < len(t.m.Content); i += 2 {
		if t.m.Content[i].Value == name {
			return t.m.Content[i], t.m.Content[i+1]
		}
	}
	return nil, nil
}

func (t *top) write(path string) error {
	out := bytes.Join(t.lines, nil)
	var check yaml.Node
	if err := yaml.Unmarshal(out, &check); err != nil {
		return fmt.Errorf("%s: the edit would not parse (%v); nothing was written", path, err)
	}
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(path, out, info.Mode().Perm())
}

// SetStatus sets the tenant file's status, in place: the value of its
// status line, or a new line `status: <status>` after its model line (else
// its tier line) when it has none. It reports whether the file changed.
func SetStatus(path, status string) (bool, error) {
	t, err := read(path)
	if err != nil {
		return false, err
	}
	_, v := t.field("status")
	if v != nil {
		if v.Kind != yaml.ScalarNode {
			return false, fmt.Errorf("%s:%d: status is not a plain value; edit it by hand", path, v.Line)
		}
		if v.Value == status {
			return false, nil
		}
		width := len(v.Value)
		if v.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
			width += 2
		}
		line := t.lines[v.Line-1]
		start := v.Column - 1
		if start+width > len(line) {
			return false, fmt.Errorf("%s:%d: status spans lines; edit it by hand", path, v.Line)
		}
		t.lines[v.Line-1] = append(append(append([]byte{}, line[:start]...), status...), line[start+width:]...)
		return true, t.write(path)
	}
	after, _ := t.field("model")
	if after == nil {
		after, _ = t.field("tier")
	}
	if after == nil {
		return false, fmt.Errorf("%s: has neither model nor tier to put status after; edit it by hand", path)
	}
	_, val := t.field(after.Value)
	at := last(val) // the value's last line: a block value spans several
	indent := bytes.Repeat([]byte{' '}, after.Column-1)
	newLine := append(append(indent, "status: "+status...), '\n')
	if len(t.lines[at-1]) == 0 || t.lines[at-1][len(t.lines[at-1])-1] != '\n' {
		t.lines[at-1] = append(append([]byte{}, t.lines[at-1]...), '\n')
	}
	t.lines = append(t.lines[:at], append([][]byte{newLine}, t.lines[at:]...)...)
	return true, t.write(path)
}

// last is the last line a node's text takes.
func last(n *yaml.Node) int {
	l := n.Line
	for _, c := range n.Content {
		l = max(l, last(c))
	}
	return l
}

// RemoveMigration deletes the migration marker's lines, from its key to its
// value's last line (comments on other lines stay). A file without one is
// left as it is and reported unchanged.
func RemoveMigration(path string) (bool, error) {
	t, err := read(path)
	if err != nil {
		return false, err
	}
	k, v := t.field("migration")
	if k == nil {
		return false, nil
	}
	from, to := k.Line-1, last(v)
	t.lines = append(t.lines[:from], t.lines[to:]...)
	return true, t.write(path)
}
