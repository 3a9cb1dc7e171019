package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/tenantctl/tenantctl/internal/awscfg"
	"github.com/tenantctl/tenantctl/internal/testutil/moto"
	"github.com/tenantctl/tenantctl/pkg/metering"
)

func TestCostFlagErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"cost"}, `required flag(s) "month" not set`},
		{[]string{"cost", "--month", "2026-13"}, "month 13 is not between 01 and 12"},
		{[]string{"cost", "--month", "10/2026"}, `--month "10/2026": want YYYY-MM`},
		{[]string{"cost", "--month", "2999-01"}, "--month 2999-01 is in the future"},
		{[]string{"cost", "--month", "2026-10", "--format", "xml"}, `--format "xml": want one of table, csv, json`},
		{[]string{"cost", "--month", "2026-10", "--weights", "Requests"}, "want Metric=factor pairs"},
		{[]string{"cost", "--month", "2026-10", "--weights", "Bytes=1"}, `unknown metric "Bytes"`},
		{[]string{"cost", "--month", "2026-10", "--metric", "Cheapest"}, `--metric "Cheapest"`},
	}
	for _, c := range cases {
		_, stderr, code := runCLI(t, c.args...)
		if code != ExitUsage || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and %q", c.args, code, stderr, c.want)
		}
	}
}

// withMoto starts moto_server for the test, points the SDK (and so every
// command) at it through the environment and returns the SDK configuration.
// The package has no TestMain of its own for AWS, so the server is started
// here and stopped when the test ends.
func withMoto(t *testing.T) (*moto.Server, aws.Config) {
	t.Helper()
	s, err := moto.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	for k, v := range s.Env() {
		t.Setenv(k, v)
	}
	cfg, err := awscfg.Load(context.Background(), awscfg.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s, cfg
}

// TestCostCommand runs the command against moto with the sample fleet in
// tenants/ (withMoto).
func TestCostCommand(t *testing.T) {
	s, cfg := withMoto(t)
	ctx := context.Background()
	org := organizations.NewFromConfig(cfg)
	if _, err := org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}); err != nil {
		t.Fatal(err)
	}
	created, err := org.CreateAccount(ctx, &organizations.CreateAccountInput{
		AccountName: aws.String("tenant-enterprise-1"), Email: aws.String("acme@example.com"),
		Tags: []orgtypes.Tag{{Key: aws.String("TENANT_ID"), Value: aws.String("acme-corp")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	st, err := org.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: created.CreateAccountStatus.Id})
	if err != nil {
		t.Fatal(err)
	}
	acct := aws.ToString(st.CreateAccountStatus.AccountId)

	group := func(account, tag, amount string) map[string]any {
		return map[string]any{"Keys": []string{account, "TenantId$" + tag}, "Metrics": map[string]any{"UnblendedCost": map[string]string{"Amount": amount, "Unit": "USD"}}}
	}
	result := func(total string, groups ...map[string]any) map[string]any {
		r := map[string]any{"TimePeriod": map[string]string{"Start": "2026-10-01", "End": "2026-11-01"}, "Groups": groups, "Total": map[string]any{}, "Estimated": false}
		if total != "" {
			r["Total"] = map[string]any{"UnblendedCost": map[string]string{"Amount": total, "Unit": "USD"}}
		}
		return map[string]any{"ResultsByTime": []any{r}}
	}
	body, _ := json.Marshal(map[string]any{"results": []any{
		result("1000.00"),
		result("", group(acct, "acme-corp", "400.00"), group("123456789012", "initech", "250.00"), group("123456789012", "platform", "340.00"), group("123456789012", "", "10.00")),
		result("", group("123456789012", "platform", "300.00")),
	}})
	s.Post(t, "/moto-api/static/ce/cost-and-usage-results", body)

	p := metering.NewPublisher(metering.NewCloudWatchClient(cfg), 0)
	at := time.Date(2026, 10, 12, 0, 0, 0, 0, time.UTC)
	for _, u := range []metering.Usage{
		{TenantID: "wonka", Time: at, Requests: 100, CapacityUnits: 10},
		{TenantID: "dunder-mifflin", Time: at, Requests: 300, CapacityUnits: 30},
	} {
		if err := p.Record(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Flush(ctx); err != nil {
		t.Fatal(err)
	}

	out, stderr, code := runCLI(t, "--dir", "../../tenants", "cost", "--month", "2026-10", "--format", "csv")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	totals := map[string]string{}
	for _, r := range rows[1:] {
		totals[r[0]+":"+r[1]] = r[7]
	}
	// wonka and dunder-mifflin share the 300.00 pool 1:3.
	want := map[string]string{
		"tenant:acme-corp": "400.00", "tenant:initech": "250.00", "tenant:wonka": "75.00",
		"tenant:dunder-mifflin": "225.00", "tenant:globex": "0.00",
		"unallocated:platform": "40.00", "unallocated:untagged": "10.00", "total:": "1000.00",
	}
	for k, v := range want {
		if totals[k] != v {
			t.Errorf("%s = %q, want %q\n%s", k, totals[k], v, out)
		}
	}

	// The same report as a table with the formula.
	out, _, code = runCLI(t, "--dir", "../../tenants", "cost", "--month", "2026-10", "--explain")
	if code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	for _, w := range []string{"Chargeback 2026-10", "TOTAL (Cost Explorer)", "1000.00", "How pooled cost is shared:", "share(t) = Σ_m w_m", "dunder-mifflin: (0.5 × Requests 300/400 + 0.5 × CapacityUnits 30/40) ÷ 1 = 75.0000% → 225.00"} {
		if !strings.Contains(out, w) {
			t.Errorf("table lacks %q:\n%s", w, out)
		}
	}

	out, _, code = runCLI(t, "--dir", "../../tenants", "cost", "--month", "2026-10", "--format", "json")
	var rep struct {
		TotalCents, AllocatedCents, UnallocatedCents int64
	}
	if code != ExitOK || json.Unmarshal([]byte(out), &rep) != nil || rep.TotalCents != 100000 || rep.AllocatedCents+rep.UnallocatedCents != 100000 || rep.UnallocatedCents != 5000 {
		t.Errorf("json: exit %d, %+v\n%s", code, rep, out)
	}

	// A fleet that does not load is invalid input, not a crash.
	_, stderr, code = runCLI(t, "--dir", t.TempDir(), "cost", "--month", "2026-10")
	if code != ExitInvalid || !strings.Contains(stderr, "loading the fleet from") {
		t.Errorf("empty dir: exit %d, %q", code, stderr)
	}
}
