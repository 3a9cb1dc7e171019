// Package workflows_test checks the GitHub Actions workflows for what
// actionlint does not: that no expression reaches a shell script except
// through env:, and that the jobs of a pull request's own code hold no deploy
// power.
package workflows_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

type workflow struct {
	On   map[string]any `yaml:"on"`
	Jobs map[string]job `yaml:"jobs"`
}

type job struct {
	If          string            `yaml:"if"`
	Environment any               `yaml:"environment"`
	Env         map[string]string `yaml:"env"`
	Steps       []step            `yaml:"steps"`
}

type step struct {
	Name string            `yaml:"name"`
	Run  string            `yaml:"run"`
	Uses string            `yaml:"uses"`
	With map[string]any    `yaml:"with"`
	Env  map[string]string `yaml:"env"`
}

func load(t *testing.T) map[string]workflow {
	t.Helper()
	paths, err := filepath.Glob("../../.github/workflows/*.yml")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no workflows found: %v", err)
	}
	out := map[string]workflow{}
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var w workflow
		if err := yaml.Unmarshal(raw, &w); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		out[filepath.Base(p)] = w
	}
	return out
}

// An expression pasted into a script is spliced into the shell source before
// the shell parses it: a resume id of `x"; curl …` would run. Values reach
// scripts through env: only, where the shell sees them as data.
func TestNoExpressionInAScript(t *testing.T) {
	for file, w := range load(t) {
		for name, j := range w.Jobs {
			for i, s := range j.Steps {
				if strings.Contains(s.Run, "${{") {
					t.Errorf("%s: job %s step %d (%s) pastes an expression into its script; pass it through env: and quote it", file, name, i, s.Name)
				}
			}
		}
	}
}

// A pull request runs its own code: the preview job may hold only the
// read-only preview role and the preview key, never the deploy role or the
// fleet secret, and a fork's pull request must not reach it at all.
func TestPullRequestsHoldNoDeployPower(t *testing.T) {
	w, ok := load(t)["pr.yml"]
	if !ok {
		t.Fatal("no pr.yml")
	}
	for name, j := range w.Jobs {
		holdsSecret := false
		for k, v := range j.Env {
			if strings.Contains(v, "TENANTCTL_EXTERNAL_ID_SECRET") || k == "TENANTCTL_EXTERNAL_ID_SECRET" {
				t.Errorf("pr.yml job %s holds the fleet secret, from which every deploy role's external id derives", name)
			}
			if strings.Contains(v, "secrets.") {
				holdsSecret = true
			}
		}
		for _, s := range j.Steps {
			if role, _ := s.With["role-to-assume"].(string); role != "" {
				holdsSecret = true
				if !strings.Contains(role, "AWS_PREVIEW_ROLE_ARN") {
					t.Errorf("pr.yml job %s assumes %s; pull requests get the read-only preview role only", name, role)
				}
			}
			for _, v := range s.Env {
				if strings.Contains(v, "secrets.") {
					holdsSecret = true
				}
			}
		}
		if holdsSecret && !strings.Contains(j.If, "github.event.pull_request.head.repo.full_name == github.repository") {
			t.Errorf("pr.yml job %s holds a secret or a role but runs for pull requests from forks too", name)
		}
	}
}
