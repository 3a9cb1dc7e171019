package spec

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/invalid/*/want.txt from what validation reports now")

// sampleDir is the bundled sample fleet every fixture starts from.
const sampleDir = "../../tenants"

// TestInvalidFixtures runs one fixture per check. Each testdata/invalid/<case>
// directory holds the files that differ from the sample fleet (a file named
// <name>.deleted removes <name>) and want.txt, the exact report: file, line,
// column, field path and message of every problem, sorted.
func TestInvalidFixtures(t *testing.T) {
	dirs, err := filepath.Glob("testdata/invalid/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			tmp, err := loadCase(t, dir)
			got := report(t, tmp, err)
			wantFile := filepath.Join(dir, "want.txt")
			if *update {
				if err := os.WriteFile(wantFile, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(wantFile)
			if err != nil {
				t.Fatalf("%v (run go test -run TestInvalidFixtures -update, then review want.txt)", err)
			}
			if !strings.HasSuffix(dir, "-allowed") && len(want) == 0 {
				t.Fatalf("want.txt is empty: a fixture must fail with at least one error (name it *-allowed if it must pass)")
			}
			if got != string(want) {
				t.Errorf("report differs\n--- got\n%s--- want\n%s", got, want)
			}
		})
	}
}

// loadCase copies the sample fleet into a temporary directory, lays the case's
// files over it and loads it.
func loadCase(t *testing.T, caseDir string) (string, error) {
	t.Helper()
	dir := t.TempDir()
	copyDir(t, sampleDir, dir)
	entries, err := os.ReadDir(caseDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		name := e.Name()
		switch {
		case name == "want.txt":
		case strings.HasSuffix(name, ".deleted"):
			if err := os.Remove(filepath.Join(dir, strings.TrimSuffix(name, ".deleted"))); err != nil {
				t.Fatal(err)
			}
		default:
			copyFile(t, filepath.Join(caseDir, name), filepath.Join(dir, name))
		}
	}
	_, err = LoadDir(dir)
	return dir, err
}

// report formats the errors one per line with file names relative to dir.
func report(t *testing.T, dir string, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("want an ErrorList, got %T: %v", err, err)
	}
	var b strings.Builder
	for _, e := range list {
		c := *e
		c.File = strings.TrimPrefix(c.File, dir+string(filepath.Separator))
		c.Msg = strings.ReplaceAll(c.Msg, dir+string(filepath.Separator), "")
		b.WriteString(c.Error())
		b.WriteByte('\n')
	}
	return b.String()
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	entries, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			copyFile(t, filepath.Join(from, e.Name()), filepath.Join(to, e.Name()))
		}
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestIsEmailAndDomain(t *testing.T) {
	for s, want := range map[string]bool{
		"ops@example.com": true, "a.b+c@sub.example.co": true, "x@a-b.io": true,
		"": false, "ops": false, "@example.com": false, "ops@": false, "ops@example": false,
		"ops@example.c": false, "ops@-example.com": false, "ops@example.com.": false, "ops@exa mple.com": false,
		"Ops <ops@example.com>": false, "ops@example.123": false, "o@p@example.com": false, "ops@ex..com": false,
	} {
		if got := isEmail(s); got != want {
			t.Errorf("isEmail(%q) = %v, want %v", s, got, want)
		}
	}
	for s, want := range map[string]bool{"app.example.com": true, "example.com": true, "com": false, "app_example": false, "a.b-.com": false} {
		if got := isDomain(s); got != want {
			t.Errorf("isDomain(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestValidateInMemory checks a fleet built in Go (as other packages' tests do):
// no positions, but the same checks and messages, and no panic.
func TestValidateInMemory(t *testing.T) {
	sample, err := LoadDir(sampleDir)
	if err != nil {
		t.Fatal(err)
	}
	f := &Fleet{Settings: sample.Settings, Tenants: []*Tenant{{
		ID: "mem", Name: "Mem", Tier: "premium", Model: ModelSubnet, CostCenter: "CC-1", Owner: "ops@example.com",
		Subnets: []string{"10.0.4.0/24", "10.0.400.0/24"}, Service: &ServiceSpec{ListenerPriority: 999},
	}}}
	f.Settings.Source = Source{File: "fleet.yaml"}
	SetDefaults(f)
	want := "subnets[0]: 10.0.4.0/24 overlaps subnet 10.0.4.0/22 (fleet.yaml sharedVpc.platformSubnets[1]); pick a free range\n" +
		"subnets[1]: \"10.0.400.0/24\" is not an IPv4 CIDR; write a.b.c.d/n, e.g. 10.20.0.0/16"
	if err := Validate(f); err == nil || err.Error() != want {
		t.Errorf("got\n%v\nwant\n%s", err, want)
	}
}

// TestReservedTenantIDsRefused checks every reserved id, not just the one the
// fixture id-reserved shows: each is refused at its id with the fix.
func TestReservedTenantIDsRefused(t *testing.T) {
	sample, err := LoadDir(sampleDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ReservedTenantIDs() {
		f := &Fleet{Settings: sample.Settings, Tenants: []*Tenant{{
			ID: id, Name: "X", Tier: "free", CostCenter: "CC-1", Owner: "ops@example.com",
		}}}
		SetDefaults(f)
		var list ErrorList
		if !errors.As(Validate(f), &list) || len(list) != 1 || list[0].Path != "id" || !strings.Contains(list[0].Msg, "is reserved") || !strings.Contains(list[0].Msg, "pick another id") {
			t.Errorf("tenant %q: want one reserved-id error at id, got %v", id, list)
		}
	}
	if !IsReservedTenantID(PlatformTenantID) || IsReservedTenantID("acme") {
		t.Error("IsReservedTenantID disagrees with the list")
	}
}

// TestBadTagCharMatchesAWSPattern keeps the per-character check and the
// pattern the schema publishes (AWS's own) in agreement.
func TestBadTagCharMatchesAWSPattern(t *testing.T) {
	for _, s := range []string{"", "team-a", "Zürich Süd", "x²", "a_b.c:d/e=f+g-h@i", "東京", "nbsp\u00a0", "line\u2028sep",
		"tab\t", "nl\n", "cr\r", "bell\a", "semi;", "dollar$", "emoji😀", "bad\xff", "repl\uFFFD", "zw\u200b", "quote\""} {
		_, bad := badTagChar(s)
		if bad == tagCharsRe.MatchString(s) {
			t.Errorf("%q: badTagChar says bad=%v, AWS's pattern says match=%v", s, bad, tagCharsRe.MatchString(s))
		}
	}
}
