package models_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/tenantctl/tenantctl/internal/iampolicy"
	"github.com/tenantctl/tenantctl/internal/naming"
	"github.com/tenantctl/tenantctl/internal/render"
	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/internal/testutil/samplefleet"
	"github.com/tenantctl/tenantctl/models"
	"github.com/tenantctl/tenantctl/models/alerting"
	"github.com/tenantctl/tenantctl/models/platform"
)

// wantSignals are the alarms of a sample tenant, by its model and data.
func wantSignals(tn *spec.Tenant) []string {
	if tn.Model == spec.ModelApplication {
		return []string{naming.SignalAPI4xx, naming.SignalAPI5xx}
	}
	s := []string{naming.SignalLB5xx, naming.SignalUnhealthyHosts, naming.SignalRunningTasks, naming.SignalCPUHigh, naming.SignalMemoryHigh}
	if tn.Data.Mode == spec.DataTable {
		s = append(s, naming.SignalDynamoDBThrottles)
	}
	if tn.Model == spec.ModelAccount {
		// Its own account's quotas.
		s = append(s, naming.QuotaSignal("fargate-vcpu"), naming.QuotaSignal("kms-requests"))
	}
	return s
}

// TestEveryTenantIsWatched: every sample tenant has its alarm topic
// <prefix>-<id>-alarms with its owner subscribed, CloudWatch alarms named
// <prefix>-<id>-<signal> for exactly the signals of its model, each
// notifying that topic and the on-call topic of its account (the platform's,
// or for an account-model tenant one of its own with the fleet's on-call
// address), and a dashboard <prefix>-<id> of them.
func TestEveryTenantIsWatched(t *testing.T) {
	f := samplefleet.Load(t)
	prefix := f.Settings.NamePrefix
	for _, tn := range f.Tenants {
		t.Run(tn.ID, func(t *testing.T) {
			res := mustRun(t, f, tn.ID)
			topic := named(t, res, tTopic, tn.ID+"-alarms")
			if got := str(topic, "name"); got != prefix+"-"+tn.ID+"-alarms" {
				t.Errorf("topic name %q", got)
			}
			sub := named(t, res, tTopicSub, tn.ID+"-alarms-email")
			if str(sub, "protocol") != "email" || str(sub, "endpoint") != tn.Owner || str(sub, "topic") != mockArn(tTopic, topic.Name) {
				t.Errorf("owner's subscription %v", sub.Inputs)
			}
			onCall := onCallTopicArn
			if tn.Model == spec.ModelAccount {
				own := named(t, res, tTopic, tn.ID+"-oncall")
				if str(own, "name") != prefix+"-"+tn.ID+"-oncall" {
					t.Errorf("on-call topic name %q", str(own, "name"))
				}
				if s := named(t, res, tTopicSub, tn.ID+"-oncall-email"); str(s, "endpoint") != f.Settings.Alerts.OnCallEmail {
					t.Errorf("on-call subscription %v", s.Inputs)
				}
				onCall = mockArn(tTopic, own.Name)
			}
			checkTopicPolicy(t, topic, tn.Region, naming.AlarmPrefix(prefix, tn.ID))
			var signals []string
			for _, a := range ofType(res, tAlarm) {
				signal := strings.TrimPrefix(a.Name, tn.ID+"-alarm-")
				signals = append(signals, signal)
				if got, want := str(a, "name"), naming.AlarmName(prefix, tn.ID, signal); got != want || !strings.HasPrefix(got, naming.AlarmPrefix(prefix, tn.ID)) {
					t.Errorf("alarm %s named %q, want %q", a.Name, got, want)
				}
				if got := naming.AlarmOwner(prefix, []string{tn.ID, "acme"}, str(a, "name")); got != tn.ID {
					t.Errorf("alarm %s is claimed by %q", str(a, "name"), got)
				}
				want := fmt.Sprint([]any{mockArn(tTopic, topic.Name), onCall})
				if fmt.Sprint(a.Inputs["alarmActions"]) != want || fmt.Sprint(a.Inputs["okActions"]) != want {
					t.Errorf("alarm %s notifies %v and %v, want %s", a.Name, a.Inputs["alarmActions"], a.Inputs["okActions"], want)
				}
				if a.Inputs["treatMissingData"] != alerting.MissingData || a.Inputs["comparisonOperator"] != "GreaterThanOrEqualToThreshold" {
					t.Errorf("alarm %s: %v", a.Name, a.Inputs)
				}
			}
			if want := wantSignals(tn); !slices.Equal(signals, sortedCopy(want)) {
				t.Errorf("alarms %v, want %v", signals, want)
			}
			d := named(t, res, tDashboard, tn.ID+"-dashboard")
			if str(d, "dashboardName") != prefix+"-"+tn.ID {
				t.Errorf("dashboard name %q", str(d, "dashboardName"))
			}
			checkDashboard(t, d, tn.ID, len(signals))
		})
	}
}

func sortedCopy(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

// checkTopicPolicy: CloudWatch may publish to the topic for alarms of its
// account whose names start with alarmPrefix, and no one else is admitted.
func checkTopicPolicy(t *testing.T, topic *render.Resource, region, alarmPrefix string) {
	t.Helper()
	d, err := iampolicy.Parse(str(topic, "policy"))
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Statement) != 1 {
		t.Fatalf("topic policy %+v", d)
	}
	st := d.Statement[0]
	acct := fmt.Sprint(st.Condition["StringEquals"]["aws:SourceAccount"])
	if st.Effect != "Allow" || fmt.Sprint(st.Principal) != "map[Service:cloudwatch.amazonaws.com]" || fmt.Sprint(st.Action) != "[sns:Publish]" ||
		fmt.Sprint(st.Resource) != fmt.Sprintf("[arn:aws:sns:%s:%s:%s]", region, acct, str(topic, "name")) ||
		st.Condition["ArnLike"]["aws:SourceArn"] != fmt.Sprintf("arn:aws:cloudwatch:%s:%s:alarm:%s*", region, acct, alarmPrefix) {
		t.Errorf("topic policy statement %+v", st)
	}
}

// checkDashboard: the alarms' states across the top, then a graph per alarm.
func checkDashboard(t *testing.T, d *render.Resource, id string, alarms int) {
	t.Helper()
	var body struct {
		Widgets []struct {
			Type       string         `json:"type"`
			Properties map[string]any `json:"properties"`
		} `json:"widgets"`
	}
	if err := json.Unmarshal([]byte(str(d, "dashboardBody")), &body); err != nil {
		t.Fatalf("dashboard body: %v", err)
	}
	if len(body.Widgets) != alarms+1 || body.Widgets[0].Type != "alarm" {
		t.Fatalf("dashboard widgets %+v", body.Widgets)
	}
	arns, _ := body.Widgets[0].Properties["alarms"].([]any)
	if len(arns) != alarms {
		t.Errorf("alarm widget lists %v", arns)
	}
	for _, a := range arns {
		if !strings.Contains(fmt.Sprint(a), id+"-alarm-") {
			t.Errorf("alarm widget lists %v, not an alarm of %s", a, id)
		}
	}
	for _, w := range body.Widgets[1:] {
		if w.Type != "metric" || len(w.Properties["metrics"].([]any)) == 0 {
			t.Errorf("widget %+v", w)
		}
	}
}

// alarmDims are an alarm's dimensions: its own, or its metric queries'.
func alarmDims(a *render.Resource) []map[string]any {
	if d, ok := a.Inputs["dimensions"].(map[string]any); ok {
		return []map[string]any{d}
	}
	var out []map[string]any
	qs, _ := a.Inputs["metricQueries"].([]any)
	for _, q := range qs {
		if m, ok := q.(map[string]any)["metric"].(map[string]any); ok {
			out = append(out, m["dimensions"].(map[string]any))
		}
	}
	return out
}

// TestAlarmsWatchTheTenantsOwnResources: each alarm reads the metrics of the
// tenant's own load balancer share (the shared load balancer of its listener,
// or its own), target group, service, table or API key, at the thresholds
// alerting sets.
func TestAlarmsWatchTheTenantsOwnResources(t *testing.T) {
	f := samplefleet.Load(t)
	cases := []struct {
		stack, lb, cluster string
	}{
		// hooli is behind the first shared load balancer (its listener's).
		{"hooli", "app/saas-platform-lb-0/0", "saas-platform-cluster"},
		{"soylent", "app/saas-platform-lb-0/0", "saas-platform-cluster"},
		// initech and acme-corp have load balancers of their own; acme-corp
		// a cluster of its own.
		{"initech", "app/saas-initech-lb/" + render.MockArnSuffixID, "saas-platform-cluster"},
		{"acme-corp", "app/saas-acme-corp-lb/" + render.MockArnSuffixID, "saas-acme-corp-cluster"},
	}
	thresholds := map[string]float64{
		naming.SignalLB5xx: alerting.LB5xxThreshold, naming.SignalUnhealthyHosts: alerting.UnhealthyHostsThreshold,
		naming.SignalRunningTasks: alerting.MissingTasksThreshold, naming.SignalCPUHigh: alerting.CPUHighPercent,
		naming.SignalMemoryHigh: alerting.MemoryHighPercent, naming.SignalDynamoDBThrottles: alerting.ThrottleThreshold,
		naming.SignalAPI4xx: alerting.API4xxThreshold, naming.SignalAPI5xx: alerting.API5xxThreshold,
	}
	for _, c := range cases {
		t.Run(c.stack, func(t *testing.T) {
			res := mustRun(t, f, c.stack)
			tg := "targetgroup/saas-" + c.stack + "-tg/" + render.MockArnSuffixID
			want := map[string]map[string]any{
				naming.SignalLB5xx:             {"LoadBalancer": c.lb, "TargetGroup": tg},
				naming.SignalUnhealthyHosts:    {"LoadBalancer": c.lb, "TargetGroup": tg},
				naming.SignalRunningTasks:      {"ClusterName": c.cluster, "ServiceName": "saas-" + c.stack + "-service"},
				naming.SignalCPUHigh:           {"ClusterName": c.cluster, "ServiceName": "saas-" + c.stack + "-service"},
				naming.SignalMemoryHigh:        {"ClusterName": c.cluster, "ServiceName": "saas-" + c.stack + "-service"},
				naming.SignalDynamoDBThrottles: {"TableName": "saas-" + c.stack + "-data"},
			}
			for signal, dims := range want {
				a := named(t, res, tAlarm, c.stack+"-alarm-"+signal)
				for _, got := range alarmDims(a) {
					if fmt.Sprint(got) != fmt.Sprint(dims) {
						t.Errorf("%s reads %v, want %v", signal, got, dims)
					}
				}
				if th, _ := a.Inputs["threshold"].(int64); float64(th) != thresholds[signal] {
					t.Errorf("%s threshold %v, want %v", signal, a.Inputs["threshold"], thresholds[signal])
				}
			}
			running := named(t, res, tAlarm, c.stack+"-alarm-"+naming.SignalRunningTasks)
			qs, _ := running.Inputs["metricQueries"].([]any)
			if len(qs) != 3 || qs[2].(map[string]any)["expression"] != "desired - running" {
				t.Errorf("running tasks alarm queries %v", qs)
			}
		})
	}
	// An application tenant's alarms read the API's per-key metrics of its key.
	res := mustRun(t, f, "wonka")
	for _, signal := range []string{naming.SignalAPI4xx, naming.SignalAPI5xx} {
		a := named(t, res, tAlarm, "wonka-alarm-"+signal)
		if a.Inputs["namespace"] != alerting.APINamespace || fmt.Sprint(a.Inputs["dimensions"]) != "map[ApiKeyId:wonka-api-key-id]" {
			t.Errorf("%s: %v", signal, a.Inputs)
		}
		if th, _ := a.Inputs["threshold"].(int64); float64(th) != thresholds[signal] {
			t.Errorf("%s threshold %v", signal, a.Inputs["threshold"])
		}
	}
}

// TestPlatformOnCallAndAPIMetrics: the platform's on-call topic with the
// fleet's address subscribed, exported for tenant stacks; the pooled API's
// stage traced with X-Ray (and sampled) and logging each call's key and
// status to its access log, which two metric filters count by key.
func TestPlatformOnCallAndAPIMetrics(t *testing.T) {
	f := samplefleet.Load(t)
	res, outs := runObserved(t, f, models.PlatformStack, nil, nil)
	topic := named(t, res, tTopic, "platform-oncall")
	if str(topic, "name") != "saas-platform-oncall" {
		t.Errorf("on-call topic %q", str(topic, "name"))
	}
	checkTopicPolicy(t, topic, f.Settings.PlatformRegion, f.Settings.NamePrefix+"-")
	if sub := named(t, res, tTopicSub, "platform-oncall-email"); str(sub, "endpoint") != "oncall@example.com" || str(sub, "protocol") != "email" {
		t.Errorf("on-call subscription %v", sub.Inputs)
	}
	if _, ok := outs[platform.OutOnCallTopicArn]; !ok {
		t.Errorf("no %s output", platform.OutOnCallTopicArn)
	}
	stage := one(t, res, tStage)
	logs := named(t, res, tLogGroup, "platform-api-access")
	als, _ := stage.Inputs["accessLogSettings"].(map[string]any)
	if stage.Inputs["xrayTracingEnabled"] != true || als["destinationArn"] != mockArn(tLogGroup, logs.Name) || als["format"] != platform.AccessLogFormat {
		t.Errorf("stage %v", stage.Inputs)
	}
	var format map[string]any
	if err := json.Unmarshal([]byte(strings.NewReplacer("$context.status", "0", "$context.responseLatency", "0").Replace(platform.AccessLogFormat)), &format); err != nil {
		t.Errorf("access log format is not JSON: %v", err)
	} else if format["apiKeyId"] != "$context.identity.apiKeyId" {
		t.Errorf("access log lacks the key: %v", format)
	}
	if str(logs, "name") != "/saas/platform/api-access" {
		t.Errorf("access log group %q", str(logs, "name"))
	}
	account := one(t, res, tAPIAccount)
	role := named(t, res, tRole, "platform-apigateway-logs")
	if str(account, "cloudwatchRoleArn") != mockArn(tRole, role.Name) || !strings.Contains(str(role, "assumeRolePolicy"), "apigateway.amazonaws.com") {
		t.Errorf("API Gateway's logging role: %v, %v", account.Inputs, role.Inputs)
	}
	filters := ofType(res, tMetricFilt)
	if len(filters) != 2 {
		t.Fatalf("%d metric filters", len(filters))
	}
	for _, mf := range filters {
		tr := mf.Inputs["metricTransformation"].(map[string]any)
		metric := tr["name"].(string)
		if str(mf, "logGroupName") != "/saas/platform/api-access" || str(mf, "pattern") != platform.APIKeyMetricPatterns[metric] ||
			tr["namespace"] != alerting.APINamespace || fmt.Sprint(tr["dimensions"]) != "map[ApiKeyId:$.apiKeyId]" {
			t.Errorf("metric filter %v", mf.Inputs)
		}
	}
	rule := one(t, res, tSampling)
	if str(rule, "ruleName") != "saas-platform-api" || str(rule, "serviceName") != "saas-platform-api/v1" || rule.Inputs["fixedRate"] != platform.SamplingRate {
		t.Errorf("sampling rule %v", rule.Inputs)
	}
}

// TestAccountModelAlarmsStayInItsAccount: an account-model tenant's alarms,
// in its own account and region, notify only topics there (CloudWatch alarms
// cannot notify a topic of another region), so it never names the platform's
// on-call topic.
func TestAccountModelAlarmsStayInItsAccount(t *testing.T) {
	f := samplefleet.Load(t)
	for _, id := range []string{"acme-corp", "globex"} {
		for _, a := range ofType(mustRun(t, f, id), tAlarm) {
			if strings.Contains(fmt.Sprint(a.Inputs["alarmActions"]), onCallTopicArn) {
				t.Errorf("%s %s notifies the platform's on-call topic", id, a.Name)
			}
		}
	}
}

// TestQuotaAlarms: the platform's account and every account-model tenant's
// own watch their Fargate vCPU and KMS request quotas at 80 % of the applied
// value (SERVICE_QUOTA over the AWS/Usage metric, per second for a rate).
func TestQuotaAlarms(t *testing.T) {
	f := samplefleet.Load(t)
	check := func(a *render.Resource, owner string, actions []any) {
		t.Helper()
		qs, _ := a.Inputs["metricQueries"].([]any)
		if len(qs) != 2 {
			t.Fatalf("%s queries %v", a.Name, qs)
		}
		m := qs[0].(map[string]any)["metric"].(map[string]any)
		e := qs[1].(map[string]any)
		if m["namespace"] != "AWS/Usage" || a.Inputs["threshold"] != int64(alerting.QuotaUtilisationPercent) ||
			!strings.Contains(fmt.Sprint(e["expression"]), "/ SERVICE_QUOTA(m1) * 100") || e["returnData"] != true {
			t.Errorf("%s: %v", a.Name, a.Inputs)
		}
		if !strings.HasPrefix(str(a, "name"), naming.AlarmPrefix("saas", owner)+naming.SignalQuotaPrefix) {
			t.Errorf("quota alarm named %q", str(a, "name"))
		}
		if fmt.Sprint(a.Inputs["alarmActions"]) != fmt.Sprint(actions) {
			t.Errorf("%s notifies %v, want %v", a.Name, a.Inputs["alarmActions"], actions)
		}
	}
	res := mustRun(t, f, models.PlatformStack)
	alarms := ofType(res, tAlarm)
	if len(alarms) != len(alerting.Quotas) {
		t.Fatalf("the platform has %d alarms", len(alarms))
	}
	for _, a := range alarms {
		check(a, "platform", []any{mockArn(tTopic, "platform-oncall")})
	}
	fargate := named(t, res, tAlarm, "platform-alarm-quota-fargate-vcpu")
	if got := fmt.Sprint(fargate.Inputs["metricQueries"].([]any)[0].(map[string]any)["metric"].(map[string]any)["dimensions"]); got != "map[Class:Standard/OnDemand Resource:vCPU Service:Fargate Type:Resource]" {
		t.Errorf("Fargate usage dimensions %s", got)
	}
	kms := named(t, res, tAlarm, "platform-alarm-quota-kms-requests")
	if got := kms.Inputs["metricQueries"].([]any)[1].(map[string]any)["expression"]; got != "(m1 / 60) / SERVICE_QUOTA(m1) * 100" {
		t.Errorf("KMS utilisation %v", got)
	}
	acme := mustRun(t, f, "acme-corp")
	for _, q := range alerting.Quotas {
		check(named(t, acme, tAlarm, "acme-corp-alarm-quota-"+q.Name), "acme-corp",
			[]any{mockArn(tTopic, "acme-corp-alarms"), mockArn(tTopic, "acme-corp-oncall")})
	}
	for _, a := range ofType(mustRun(t, f, "hooli"), tAlarm) {
		if strings.Contains(a.Name, "quota") {
			t.Errorf("hooli, in the platform's account, has quota alarm %s", a.Name)
		}
	}
}
