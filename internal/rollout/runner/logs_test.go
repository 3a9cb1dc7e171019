package runner_test

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/tenantctl/tenantctl/internal/rollout/runner"
)

func TestFileLogsKeepStacksApart(t *testing.T) {
	dir := t.TempDir()
	open := runner.FileLogs(dir)
	a, _ := open("a")
	b, _ := open("b")
	fmt.Fprintln(a, "a1")
	fmt.Fprintln(b, "b1")
	fmt.Fprintln(a, "a2")
	a.Close()
	b.Close()
	got, _ := os.ReadFile(filepath.Join(dir, "a.log"))
	if string(got) != "a1\na2\n" {
		t.Errorf("a.log = %q", got)
	}
}

// A stack's engine log is on disk line by line while the stack runs, so a
// rollout killed mid-stack leaves what the engine said, not an empty file.
func TestFileLogsWriteLinesThroughBeforeClose(t *testing.T) {
	dir := t.TempDir()
	w, err := runner.FileLogs(dir)("wonka")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "wonka.log")
	onDisk := func() string {
		t.Helper()
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	fmt.Fprint(w, "Updating (wonka):\n    pulumi:pulumi:Stack tenantctl-wonka running\n    + tenantctl:t")
	if got, want := onDisk(), "Updating (wonka):\n    pulumi:pulumi:Stack tenantctl-wonka running\n"; got != want {
		t.Errorf("before Close the log holds %q, want its complete lines %q", got, want)
	}
	fmt.Fprint(w, "est:Tenant wonka-0 creating\n")
	if got := onDisk(); !strings.HasSuffix(got, "running\n    + tenantctl:test:Tenant wonka-0 creating\n") {
		t.Errorf("a line finished by a later write is not whole on disk: %q", got)
	}

	// The engine's stdout and stderr copiers write at once, in pieces: every
	// line still lands whole.
	done := make(chan struct{})
	streams := map[string]io.Writer{"out": w, "err": runner.SecondStream(w)}
	for who, stream := range streams {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := range 200 {
				line := fmt.Sprintf("%s line %03d of the engine's output\n", who, i)
				fmt.Fprint(stream, line[:7])
				runtime.Gosched() // let the other copier write between the pieces
				fmt.Fprint(stream, line[7:])
			}
		}()
	}
	<-done
	<-done
	fmt.Fprint(streams["err"], "err's unfinished line")
	fmt.Fprint(w, "no newline at the end")
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got := onDisk()
	if !strings.HasSuffix(got, "\nno newline at the end") {
		t.Errorf("Close dropped the unfinished last line: %q", got[max(0, len(got)-80):])
	}
	if !strings.Contains(got, "\nerr's unfinished line\n") {
		t.Errorf("Close dropped the second stream's unfinished line: %q", got[max(0, len(got)-80):])
	}
	lines := strings.Split(strings.TrimSuffix(got, "no newline at the end"), "\n")
	n := 0
	for _, l := range lines {
		if strings.HasPrefix(l, "out line") || strings.HasPrefix(l, "err line") {
			n++
			if !strings.HasSuffix(l, " of the engine's output") {
				t.Errorf("torn line %q", l)
			}
		}
	}
	if n != 400 {
		t.Errorf("%d whole copier lines, want 400", n)
	}
}
