package main

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files of render")

// goldenStacks cover every model and the platform.
var goldenStacks = []string{"platform", "acme-corp", "initech", "hooli", "soylent", "vandelay"}

func TestRenderJSONGolden(t *testing.T) {
	for _, stack := range goldenStacks {
		t.Run(stack, func(t *testing.T) {
			out, errOut, code := runCLI(t, "render", stack, "--format", "json", "--dir", "../../tenants", "--stacks", "../../stacks")
			if code != ExitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			path := filepath.Join("testdata", "render", stack+".json")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -run TestRenderJSONGolden -update to write it)", err)
			}
			if out != string(want) {
				t.Errorf("render %s --format json differs from %s; if the change is intended, run go test -run TestRenderJSONGolden -update\n%s",
					stack, path, firstDiff(string(want), out))
			}
		})
	}
}

func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return "line " + itoa(i+1) + ":\n  want: " + wl + "\n  got:  " + gl
		}
	}
	return ""
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

func TestRenderIsDeterministic(t *testing.T) {
	first, _, code := runCLI(t, "render", "--all", "--format", "json", "--dir", "../../tenants", "--stacks", "../../stacks")
	if code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	for range 3 {
		again, _, _ := runCLI(t, "render", "--all", "--format", "json", "--dir", "../../tenants", "--stacks", "../../stacks")
		if again != first {
			t.Fatal("two renders of the fleet differ")
		}
	}
	var graphs []struct {
		Stack     string `json:"stack"`
		Resources []any  `json:"resources"`
	}
	if err := json.Unmarshal([]byte(first), &graphs); err != nil {
		t.Fatal(err)
	}
	if len(graphs) != 15 || graphs[0].Stack != "platform" || graphs[1].Stack != "acme-corp" {
		t.Errorf("--all rendered %d stacks, first %q", len(graphs), graphs[0].Stack)
	}
}

func TestRenderFormats(t *testing.T) {
	cases := []struct {
		format string
		want   []string
	}{
		{"table", []string{
			"stack soylent: 33 resources",
			"default tags: CostCenter=CC-3001 Environment=prod IsolationModel=container ManagedBy=tenantctl TenantId=soylent Tier=standard",
			"TYPE", "aws:lb/listenerRule:ListenerRule", "priority=10", "listenerArn=<computed>",
		}},
		{"markdown", []string{"## Stack `soylent`", "| `aws:lb/targetGroup:TargetGroup` | `soylent-tg` | soylent | soylent |", "name=saas-soylent-tg"}},
		{"yaml", []string{"stack: soylent", "- type: aws:ecs/service:Service", "propagateTags: SERVICE", "TenantId: soylent"}},
		{"dot", []string{`digraph "soylent" {`, `"tenantctl:models:ContainerTenant::soylent" -> "aws:ecs/service:Service::soylent-service";`}},
	}
	for _, c := range cases {
		t.Run(c.format, func(t *testing.T) {
			out, errOut, code := runCLI(t, "render", "soylent", "-o", c.format, "--dir", "../../tenants", "--stacks", "../../stacks")
			if code != ExitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

func TestRenderErrors(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no stack", []string{"render"}, ExitUsage, "name a tenant id (or platform), or use --all"},
		{"ids and --all", []string{"render", "hooli", "--all"}, ExitUsage, "give tenant ids or --all, not both"},
		{"bad format", []string{"render", "hooli", "-o", "xml"}, ExitUsage, `unknown --format "xml"; use one of table, json, yaml, markdown, dot`},
		{"unknown tenant", []string{"render", "nobody"}, ExitInvalid, `stack "nobody" is neither "platform" nor a tenant of ../../tenants (no nobody.yaml)`},
		// Without its stack configuration the account model refuses to render.
		{"account without external id", []string{"render", "acme-corp", "--stacks", dir}, ExitInvalid, "needs an external id"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := append(c.args, "--dir", "../../tenants")
			if !strings.Contains(strings.Join(c.args, " "), "--stacks") {
				args = append(args, "--stacks", "../../stacks")
			}
			out, errOut, code := runCLI(t, args...)
			if code != c.code || !strings.Contains(errOut, c.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, errOut, c.code, c.want)
			}
			if out != "" {
				t.Errorf("printed on failure: %q", out)
			}
		})
	}
}
