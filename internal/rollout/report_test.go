package rollout_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/tenantctl/tenantctl/internal/rollout"
)

func sampleReport(n int) *rollout.Report {
	p := &rollout.Plan{ID: "r-1", Op: rollout.OpPreview, Waves: []rollout.Wave{{Index: 1, Name: "wave 1"}}, Skipped: []rollout.Skip{{Stack: "zeta", Reason: "suspended"}}}
	var rows []rollout.Row
	for i := 0; i < n; i++ {
		row := rollout.Row{Stack: fmt.Sprintf("tenant-%05d", i), Wave: 1, Result: rollout.ResultSucceeded, Duration: 1500 * time.Millisecond, Changes: rollout.Changes{Same: 10}}
		if i%3 == 0 {
			row.Changes = rollout.Changes{Create: 2, Update: 1, Replace: 1, Delete: 3}
		}
		if i == n-1 {
			row.Result, row.Error = rollout.ResultFailed, "up: error: creating EC2 VPC | quota exceeded"
		}
		rows = append(rows, row)
	}
	return rollout.NewReport(p, rollout.StatusFailed, "wave 1: 1 stacks failed, within its failure tolerance of 1", rows, time.Unix(0, 0), time.Unix(60, 0))
}

func TestReportTableAndJSON(t *testing.T) {
	r := sampleReport(4)
	var b bytes.Buffer
	if err := r.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"STACK", "tenant-00000  1     succeeded  +2 ~2 -3  1.5s", "tenant-00003  1     failed", "zeta", "skipped", "4 stacks: 3 succeeded, 1 failed, 1 skipped; 2 with changes (+4 ~4 -6)"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	b.Reset()
	r.WriteJSON(&b)
	var back rollout.Report
	if err := json.Unmarshal(b.Bytes(), &back); err != nil || back.Totals.Failed != 1 || back.Stacks[0].Changes.Delete != 3 || back.Skipped[0].Reason != "suspended" {
		t.Errorf("JSON round trip: %+v %v", back.Totals, err)
	}
}

func TestMarkdownStaysUnderTheCommentLimit(t *testing.T) {
	small := sampleReport(5).Markdown(rollout.MarkdownLimit)
	if !strings.Contains(small, "| `tenant-00004` | 1 | failed |") || !strings.Contains(small, `creating EC2 VPC \| quota exceeded`) {
		t.Errorf("markdown:\n%s", small)
	}
	// The failure is listed first, then changes, then unchanged stacks.
	if strings.Index(small, "tenant-00004") > strings.Index(small, "tenant-00000") || strings.Index(small, "tenant-00003") > strings.Index(small, "tenant-00001") {
		t.Errorf("rows not ordered failures, changes, unchanged:\n%s", small)
	}
	big := sampleReport(5000).Markdown(rollout.MarkdownLimit)
	if len(big) >= rollout.MarkdownLimit {
		t.Fatalf("markdown of 5000 stacks is %d bytes, over %d", len(big), rollout.MarkdownLimit)
	}
	shown := strings.Count(big, "| `tenant-")
	if !strings.Contains(big, fmt.Sprintf("… and %d more stacks not shown", 5001-shown)) {
		t.Errorf("truncation line missing or miscounted (%d rows shown):\n%s", shown, big[len(big)-300:])
	}
}

func TestFileLogsKeepStacksApart(t *testing.T) {
	dir := t.TempDir()
	open := rollout.FileLogs(dir)
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
	w, err := rollout.FileLogs(dir)("wonka")
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
	streams := map[string]io.Writer{"out": w, "err": rollout.SecondStream(w)}
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
