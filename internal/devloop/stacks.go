package devloop

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Stack is a dev stack as the file backend records it.
type Stack struct {
	Name string
	// Resources counts the stack's resources (the stack itself and providers included).
	Resources int
	// Gaps are the emulator gaps the stack applied (its emulatorGaps output).
	Gaps []string
	// Updated is when the stack was last written.
	Updated time.Time
}

// StackFiles lists the dev stacks of a project in the file backend, by name.
// The backend's layout (.pulumi/stacks/<project>/<stack>.json) is the Pulumi
// CLI's own; a stack it cannot read is listed with its name only.
func (p Paths) StackFiles(project, gapsOutput string) ([]Stack, error) {
	dir := filepath.Join(p.Dir, "state", ".pulumi", "stacks", project)
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Stack
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || e.IsDir() {
			continue
		}
		s := Stack{Name: name}
		if info, err := e.Info(); err == nil {
			s.Updated = info.ModTime().UTC()
		}
		if data, err := os.ReadFile(filepath.Join(dir, e.Name())); err == nil {
			readCheckpoint(data, gapsOutput, &s)
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func readCheckpoint(data []byte, gapsOutput string, s *Stack) {
	var file struct {
		Checkpoint struct {
			Latest *struct {
				Resources []struct {
					Type    string         `json:"type"`
					Outputs map[string]any `json:"outputs"`
				} `json:"resources"`
			} `json:"latest"`
		} `json:"checkpoint"`
	}
	if json.Unmarshal(data, &file) != nil || file.Checkpoint.Latest == nil {
		return
	}
	s.Resources = len(file.Checkpoint.Latest.Resources)
	for _, r := range file.Checkpoint.Latest.Resources {
		if r.Type != "pulumi:pulumi:Stack" {
			continue
		}
		if list, ok := r.Outputs[gapsOutput].([]any); ok {
			s.Gaps = []string{}
			for _, v := range list {
				s.Gaps = append(s.Gaps, fmt.Sprint(v))
			}
		}
	}
}
