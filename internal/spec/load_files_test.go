package spec

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// loadWithin loads dir in a goroutine and fails the test when loading takes
// longer than limit: a FIFO that blocks the loader must fail the test, not hang it.
func loadWithin(t *testing.T, dir string, limit time.Duration) (*Fleet, ErrorList) {
	t.Helper()
	type result struct {
		f   *Fleet
		err error
	}
	done := make(chan result, 1)
	go func() {
		f, err := LoadDir(dir)
		done <- result{f, err}
	}()
	select {
	case r := <-done:
		var list ErrorList
		if r.err != nil && !errors.As(r.err, &list) {
			t.Fatalf("want an ErrorList, got %v", r.err)
		}
		return r.f, list
	case <-time.After(limit):
		t.Fatalf("LoadDir(%s) did not return within %s", dir, limit)
		return nil, nil
	}
}

// TestLoadDirReadsOnlyRegularFilesInTheDir lays every kind of file that is not
// a tenant file's regular self into the sample fleet. Each is reported at its
// own name with the fix, none is read (a FIFO would block, /dev/zero would fill
// memory), and the sample's 14 tenants still load.
func TestLoadDirReadsOnlyRegularFilesInTheDir(t *testing.T) {
	dir := t.TempDir()
	copyDir(t, sampleDir, dir)
	outside := filepath.Join(t.TempDir(), "elsewhere.yaml")
	copyFile(t, filepath.Join(sampleDir, "acme-corp.yaml"), outside)
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	links := map[string]string{"zero.yaml": "/dev/zero", "out.yaml": outside, "in.yaml": "acme-corp.yaml", "dangling.yaml": "nowhere.yaml"}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{"dir.yaml", "archive/2025"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	copyFile(t, filepath.Join(sampleDir, "acme-corp.yaml"), filepath.Join(dir, "archive", "old.yaml"))
	copyFile(t, filepath.Join(sampleDir, "acme-corp.yaml"), filepath.Join(dir, "archive", "2025", "older.YML"))
	copyFile(t, filepath.Join(sampleDir, "acme-corp.yaml"), filepath.Join(dir, "archive", "notes.txt"))
	copyFile(t, filepath.Join(sampleDir, "acme-corp.yaml"), filepath.Join(dir, "Upper.YAML"))
	copyFile(t, filepath.Join(sampleDir, "acme-corp.yaml"), filepath.Join(dir, "mixed.Yml"))
	copyFile(t, filepath.Join(sampleDir, "acme-corp.yaml"), filepath.Join(dir, "README.md"))

	f, list := loadWithin(t, dir, 10*time.Second)
	got := map[string]string{}
	for _, e := range list {
		rel, _ := filepath.Rel(dir, e.File)
		got[rel] = e.Msg
	}
	want := map[string]string{
		"fifo.yaml":              "a named pipe (FIFO), not a file; settings and tenant files must be regular files directly in the tenants directory",
		"zero.yaml":              "a symbolic link to /dev/zero, which resolves outside the tenants directory; links are not followed",
		"out.yaml":               "a symbolic link to " + outside + ", which resolves outside the tenants directory",
		"in.yaml":                "a symbolic link to acme-corp.yaml, which resolves inside the tenants directory; links are not followed",
		"dangling.yaml":          "a symbolic link to nowhere.yaml",
		"dir.yaml":               "a directory, not a file; settings and tenant files must be regular files",
		"archive/old.yaml":       "a YAML file in a subdirectory of the tenants directory " + dir + " is not read; tenant files live directly in it: move it to " + filepath.Join(dir, "old.yaml"),
		"archive/2025/older.YML": "a YAML file in a subdirectory of the tenants directory",
		"Upper.YAML":             "the extension .YAML is not lowercase, so this file is not read as a tenant file; rename it to Upper.yaml",
		"mixed.Yml":              "the extension .Yml is not lowercase, so this file is not read as a tenant file; rename it to mixed.yml",
	}
	for file, w := range want {
		if !strings.HasPrefix(got[file], w) {
			t.Errorf("%s: got %q, want it to start with %q", file, got[file], w)
		}
	}
	if len(list) != len(want) {
		t.Errorf("got %d errors, want %d:\n%v", len(list), len(want), list)
	}
	if f == nil || len(f.Tenants) != 14 {
		t.Errorf("the sample's 14 tenants should load alone, got %v", f)
	}
}

// TestLoadDirRefusesSettingsOutsideTheDir: fleet.yaml follows the same rule.
func TestLoadDirRefusesSettingsOutsideTheDir(t *testing.T) {
	dir := t.TempDir()
	copyDir(t, sampleDir, dir)
	outside := filepath.Join(t.TempDir(), "fleet.yaml")
	copyFile(t, filepath.Join(dir, SettingsFile), outside)
	settings := filepath.Join(dir, SettingsFile)
	if err := os.Remove(settings); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(settings, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, list := loadWithin(t, dir, 10*time.Second); len(list) != 1 || list[0].File != settings || !strings.HasPrefix(list[0].Msg, "a named pipe (FIFO)") {
		t.Errorf("fleet.yaml as a FIFO: %v", list)
	}
	if err := os.Remove(settings); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, settings); err != nil {
		t.Fatal(err)
	}
	if _, list := loadWithin(t, dir, 10*time.Second); len(list) != 1 || list[0].File != settings || !strings.Contains(list[0].Msg, "resolves outside the tenants directory") {
		t.Errorf("fleet.yaml linked from outside: %v", list)
	}
}

// TestLoadDirThroughALinkedDir: --dir itself may be a symbolic link (e.g.
// tenants -> config/tenants); only the files in it must be regular.
func TestLoadDirThroughALinkedDir(t *testing.T) {
	dir := t.TempDir()
	copyDir(t, sampleDir, dir)
	link := filepath.Join(t.TempDir(), "tenants")
	if err := os.Symlink(dir, link); err != nil {
		t.Fatal(err)
	}
	if f, list := loadWithin(t, link, 10*time.Second); len(list) != 0 || len(f.Tenants) != 14 {
		t.Errorf("got %v", list)
	}
}

// TestErrorsEscapeControlCharacters: a file name (or key, or value) with a line
// break or a terminal escape sequence prints escaped, so it can neither forge a
// line of the report nor recolour or hide one.
func TestErrorsEscapeControlCharacters(t *testing.T) {
	dir := t.TempDir()
	copyDir(t, sampleDir, dir)
	name := "evil\nok.yaml: fine\x1b[2K.yaml"
	probe := "id: probe\ntier: free\nname: Probe\ncostCenter: CC-9\nowner: ops@probe.example.com\n"
	if err := os.WriteFile(filepath.Join(dir, name), []byte(probe), 0o644); err != nil {
		t.Fatal(err)
	}
	_, list := loadWithin(t, dir, 10*time.Second)
	if len(list) != 1 {
		t.Fatalf("want the one id mismatch, got %v", list)
	}
	got := list.Error()
	if strings.ContainsAny(got, "\n\x1b") {
		t.Errorf("control characters reach the report: %q", got)
	}
	if want := `evil\nok.yaml: fine\x1b[2K.yaml:1:5: id: `; !strings.Contains(got, want) {
		t.Errorf("got %q, want it to contain %q", got, want)
	}
}
