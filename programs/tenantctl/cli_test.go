package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const sampleDir = "../../tenants"

// runCLI runs tenantctl in-process through run, as main does, and returns what
// a user sees and the exit code.
func runCLI(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return out.String(), errOut.String(), code
}

// fleetWith copies the sample fleet to a temporary directory and writes files over it.
func fleetWith(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	paths, _ := filepath.Glob(sampleDir + "/*.yaml")
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, filepath.Base(p)), string(data))
	}
	for name, content := range files {
		writeFile(t, filepath.Join(dir, name), content)
	}
	return dir
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

const badTenant = `id: probe
name: Probe
tier: premium
costCenter: CC-9
owner: ops@probe.example.com
subnets: [10.0.16.0/25]
service: {cpu: 300, listenerPriority: 999}
`

func TestValidateSample(t *testing.T) {
	out, errOut, code := runCLI(t, "validate", "--dir", sampleDir)
	if code != ExitOK || out != "ok: 14 tenants and the fleet settings are valid\n" || errOut != "" {
		t.Fatalf("code %d\nstdout %q\nstderr %q", code, out, errOut)
	}
}

func TestValidateText(t *testing.T) {
	dir := fleetWith(t, map[string]string{"probe.yaml": badTenant})
	out, errOut, code := runCLI(t, "validate", "--dir", dir)
	want := dir + "/hooli.yaml:10:5: subnets[0]: 10.0.16.0/24 overlaps subnet 10.0.16.0/25 of tenant probe (" + dir + "/probe.yaml:6); pick a free range\n" +
		dir + "/probe.yaml:6:11: subnets[0]: 10.0.16.0/25 overlaps subnet 10.0.16.0/24 of tenant hooli (" + dir + "/hooli.yaml:10); pick a free range\n" +
		dir + "/probe.yaml:7:16: service.cpu: cpu 300 is not a Fargate size; use 256, 512, 1024, 2048, 4096, 8192 or 16384\n" +
		"3 problems in 2 files (15 tenants loaded)\n"
	if code != ExitInvalid || out != want || errOut != "" {
		t.Fatalf("code %d\nstdout %s\nwant   %s\nstderr %q", code, out, want, errOut)
	}
}

func TestValidateJSON(t *testing.T) {
	dir := fleetWith(t, map[string]string{"probe.yaml": badTenant})
	out, _, code := runCLI(t, "validate", "--dir", dir, "--format", "json")
	if code != ExitInvalid {
		t.Fatalf("code %d", code)
	}
	var r struct {
		Valid   bool `json:"valid"`
		Tenants int  `json:"tenants"`
		Files   int  `json:"filesWithErrors"`
		Errors  []struct {
			File, Path, Message string
			Line, Col           int
		} `json:"errors"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if r.Valid || r.Tenants != 15 || r.Files != 2 || len(r.Errors) != 3 {
		t.Fatalf("report %+v", r)
	}
	e := r.Errors[2]
	if e.File != dir+"/probe.yaml" || e.Line != 7 || e.Col != 16 || e.Path != "service.cpu" || !strings.HasPrefix(e.Message, "cpu 300 is not a Fargate size") {
		t.Errorf("error %+v", e)
	}
	out, _, code = runCLI(t, "validate", "--dir", sampleDir, "--format", "json")
	if code != ExitOK || !strings.Contains(out, `"valid": true`) || !strings.Contains(out, `"errors": []`) {
		t.Errorf("valid fleet: code %d\n%s", code, out)
	}
}

func TestValidateGitHub(t *testing.T) {
	dir := fleetWith(t, map[string]string{"probe.yaml": badTenant})
	out, _, code := runCLI(t, "validate", "--dir", dir, "--format", "github")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	want := "::error file=" + dir + "/probe.yaml,line=7,col=16,title=tenantctl validate%3A service.cpu::cpu 300 is not a Fargate size; use 256, 512, 1024, 2048, 4096, 8192 or 16384"
	if code != ExitInvalid || len(lines) != 4 || lines[2] != want || lines[3] != "3 problems in 2 files (15 tenants loaded)" {
		t.Fatalf("code %d\n%s\nwant line 3: %s", code, out, want)
	}
}

func TestValidateUsage(t *testing.T) {
	for _, args := range [][]string{
		{"validate", "--format", "xml", "--dir", sampleDir},
		{"validate", "--dir", "no/such/dir"},
		{"validate", "--bogus"},
		{"validate", "extra-arg", "--dir", sampleDir},
		{"list", "--output", "yaml", "--dir", sampleDir},
		{"list", "--label", "novalue", "--dir", sampleDir},
		{"list", "--tier", "gold", "--dir", sampleDir},
		{"list", "--model", "silo", "--dir", sampleDir},
		{"schema", "pipeline"},
		{"schema", "tenant", "fleet"},
	} {
		_, errOut, code := runCLI(t, args...)
		if code != ExitUsage || !strings.HasPrefix(errOut, "error: ") {
			t.Errorf("%v: code %d, stderr %q; want exit 2 with an error", args, code, errOut)
		}
	}
	_, errOut, _ := runCLI(t, "validate", "--format", "xml", "--dir", sampleDir)
	if errOut != "error: --format \"xml\": use text, json or github\n" {
		t.Errorf("stderr %q", errOut)
	}
}

func TestList(t *testing.T) {
	out, _, code := runCLI(t, "list", "--dir", sampleDir, "--tier", "premium", "--model", "subnet", "--label", "region-group=us")
	want := "ID                TIER     MODEL   REGION     STATUS  LABELS\n" +
		"hooli             premium  subnet  us-east-1  active  region-group=us\n" +
		"stark-industries  premium  subnet  us-east-1  active  region-group=us,wave=early\n" +
		"2 tenants of 14\n"
	if code != ExitOK || out != want {
		t.Fatalf("code %d\n%s\nwant\n%s", code, out, want)
	}
	out, _, code = runCLI(t, "list", "--dir", sampleDir, "--status", "suspended", "--status", "onboarding", "-o", "json")
	var rows []tenantRow
	if err := json.Unmarshal([]byte(out), &rows); err != nil || code != ExitOK {
		t.Fatalf("code %d, %v\n%s", code, err, out)
	}
	if len(rows) != 2 || rows[0].ID != "cyberdyne" || rows[0].Status != "onboarding" || rows[0].Model != "container" ||
		rows[1].ID != "oscorp" || rows[1].Status != "suspended" || rows[1].Region != "us-east-1" {
		t.Errorf("rows %+v", rows)
	}
	if rows[0].URL != "https://cyberdyne.app.example.com/" || rows[0].Data != "table" || rows[1].Data != "pooled" {
		t.Errorf("url and data: %+v", rows)
	}
	out, _, _ = runCLI(t, "list", "--dir", sampleDir, "-o", "json")
	rows = nil
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatal(err)
	}
	urls := map[string]string{}
	for _, r := range rows {
		urls[r.ID] = r.URL
	}
	if urls["stark-industries"] != "https://stark.app.example.com/" || urls["vandelay"] != "https://api.app.example.com/" {
		t.Errorf("urls %v", urls)
	}
}

func TestListInvalidFleet(t *testing.T) {
	dir := fleetWith(t, map[string]string{"probe.yaml": badTenant})
	out, errOut, code := runCLI(t, "list", "--dir", dir)
	if code != ExitInvalid || out != "" || !strings.Contains(errOut, dir+"/probe.yaml:7:16: service.cpu: cpu 300") ||
		!strings.HasSuffix(errOut, "error: 3 problems in "+dir+"; fix them first (tenantctl validate shows the same)\n") {
		t.Fatalf("code %d\nstdout %q\nstderr %s", code, out, errOut)
	}
}

func TestSchemaCmd(t *testing.T) {
	for arg, title := range map[string]string{"": "tenantctl tenant file (tenants/<id>.yaml)", "tenant": "tenantctl tenant file (tenants/<id>.yaml)", "fleet": "tenantctl fleet settings (tenants/fleet.yaml)"} {
		args := []string{"schema"}
		if arg != "" {
			args = append(args, arg)
		}
		out, _, code := runCLI(t, args...)
		var s struct {
			Title  string `json:"title"`
			Schema string `json:"$schema"`
		}
		if err := json.Unmarshal([]byte(out), &s); err != nil || code != ExitOK || s.Title != title || s.Schema != "https://json-schema.org/draft/2020-12/schema" {
			t.Errorf("schema %q: code %d, %v, %+v", arg, code, err, s)
		}
	}
}

// TestValidateAgainst runs validate --against on a real git repository: a
// suspended tenant's model change since the base commit is refused.
func TestValidateAgainst(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	repo := t.TempDir()
	dir := filepath.Join(repo, "tenants")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	paths, _ := filepath.Glob(sampleDir + "/*.yaml")
	for _, p := range paths {
		data, _ := os.ReadFile(p)
		writeFile(t, filepath.Join(dir, filepath.Base(p)), string(data))
	}
	gitRun(t, repo, "init", "-q")
	gitRun(t, repo, "add", ".")
	gitRun(t, repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "base")
	oscorp := filepath.Join(dir, "oscorp.yaml")
	data, _ := os.ReadFile(oscorp)
	changed := strings.Replace(strings.Replace(string(data), "model: subnet", "model: vpc", 1), "subnets:\n  - 10.0.20.0/24\n  - 10.0.21.0/24\n", "network: {cidr: 10.12.0.0/16}\n", 1)
	changed = strings.Replace(changed, "service:\n  listenerPriority: 50\n", "", 1)
	writeFile(t, oscorp, changed)

	out, _, code := runCLI(t, "validate", "--dir", dir, "--against", "HEAD")
	want := oscorp + ":5:8: model: tenant oscorp is suspended and may not change model (subnet to vpc); set status: active first, or keep model: subnet\n1 problem in 1 file (14 tenants loaded)\n"
	if code != ExitInvalid || out != want {
		t.Fatalf("code %d\n%s\nwant\n%s", code, out, want)
	}
	// Without --against the change itself is valid.
	if _, _, code := runCLI(t, "validate", "--dir", dir); code != ExitOK {
		t.Errorf("without --against: code %d", code)
	}
	_, errOut, code := runCLI(t, "validate", "--dir", dir, "--against", "no-such-ref")
	if code != ExitUsage || !strings.Contains(errOut, "--against no-such-ref: not a commit") {
		t.Errorf("bad ref: code %d, %s", code, errOut)
	}
	// A value that git would take for an option never reaches it.
	written := filepath.Join(t.TempDir(), "written")
	_, errOut, code = runCLI(t, "validate", "--dir", dir, "--against=--output="+written)
	if code != ExitUsage || !strings.Contains(errOut, "starts with '-'") {
		t.Errorf("option-like ref: code %d, %s", code, errOut)
	}
	if _, err := os.Stat(written); err == nil {
		t.Errorf("git wrote %s: the ref reached it as an option", written)
	}
}

// TestValidateAgainstDirectory compares with a copy of the fleet as it was:
// an active tenant's model change is refused without a migration marker and
// accepted with one.
func TestValidateAgainstDirectory(t *testing.T) {
	before := fleetWith(t, nil)
	data, _ := os.ReadFile(filepath.Join(before, "vandelay.yaml"))
	if !strings.Contains(string(data), "model: application") {
		t.Fatalf("vandelay is no longer an application tenant:\n%s", data)
	}
	moved, _, _ := strings.Cut(strings.Replace(string(data), "model: application", "model: container\nservice: {listenerPriority: 977}", 1), "limits:")
	dir := fleetWith(t, map[string]string{"vandelay.yaml": moved})
	out, _, code := runCLI(t, "validate", "--dir", dir, "--against", before)
	if code != ExitInvalid || !strings.Contains(out, "vandelay.yaml:") || !strings.Contains(out, "without a migration marker; add migration: {from: application, to: container}") {
		t.Fatalf("code %d\n%s", code, out)
	}
	marked := fleetWith(t, map[string]string{"vandelay.yaml": moved + "migration: {from: application, to: container}\n"})
	if out, _, code := runCLI(t, "validate", "--dir", marked, "--against", before); code != ExitOK {
		t.Fatalf("with the marker: code %d\n%s", code, out)
	}
}

func gitRun(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

// TestGitHubEscaping keeps annotations in one piece whatever a message holds.
func TestGitHubEscaping(t *testing.T) {
	if got := ghData("50% of\nit\r"); got != "50%25 of%0Ait%0D" {
		t.Errorf("ghData: %q", got)
	}
	if got := ghProperty("a:b,c%"); got != "a%3Ab%2Cc%25" {
		t.Errorf("ghProperty: %q", got)
	}
}

// TestValidateEscapesControlCharacters: a file name, key or value holding a
// line break, a carriage return or a terminal escape prints escaped in the
// text and github formats, so it can neither forge an annotation or a report
// line nor rewrite the terminal.
func TestValidateEscapesControlCharacters(t *testing.T) {
	name := "x\n::error file=fleet.yaml::forged\r\x1b[2K.yaml"
	dir := fleetWith(t, map[string]string{
		name:         "id: probe\ntier: free\nname: P\ncostCenter: CC-9\nowner: ops@probe.example.com\n",
		"other.yaml": "id: other\ntier: free\nname: O\ncostCenter: \"CC\\n%0A::error::x\"\nowner: ops@o.example.com\ntags: {\"k\\x1b[31m\": v}\n",
	})
	for _, format := range []string{"text", "github"} {
		out, _, code := runCLI(t, "validate", "--dir", dir, "--format", format)
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if code != ExitInvalid || len(lines) != 4 {
			t.Fatalf("%s: code %d, want 3 problems and the summary:\n%s", format, code, out)
		}
		if strings.ContainsAny(out, "\r\x1b") {
			t.Errorf("%s: control characters reach the output: %q", format, out)
		}
		for _, l := range lines[:3] {
			if format == "github" && !strings.HasPrefix(l, "::error file="+dir) {
				t.Errorf("github: a line that is not one of ours: %q", l)
			}
		}
		wants := []string{`x\n`, `\x1b[2K.yaml`, `k\x1b[31m`}
		if format == "github" {
			// A "%0A" in a value must not decode into a line break.
			wants = append(wants, `%250A`)
		}
		for _, want := range wants {
			if !strings.Contains(out, want) {
				t.Errorf("%s: want %q escaped in\n%s", format, want, out)
			}
		}
	}
}
