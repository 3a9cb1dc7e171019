package models_test

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/tenantctl/tenantctl/internal/iampolicy"
	"github.com/tenantctl/tenantctl/internal/render"
	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/internal/testutil/samplefleet"
	"github.com/tenantctl/tenantctl/models"
	"github.com/tenantctl/tenantctl/models/application"
	"github.com/tenantctl/tenantctl/models/fargate"
	"github.com/tenantctl/tenantctl/models/tenant"
)

// runResolved runs a stack's program under the recording mocks and returns its
// resources and the values of its outputs. Outputs built from plain values
// are not tracked by the program's context, so it waits for every one.
func runResolved(t *testing.T, f *spec.Fleet, stack string) ([]*render.Resource, map[string]any) {
	t.Helper()
	var mu sync.Mutex
	var pending sync.WaitGroup
	values := map[string]any{}
	program, err := models.ProgramWith(f, stack, models.Options{Lambdas: testLambdas, Observe: func(outs models.Outputs) {
		for k, v := range outs {
			out, ok := v.(pulumi.Output)
			if !ok {
				continue
			}
			pending.Add(1)
			out.ApplyT(func(x any) any {
				defer pending.Done()
				mu.Lock()
				defer mu.Unlock()
				values[k] = x
				return nil
			})
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	cfg, secrets := accountConfig()
	rec := &render.Recorder{PlatformOutputs: platformOutputs()}
	g, err := render.Run(program, render.Options{Stack: stack, Config: cfg, Secrets: secrets, Recorder: rec})
	if err != nil {
		t.Fatalf("stack %s: %v", stack, err)
	}
	done := make(chan struct{})
	go func() { pending.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("stack %s: outputs did not resolve", stack)
	}
	mu.Lock()
	defer mu.Unlock()
	return g.Resources, values
}

// named returns the resource of the type with the logical name.
func named(t *testing.T, res []*render.Resource, typ, name string) *render.Resource {
	t.Helper()
	for _, r := range res {
		if r.Type == typ && r.Name == name {
			return r
		}
	}
	t.Fatalf("no %s %s", typ, name)
	return nil
}

// mockArn is the ARN the recording mocks give a resource.
func mockArn(typ, name string) string { return "arn:aws:mock:::" + typ + "/" + name }

// itemActions are what a tenant's principal may do to its items, and all it may do.
var itemActions = []string{
	"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query",
	"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
	"dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem",
}

// ownParameters is the task role's statement on the tenant's SSM parameters.
func ownParameters(region, acct, id string) iampolicy.Statement {
	return iampolicy.Statement{
		Sid: "OwnParameters", Effect: "Allow",
		Action:   []string{"ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"},
		Resource: []string{"arn:aws:ssm:" + region + ":" + acct + ":parameter/saas/" + id + "/*"},
	}
}

// dataStatement is the statement that reaches the tenant's items: its own
// table, or its partition keys of the pooled table.
func dataStatement(tn *spec.Tenant) iampolicy.Statement {
	if tn.Data.Mode == spec.DataPooled {
		return iampolicy.Statement{
			Sid: "OwnPartitionKeys", Effect: "Allow", Action: itemActions,
			Resource: []string{poolTableArn, poolTableArn + "/index/*"},
			Condition: map[string]map[string]any{
				"ForAllValues:StringLike": {"dynamodb:LeadingKeys": []string{tn.ID, tn.ID + "#*"}},
				"Null":                    {"dynamodb:LeadingKeys": "false"},
			},
		}
	}
	arn := mockArn(tTable, tn.ID+"-data")
	return iampolicy.Statement{Sid: "OwnTable", Effect: "Allow", Action: itemActions, Resource: []string{arn, arn + "/index/*"}}
}

// TestEveryTenantHasItsData: every sample tenant, of every model and both data
// modes, gets its data store: in table mode a table of its own (point-in-time
// recovery and encryption on) in its stack's account, pooled nothing; the
// stack outputs dataMode, and tableName and tableArn for a table of its own;
// the task role (the application model's data role) reaches exactly the
// tenant's items and its own parameters, and nothing else.
func TestEveryTenantHasItsData(t *testing.T) {
	f := samplefleet.Load(t)
	modes := map[spec.IsolationModel]map[spec.DataMode]bool{}
	for _, tn := range f.Tenants {
		t.Run(tn.ID, func(t *testing.T) {
			res, outs := runResolved(t, f, tn.ID)
			mode := tn.Data.Mode
			if modes[tn.Model] == nil {
				modes[tn.Model] = map[spec.DataMode]bool{}
			}
			modes[tn.Model][mode] = true
			if outs[tenant.OutDataMode] != string(mode) {
				t.Errorf("output %s = %v, want %s", tenant.OutDataMode, outs[tenant.OutDataMode], mode)
			}
			tables := ofType(res, tTable)
			switch mode {
			case spec.DataTable:
				if len(tables) != 1 {
					t.Fatalf("%d tables in table mode, want 1", len(tables))
				}
				tb := tables[0]
				name := "saas-" + tn.ID + "-data"
				if tb.Name != tn.ID+"-data" || str(tb, "name") != name {
					t.Errorf("table %s named %q, want %s-data named %s", tb.Name, str(tb, "name"), tn.ID, name)
				}
				checkTableLayout(t, tb, mockArn(tKey, tn.ID+"-key"))
				if outs[tenant.OutTableName] != name || outs[tenant.OutTableArn] != mockArn(tTable, tb.Name) {
					t.Errorf("outputs tableName %v tableArn %v, want %s and its ARN", outs[tenant.OutTableName], outs[tenant.OutTableArn], name)
				}
			case spec.DataPooled:
				if len(tables) != 0 {
					t.Errorf("%d tables for pooled data, want none", len(tables))
				}
				for _, k := range []string{tenant.OutTableName, tenant.OutTableArn} {
					if _, ok := outs[k]; ok {
						t.Errorf("pooled tenant outputs %s", k)
					}
				}
			}

			// The one role policy of the stack: the task role's, or the data
			// role's of an application tenant with a data policy; the others
			// share the platform's data role and hold none.
			if tn.Model == spec.ModelApplication && tn.Data.Policy == nil {
				if rps := ofType(res, tRolePolicy); len(rps) != 0 {
					t.Errorf("%d role policies of a tenant sharing the platform's data role, want none", len(rps))
				}
				return
			}
			rp := one(t, res, tRolePolicy)
			var want []iampolicy.Statement
			acct := platformAccount
			if tn.Model == spec.ModelAccount {
				acct = "345678901234" // the stack's tenantctl:accountId (accountConfig)
				if tn.Account.ID != "" {
					acct = tn.Account.ID
				}
			}
			if tn.Model.RunsService() {
				if str(rp, "role") != "saas-"+tn.ID+"-task" {
					t.Errorf("role policy on %q, want the task role", str(rp, "role"))
				}
				want = append(want, ownParameters(tn.Region, acct, tn.ID))
			}
			want = append(want, dataStatement(tn))
			if tn.Model == spec.ModelApplication {
				want = append(want, application.PolicyStatements(tn.Data.Policy)...)
			}
			got, err := iampolicy.Parse(str(rp, "policy"))
			if err != nil {
				t.Fatal(err)
			}
			if g, w := statementsJSON(t, got.Statement), statementsJSON(t, want); g != w {
				t.Errorf("policy\n got %s\nwant %s", g, w)
			}
			for _, st := range got.Statement {
				for _, a := range st.Action {
					if a == "dynamodb:Scan" || strings.HasSuffix(a, "*") {
						t.Errorf("policy allows %s", a)
					}
				}
			}
		})
	}
	for _, m := range []spec.IsolationModel{spec.ModelVPC, spec.ModelSubnet, spec.ModelContainer} {
		if !modes[m][spec.DataTable] {
			t.Errorf("no sample tenant of the %s model keeps its data in a table of its own", m)
		}
	}
	if !modes[spec.ModelSubnet][spec.DataPooled] || !modes[spec.ModelApplication][spec.DataPooled] || !modes[spec.ModelAccount][spec.DataTable] {
		t.Errorf("data modes of the sample: %v", modes)
	}
}

// checkTableLayout: a data table has datatable's keys, point-in-time recovery
// and server-side encryption.
// checkTableLayout: the data layout, point-in-time recovery, and encryption
// at rest under the owner's customer-managed key keyArn.
func checkTableLayout(t *testing.T, tb *render.Resource, keyArn string) {
	t.Helper()
	if str(tb, "hashKey") != "pk" || str(tb, "rangeKey") != "sk" || str(tb, "billingMode") != "PAY_PER_REQUEST" {
		t.Errorf("table %s layout %v", tb.Name, tb.Inputs)
	}
	if got := fmt.Sprint(tb.Inputs["pointInTimeRecovery"]); got != "map[enabled:true]" {
		t.Errorf("table %s pointInTimeRecovery %s", tb.Name, got)
	}
	if got := fmt.Sprint(tb.Inputs["serverSideEncryption"]); got != "map[enabled:true kmsKeyArn:"+keyArn+"]" {
		t.Errorf("table %s serverSideEncryption %s", tb.Name, got)
	}
}

func TestThePooledTableHasTheDataLayout(t *testing.T) {
	res := mustRun(t, samplefleet.Load(t), models.PlatformStack)
	checkTableLayout(t, named(t, res, tTable, "platform-pool"), mockArn(tKey, "platform-key"))
}

// TestEveryServiceScales: every service of the sample fleet is a scalable
// target of Application Auto Scaling — its cluster and service by name — between
// its service block's minCount and maxCount, with a target-tracking policy
// on CPU at targetCpu and one on memory at targetMemory; a suspended tenant's
// bounds are 0 and 0. The service leaves desiredCount to autoscaling, but a
// suspended one's 0 is applied.
func TestEveryServiceScales(t *testing.T) {
	f := samplefleet.Load(t)
	// The sample's bounds and targets, as the tenant files and their tiers give them.
	want := map[string][4]int{
		"acme-corp":        {1, 16, 70, 80}, // enterprise, desiredCount 4: 4 × 4
		"hooli":            {1, 8, 70, 80},  // premium defaults
		"oscorp":           {0, 0, 70, 80},  // suspended
		"soylent":          {1, 3, 70, 80},  // the standard tier's maxCount
		"stark-industries": {2, 12, 60, 80}, // its own bounds and CPU target
	}
	services := 0
	for _, tn := range f.Tenants {
		if !tn.Model.RunsService() {
			continue
		}
		services++
		t.Run(tn.ID, func(t *testing.T) {
			res := mustRun(t, f, tn.ID)
			svc := one(t, res, tService)
			target := one(t, res, tTarget)
			cluster := "saas-platform-cluster"
			if tn.Model == spec.ModelAccount {
				cluster = str(one(t, res, tCluster), "name")
			}
			resourceID := "service/" + cluster + "/" + str(svc, "name")
			if str(target, "serviceNamespace") != "ecs" || str(target, "scalableDimension") != "ecs:service:DesiredCount" ||
				str(target, "resourceId") != resourceID {
				t.Errorf("target %v, want ecs:service:DesiredCount of %s", target.Inputs, resourceID)
			}
			min, max := tn.Service.MinCount, tn.Service.MaxCount
			if tn.Status == spec.StatusSuspended {
				min, max = 0, 0
			}
			if w, ok := want[tn.ID]; ok && (w[0] != min || w[1] != max || w[2] != tn.Service.TargetCPU || w[3] != tn.Service.TargetMemory) {
				t.Fatalf("the sample gives %s %d..%d at %d%%/%d%%, the test expects %v", tn.ID, min, max, tn.Service.TargetCPU, tn.Service.TargetMemory, w)
			}
			if target.Inputs["minCapacity"] != int64(min) || target.Inputs["maxCapacity"] != int64(max) {
				t.Errorf("capacity %v..%v, want %d..%d", target.Inputs["minCapacity"], target.Inputs["maxCapacity"], min, max)
			}
			if d := svc.Inputs["desiredCount"].(int64); d < int64(min) || d > int64(max) {
				t.Errorf("desiredCount %d outside %d..%d", d, min, max)
			}
			policies := ofType(res, tPolicy)
			sort.Slice(policies, func(i, j int) bool { return policies[i].Name < policies[j].Name })
			if len(policies) != 2 {
				t.Fatalf("%d scaling policies, want 2", len(policies))
			}
			for i, p := range []struct {
				what, metric string
				value        int
			}{{"cpu", "ECSServiceAverageCPUUtilization", tn.Service.TargetCPU}, {"memory", "ECSServiceAverageMemoryUtilization", tn.Service.TargetMemory}} {
				pol := policies[i]
				if pol.Name != tn.ID+"-scaling-"+p.what || str(pol, "name") != "saas-"+tn.ID+"-scale-"+p.what {
					t.Errorf("policy %s named %q", pol.Name, str(pol, "name"))
				}
				if str(pol, "policyType") != "TargetTrackingScaling" || str(pol, "resourceId") != resourceID ||
					str(pol, "scalableDimension") != "ecs:service:DesiredCount" || str(pol, "serviceNamespace") != "ecs" {
					t.Errorf("policy %s: %v", pol.Name, pol.Inputs)
				}
				cfg, _ := pol.Inputs["targetTrackingScalingPolicyConfiguration"].(map[string]any)
				wantCfg := fmt.Sprintf("map[predefinedMetricSpecification:map[predefinedMetricType:%s] scaleInCooldown:%d scaleOutCooldown:%d targetValue:%d]",
					p.metric, fargate.ScaleInCooldown, fargate.ScaleOutCooldown, p.value)
				if got := fmt.Sprint(cfg); got != wantCfg {
					t.Errorf("policy %s configuration\n got %s\nwant %s", pol.Name, got, wantCfg)
				}
			}
			if tn.Status == spec.StatusSuspended {
				if svc.Inputs["desiredCount"] != int64(0) || len(svc.IgnoreChanges) != 0 {
					t.Errorf("suspended service: desiredCount %v, ignoreChanges %v; want 0 applied", svc.Inputs["desiredCount"], svc.IgnoreChanges)
				}
			} else if fmt.Sprint(svc.IgnoreChanges) != "[desiredCount]" {
				t.Errorf("service ignoreChanges %v, want [desiredCount]: autoscaling owns the count", svc.IgnoreChanges)
			}
		})
	}
	if services < 5 {
		t.Fatalf("only %d services in the sample fleet", services)
	}
}

// TestEmulatedServicesKeepTheirCount: where the emulator cannot serve
// autoscaling, the service has none and applies its desiredCount itself.
func TestEmulatedServicesKeepTheirCount(t *testing.T) {
	f := samplefleet.Load(t)
	for _, stack := range []string{"hooli", "oscorp", "acme-corp"} {
		cfg, secrets := emulated()
		res, _ := runObserved(t, f, stack, cfg, secrets)
		if n := len(ofType(res, tTarget)) + len(ofType(res, tPolicy)); n != 0 {
			t.Errorf("%s: %d autoscaling resources in emulator mode", stack, n)
		}
		svc := one(t, res, tService)
		if len(svc.IgnoreChanges) != 0 {
			t.Errorf("%s: emulated service ignores %v", stack, svc.IgnoreChanges)
		}
		if want := int64(fargate.DesiredCount(f.Tenant(stack))); svc.Inputs["desiredCount"] != want {
			t.Errorf("%s: desiredCount %v, want %d", stack, svc.Inputs["desiredCount"], want)
		}
	}
}
