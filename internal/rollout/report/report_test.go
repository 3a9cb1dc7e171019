package report_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tenantctl/tenantctl/internal/rollout/outcome"
	"github.com/tenantctl/tenantctl/internal/rollout/plan"
	"github.com/tenantctl/tenantctl/internal/rollout/report"
)

func sampleReport(n int) *report.Report {
	p := &plan.Plan{ID: "r-1", Op: plan.OpPreview, Waves: []plan.Wave{{Index: 1, Name: "wave 1"}}, Skipped: []plan.Skip{{Stack: "zeta", Reason: "suspended"}}}
	var rows []outcome.Row
	for i := 0; i < n; i++ {
		row := outcome.Row{Stack: fmt.Sprintf("tenant-%05d", i), Wave: 1, Result: outcome.ResultSucceeded, Duration: 1500 * time.Millisecond, Changes: outcome.Changes{Same: 10}}
		if i%3 == 0 {
			row.Changes = outcome.Changes{Create: 2, Update: 1, Replace: 1, Delete: 3}
		}
		if i == n-1 {
			row.Result, row.Error = outcome.ResultFailed, "up: error: creating EC2 VPC | quota exceeded"
		}
		rows = append(rows, row)
	}
	return report.New(p, outcome.StatusFailed, "wave 1: 1 stacks failed, within its failure tolerance of 1", rows, time.Unix(0, 0), time.Unix(60, 0))
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
	var back report.Report
	if err := json.Unmarshal(b.Bytes(), &back); err != nil || back.Totals.Failed != 1 || back.Stacks[0].Changes.Delete != 3 || back.Skipped[0].Reason != "suspended" {
		t.Errorf("JSON round trip: %+v %v", back.Totals, err)
	}
}

func TestMarkdownStaysUnderTheCommentLimit(t *testing.T) {
	small := sampleReport(5).Markdown(report.MarkdownLimit)
	if !strings.Contains(small, "| `tenant-00004` | 1 | failed |") || !strings.Contains(small, `creating EC2 VPC \| quota exceeded`) {
		t.Errorf("markdown:\n%s", small)
	}
	// The failure is listed first, then changes, then unchanged stacks.
	if strings.Index(small, "tenant-00004") > strings.Index(small, "tenant-00000") || strings.Index(small, "tenant-00003") > strings.Index(small, "tenant-00001") {
		t.Errorf("rows not ordered failures, changes, unchanged:\n%s", small)
	}
	big := sampleReport(5000).Markdown(report.MarkdownLimit)
	if len(big) >= report.MarkdownLimit {
		t.Fatalf("markdown of 5000 stacks is %d bytes, over %d", len(big), report.MarkdownLimit)
	}
	shown := strings.Count(big, "| `tenant-")
	if !strings.Contains(big, fmt.Sprintf("… and %d more stacks not shown", 5001-shown)) {
		t.Errorf("truncation line missing or miscounted (%d rows shown):\n%s", shown, big[len(big)-300:])
	}
}

// Replacing or deleting a stateful resource is flagged above everything
// else, in the table and the markdown; every changed resource is listed,
// folded per stack, and the markdown still fits a comment with many stacks.
func TestDangerousStepsAreFlaggedFirst(t *testing.T) {
	r := sampleReport(3)
	r.Stacks[0].Steps = []outcome.Step{
		{Op: "replace", Type: "aws:dynamodb/table:Table", Name: "tenant-00000-data"},
		{Op: "update", Type: "aws:ecs/service:Service", Name: "tenant-00000-service"},
		{Op: "replace", Type: "aws:lb/listenerRule:ListenerRule", Name: "tenant-00000-rule"},
	}
	r.Stacks[1].Steps = []outcome.Step{{Op: "delete", Type: "aws:ec2/vpc:Vpc", Name: "tenant-00001-vpc"}}
	var b bytes.Buffer
	if err := r.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"DANGER: 2 stateful resources would be replaced or deleted (their data or identity is lost):\n" +
			"  tenant-00000: replace aws:dynamodb/table:Table tenant-00000-data\n" +
			"  tenant-00001: delete aws:ec2/vpc:Vpc tenant-00001-vpc\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
	md := r.Markdown(report.MarkdownLimit)
	caution := strings.Index(md, "> [!CAUTION]\n> **2 stateful resources would be replaced or deleted**")
	if caution < 0 || caution > strings.Index(md, "| stack |") || !strings.Contains(md, "> - `tenant-00000`: **replace** `aws:dynamodb/table:Table` `tenant-00000-data`") {
		t.Errorf("markdown does not flag the replacement first:\n%s", md)
	}
	if !strings.Contains(md, "<details><summary><code>tenant-00000</code>: 3 resources</summary>") || !strings.Contains(md, "- update `aws:ecs/service:Service` `tenant-00000-service`") {
		t.Errorf("markdown lacks the changed resources:\n%s", md)
	}
	r.Op = plan.OpDestroy
	if d := r.Dangerous(); d != nil {
		t.Errorf("a destroy deletes by intent; flagged %v", d)
	}

	big := sampleReport(200)
	for i := range big.Stacks {
		for j := 0; j < 40; j++ {
			big.Stacks[i].Steps = append(big.Stacks[i].Steps, outcome.Step{Op: "update", Type: "aws:ecs/service:Service", Name: fmt.Sprintf("s-%d-%d", i, j)})
		}
	}
	if md := big.Markdown(report.MarkdownLimit); len(md) >= report.MarkdownLimit || !strings.Contains(md, "in the JSON artifact") {
		t.Errorf("markdown with every stack's steps: %d bytes (limit %d)", len(md), report.MarkdownLimit)
	}
}

// A rollout halted at its gate names the wave and the alarms in every
// format, and the rollback that followed comes after it.
func TestAHaltAtTheGateAndItsRollbackInEveryFormat(t *testing.T) {
	p := &plan.Plan{ID: "r-2", Op: plan.OpUp, Release: "b2", Waves: []plan.Wave{{Index: 1, Name: "canary"}, {Index: 2, Name: "wave 2"}}}
	check := outcome.GateCheck{Wave: 2, WaveName: "wave 2", Gate: "alarms", Alarms: []outcome.Alarm{{Name: "saas-acme-5xx", Stack: "acme", Reason: "Threshold Crossed"}}}
	r := report.New(p, outcome.StatusHalted, check.Halt(), []outcome.Row{{Stack: "acme", Wave: 2, Result: outcome.ResultSucceeded, Release: "b2"}}, time.Unix(0, 0), time.Unix(60, 0))
	r.Gates = []outcome.GateCheck{{Wave: 1, WaveName: "canary", Gate: "alarms", Passed: true}, check}
	rb := report.New(&plan.Plan{ID: "r-3", Op: plan.OpRollback, RollbackOf: "r-2", Waves: []plan.Wave{{Index: 1, Name: "wave 2"}}},
		outcome.StatusSucceeded, "", []outcome.Row{{Stack: "acme", Wave: 1, Result: outcome.ResultSucceeded, Release: "a1"}}, time.Unix(60, 0), time.Unix(90, 0))
	r.Rollback = rb
	var b bytes.Buffer
	if err := r.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	md := r.Markdown(report.MarkdownLimit)
	var js bytes.Buffer
	if err := r.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	for format, out := range map[string]string{"text": b.String(), "markdown": md, "json": js.String()} {
		for _, want := range []string{"saas-acme-5xx", "wave 2", "r-3", "r-2"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s lacks %q:\n%s", format, want, out)
			}
		}
	}
	for _, want := range []string{"GATE alarms after wave 1 (canary): passed", "GATE alarms after wave 2 (wave 2): HALTED: 1 alarms in ALARM", "ALARM saas-acme-5xx (acme)", "rolled back by r-3", "rollback r-3 of r-2 to the releases its stacks ran before: succeeded", "back to release a1"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, b.String())
		}
	}
	if !strings.Contains(md, "### tenantctl rollback `r-3`") || !strings.Contains(md, "[!WARNING]") {
		t.Errorf("markdown:\n%s", md)
	}
}
