package main

import (
	"context"
	"strings"
	"testing"

	"github.com/tenantctl/tenantctl/internal/rollout/gate"
	"github.com/tenantctl/tenantctl/internal/rollout/outcome"
	"github.com/tenantctl/tenantctl/internal/rollout/rollouttest"
	"github.com/tenantctl/tenantctl/internal/spec"
)

// withGate routes the gate a plan names to g.
func withGate(t *testing.T, g *rollouttest.Gate) {
	t.Helper()
	old := newGate
	newGate = func(context.Context, *engineOptions, *spec.Fleet, string) gate.Gate { return g }
	t.Cleanup(func() { newGate = old })
}

func TestAGateHaltsTheRolloutAndTheReportNamesTheAlarm(t *testing.T) {
	dir := project(t)
	sim := &rollouttest.Sim{Changes: outcome.Changes{Update: 1}}
	withSim(t, sim)
	g := &rollouttest.Gate{Firing: map[string][]string{"initech": {"acme-initech-5xx"}}}
	withGate(t, g)
	out, errs, code := runCLI(t, "rollout", "--dir", dir, "--canary", "2", "--waves", "50%,100%", "--bake", "1ms", "--gate", "alarms", "--output", "json")
	if code != ExitHalted {
		t.Fatalf("exit %d, want %d (halted)\n%s", code, ExitHalted, errs)
	}
	rep := jsonReport(t, out)
	last := rep.Gates[len(rep.Gates)-1]
	if rep.Status != outcome.StatusHalted || last.Passed || last.Alarms[0].Name != "acme-initech-5xx" || !strings.Contains(rep.Reason, last.WaveName) {
		t.Fatalf("report %s %q gates %+v", rep.Status, rep.Reason, rep.Gates)
	}
	if !strings.Contains(errs, "acme-initech-5xx") || !strings.Contains(errs, "gate alarms after wave 1 (canary): passed") {
		t.Errorf("progress lacks the gate checks:\n%s", errs)
	}
	if status, _, code := runCLI(t, "rollout", "status", rep.ID, "--dir", dir); code != ExitOK || !strings.Contains(status, "HALTED: 1 alarms in ALARM") || !strings.Contains(status, "ALARM acme-initech-5xx (initech)") {
		t.Errorf("rollout status of the halted rollout (exit %d):\n%s", code, status)
	}
	// Resumed with the alarm cleared, the rollout goes on from the halted gate.
	g.Set(nil)
	out, errs, code = runCLI(t, "rollout", "--dir", dir, "--resume", rep.ID, "--output", "json")
	if code != ExitOK {
		t.Fatalf("resume: exit %d\n%s", code, errs)
	}
	if rep := jsonReport(t, out); rep.Status != outcome.StatusSucceeded || rep.Gates[len(rep.Gates)-1].Wave != len(rep.Waves) {
		t.Errorf("after resume: %s %+v", rep.Status, rep.Gates)
	}
	_, errs, code = runCLI(t, "rollout", "--dir", dir, "--resume", rep.ID, "--gate", "alarms")
	if code != ExitUsage || !strings.Contains(errs, "--gate cannot change it") {
		t.Errorf("resume with --gate: exit %d %s", code, errs)
	}
}
