package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/tenantctl/tenantctl/internal/naming"
	"github.com/tenantctl/tenantctl/internal/rollout/outcome"
	"github.com/tenantctl/tenantctl/internal/rollout/rollouttest"
	"github.com/tenantctl/tenantctl/pkg/metering"
)

func TestStatusShowsReleaseDriftAndWhatWasNotChecked(t *testing.T) {
	dir := project(t)
	withSim(t, &rollouttest.Sim{Changes: outcome.Changes{Update: 1}})
	out, errs, code := runCLI(t, "status", "hooli", "--dir", dir)
	if code != ExitOK || !strings.Contains(out, "release:  none recorded") || !strings.Contains(out, "drift:    unknown — run refresh --drift") ||
		!strings.Contains(out, "alarms:   not checked (pass --alarms)") || !strings.Contains(out, "url:      https://hooli.app.example.com/") {
		t.Fatalf("before any rollout: exit %d\n%s\n%s", code, out, errs)
	}
	if _, errs, code := runCLI(t, "rollout", "--dir", dir, "--release", "2026.11.1", "--tenant", "hooli,acme-corp"); code != ExitOK {
		t.Fatalf("rollout: exit %d\n%s", code, errs)
	}
	if _, _, code := runCLI(t, "refresh", "--drift", "--dir", dir, "--tenant", "hooli"); code != ExitDrift {
		t.Fatalf("refresh --drift: exit %d", code)
	}
	out, errs, code = runCLI(t, "status", "hooli", "acme-corp", "--dir", dir, "-o", "json")
	var list []tenantStatus
	if err := json.Unmarshal([]byte(out), &list); err != nil || code != ExitOK || len(list) != 2 {
		t.Fatalf("status json: exit %d %v\n%s\n%s", code, err, out, errs)
	}
	if h := list[0]; h.ID != "hooli" || h.Release == nil || h.Release.Release != "2026.11.1" || h.LastDeploy.Result != outcome.ResultSucceeded || h.Drift != driftDrifted || h.AlarmsChecked {
		t.Errorf("hooli: %+v", h)
	}
	if a := list[1]; a.Drift != driftUnknown || a.Release.Release != "2026.11.1" || a.Status != "active" {
		t.Errorf("acme-corp: %+v", a)
	}
	_, errs, code = runCLI(t, "status", "hooly", "--dir", dir)
	if code != ExitUsage || !strings.Contains(errs, `no tenant "hooly"`) || !strings.Contains(errs, `did you mean "hooli"?`) {
		t.Errorf("unknown tenant: exit %d\n%s", code, errs)
	}
}

// Against moto: status and the alarms gate read the same alarms, by the
// names naming builds.
func TestStatusAndTheGateReadAlarmsFromCloudWatch(t *testing.T) {
	_, cfg := withMoto(t)
	ctx := context.Background()
	cw := metering.NewCloudWatchClient(cfg)
	for _, owner := range []string{"hooli", "acme-corp"} {
		name := naming.AlarmName("saas", owner, "5xx")
		if _, err := cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String(name), Namespace: aws.String("Tenantctl/Test"), MetricName: aws.String("Errors"),
			Statistic: cwtypes.StatisticSum, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(1),
			ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := cw.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String("saas-hooli-5xx"), StateValue: cwtypes.StateValueAlarm, StateReason: aws.String("5xx above 1")}); err != nil {
		t.Fatal(err)
	}
	dir := project(t)
	sim := &rollouttest.Sim{}
	withSim(t, sim)
	out, errs, code := runCLI(t, "status", "hooli", "acme-corp", "--dir", dir, "--alarms")
	if code != ExitOK || !strings.Contains(out, "alarms:   1 in ALARM\n    saas-hooli-5xx: 5xx above 1") || !strings.Contains(out, "alarms:   none in ALARM") {
		t.Fatalf("status --alarms: exit %d\n%s\n%s", code, out, errs)
	}
	out, errs, code = runCLI(t, "rollout", "--dir", dir, "--tenant", "acme-corp,hooli", "--canary", "1", "--gate", "alarms", "--output", "json")
	if code != ExitHalted {
		t.Fatalf("gated rollout: exit %d\n%s", code, errs)
	}
	rep := jsonReport(t, out)
	if last := rep.Gates[len(rep.Gates)-1]; last.Passed || len(last.Alarms) != 1 || last.Alarms[0].Name != "saas-hooli-5xx" {
		t.Errorf("gates %+v", rep.Gates)
	}
	// With the endpoint unreachable the gate cannot read: it halts, never passes.
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
	out, errs, code = runCLI(t, "rollout", "--dir", dir, "--tenant", "acme-corp", "--gate", "alarms", "--output", "json")
	if code != ExitHalted || !strings.Contains(jsonReport(t, out).Reason, "could not read its signals") {
		t.Errorf("unreadable gate: exit %d\n%s", code, errs)
	}
	_, errs, code = runCLI(t, "status", "hooli", "--dir", dir, "--alarms")
	if code != ExitInvalid || !strings.Contains(errs, "could not be read") {
		t.Errorf("unreadable alarms in status: exit %d\n%s", code, errs)
	}
}
