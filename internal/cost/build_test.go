package cost

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"

	"github.com/tenantctl/tenantctl/internal/awscfg"
	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/internal/testutil/moto"
	"github.com/tenantctl/tenantctl/pkg/metering"
)

func TestMain(m *testing.M) { os.Exit(moto.Main(m)) }

var october = Month{2026, time.October}

// ceGroup is one group of a Cost Explorer answer: linked account, TenantId value, amount.
type ceGroup struct{ account, tag, amount string }

// ceResult is a GetCostAndUsage answer for October in moto's static format.
func ceResult(total string, groups []ceGroup, next string) map[string]any {
	r := map[string]any{
		"TimePeriod": map[string]string{"Start": "2026-10-01", "End": "2026-11-01"},
		"Total":      map[string]any{},
		"Groups":     []any{},
		"Estimated":  false,
	}
	if total != "" {
		r["Total"] = map[string]any{"UnblendedCost": map[string]string{"Amount": total, "Unit": "USD"}}
	}
	var gs []any
	for _, g := range groups {
		gs = append(gs, map[string]any{
			"Keys":    []string{g.account, "TenantId$" + g.tag},
			"Metrics": map[string]any{"UnblendedCost": map[string]string{"Amount": g.amount, "Unit": "USD"}},
		})
	}
	if gs != nil {
		r["Groups"] = gs
	}
	out := map[string]any{"ResultsByTime": []any{r}, "DimensionValueAttributes": []any{}}
	if next != "" {
		out["NextPageToken"] = next
	}
	return out
}

// injectCE queues Cost Explorer answers. moto hands them out in order, one per
// distinct request, so they follow Build's order: the total, the cost by
// account and tag (each page), the pooled cost (each page).
func injectCE(t *testing.T, s *moto.Server, results ...map[string]any) {
	t.Helper()
	body, err := json.Marshal(map[string]any{"results": results})
	if err != nil {
		t.Fatal(err)
	}
	s.Post(t, "/moto-api/static/ce/cost-and-usage-results", body)
}

func loadCfg(t *testing.T) aws.Config {
	t.Helper()
	cfg, err := awscfg.Load(context.Background(), awscfg.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// tenantAccount creates an organization account tagged TENANT_ID=tenant.
func tenantAccount(t *testing.T, org *organizations.Client, name, tenant string) string {
	t.Helper()
	ctx := context.Background()
	out, err := org.CreateAccount(ctx, &organizations.CreateAccountInput{
		AccountName: aws.String(name), Email: aws.String(name + "@example.com"),
		Tags: []orgtypes.Tag{{Key: aws.String(spec.TagAccountTenantID), Value: aws.String(tenant)}, {Key: aws.String("STATUS"), Value: aws.String("ACTIVE")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	st, err := org.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: out.CreateAccountStatus.Id})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(st.CreateAccountStatus.AccountId)
}

func fleetOf(tenants ...*spec.Tenant) *spec.Fleet {
	return &spec.Fleet{Tenants: tenants}
}

func tenant(id string, m spec.IsolationModel, tier string) *spec.Tenant {
	return &spec.Tenant{ID: id, Model: m, Tier: tier, Source: spec.Source{File: "tenants/" + id + ".yaml"}}
}

func meter(t *testing.T, cfg aws.Config, usage ...metering.Usage) {
	t.Helper()
	p := metering.NewPublisher(metering.NewCloudWatchClient(cfg), 0)
	for _, u := range usage {
		if err := p.Record(context.Background(), u); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func byID(r *Report) map[string]TenantCost {
	m := map[string]TenantCost{}
	for _, t := range r.Tenants {
		m[t.ID] = t
	}
	return m
}

func remainders(r *Report) map[string]int64 {
	m := map[string]int64{}
	for _, u := range r.Unallocated {
		m[u.Reason] = u.Cents
	}
	return m
}

// assertReconciles checks the report adds up: tenants plus remainder equal
// the total, and every tenant's direct plus pooled equals its total.
func assertReconciles(t *testing.T, r *Report, wantTotal int64) {
	t.Helper()
	var sum, pooled int64
	for _, tc := range r.Tenants {
		if tc.DirectCents+tc.PooledCents != tc.TotalCents {
			t.Errorf("%s: direct %d + pooled %d != total %d", tc.ID, tc.DirectCents, tc.PooledCents, tc.TotalCents)
		}
		sum += tc.TotalCents
		pooled += tc.PooledCents
	}
	for _, u := range r.Unallocated {
		sum += u.Cents
	}
	if sum != r.TotalCents || r.TotalCents != wantTotal || r.AllocatedCents+r.UnallocatedCents != wantTotal {
		t.Errorf("tenants + unallocated = %d, report total %d (allocated %d + unallocated %d), Cost Explorer total %d", sum, r.TotalCents, r.AllocatedCents, r.UnallocatedCents, wantTotal)
	}
	if pooled != r.PoolCents {
		t.Errorf("pooled shares sum to %d, pool %d", pooled, r.PoolCents)
	}
}

func TestBuildEveryModelReconcilesToTheCent(t *testing.T) {
	s := moto.Shared(t)
	s.Seed(t, 6)
	ctx := context.Background()
	cfg := loadCfg(t)
	org := organizations.NewFromConfig(cfg)
	if _, err := org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}); err != nil {
		t.Fatal(err)
	}
	payer := "123456789012"
	acmeAcct := tenantAccount(t, org, "tenant-enterprise-1", "acme")
	goneAcct := tenantAccount(t, org, "tenant-enterprise-2", "umbrella") // tenant no longer in the fleet

	fleet := fleetOf(
		tenant("acme", spec.ModelAccount, "enterprise"),
		tenant("initech", spec.ModelVPC, "enterprise"),
		tenant("hooli", spec.ModelSubnet, "premium"),
		tenant("soylent", spec.ModelContainer, "standard"),
		tenant("globex", spec.ModelApplication, "free"),
		tenant("wonka", spec.ModelApplication, "free"),
		tenant("pied-piper", spec.ModelApplication, "free"), // no usage
		// vandelay ran in its own VPC until mid-October, then moved to the pool.
		tenant("vandelay", spec.ModelApplication, "standard"),
	)
	fleet.Tenants[0].Account = &spec.AccountSpec{ID: acmeAcct}

	injectCE(t, s,
		ceResult("3203.1090568", nil, ""),
		ceResult("", []ceGroup{
			{acmeAcct, "", "1000.1234567"},
			{acmeAcct, "acme", "200.0000001"},
			{payer, "initech", "300.505"},
			{payer, "hooli", "50.25"},
		}, "page-2"),
		ceResult("", []ceGroup{
			{payer, "soylent", "75.125"},
			{payer, "vandelay", "40.004"},
			{payer, "platform", "900.00"},
			{payer, "", "12.3456"},
			{payer, "ghost", "5"},
			{goneAcct, "", "7.77"},
			{payer, "initech", "611.986"}, // a key repeated on a later page adds up
		}, ""),
		ceResult("", []ceGroup{{payer, "platform", "600.00"}, {payer, "", "2.3456"}}, ""),
	)
	day := time.Date(2026, 10, 10, 12, 0, 0, 0, time.UTC)
	late := time.Date(2026, 10, 25, 8, 30, 0, 0, time.UTC)
	meter(t, cfg,
		metering.Usage{TenantID: "globex", Time: day, Requests: 2000, CapacityUnits: 60},
		metering.Usage{TenantID: "globex", Time: late, Requests: 1000, CapacityUnits: 40},
		metering.Usage{TenantID: "wonka", Time: day, Requests: 1000, CapacityUnits: 300},
		metering.Usage{TenantID: "vandelay", Time: late, Requests: 1000},
		// Outside October: not counted.
		metering.Usage{TenantID: "globex", Time: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Requests: 1e6},
		metering.Usage{TenantID: "wonka", Time: time.Date(2026, 9, 30, 23, 59, 0, 0, time.UTC), Requests: 1e6},
	)

	r, err := Build(ctx, NewClients(cfg, ""), fleet, Options{Month: october})
	if err != nil {
		t.Fatal(err)
	}
	assertReconciles(t, r, 320311)
	got := byID(r)
	// Pool 602.3456 shared: globex 0.5×3000/5000 + 0.5×100/400 = 0.425,
	// wonka 0.5×1000/5000 + 0.5×300/400 = 0.475, vandelay 0.5×1000/5000 = 0.1.
	// The pool rounds to 60235 cents (602.3456 → 602.35 by largest remainder
	// among the report's lines); 0.425×60235 = 25599.875, 0.475×60235 =
	// 28611.625, 0.1×60235 = 6023.5: floors 25599+28611+6023 = 60233, the two
	// missing cents go to the largest fractions (globex .875, wonka .625).
	want := map[string]struct {
		direct, pooled int64
		basis          string
	}{
		"acme":       {120012, 0, "linked account"},
		"initech":    {91249, 0, "tag"},
		"hooli":      {5025, 0, "tag"},
		"soylent":    {7513, 0, "tag"}, // 75.125: the half cent is the second-largest remainder
		"globex":     {0, 25600, "usage share"},
		"wonka":      {0, 28612, "usage share"},
		"pied-piper": {0, 0, ""},
		"vandelay":   {4000, 6023, "tag+usage share"},
	}
	for id, w := range want {
		g := got[id]
		if g.DirectCents != w.direct || g.PooledCents != w.pooled || strings.Join(g.Basis, "+") != w.basis {
			t.Errorf("%s: direct %d pooled %d basis %q; want %d %d %q", id, g.DirectCents, g.PooledCents, strings.Join(g.Basis, "+"), w.direct, w.pooled, w.basis)
		}
	}
	if a := got["acme"].Accounts; len(a) != 1 || a[0] != acmeAcct {
		t.Errorf("acme accounts %v, want [%s]", a, acmeAcct)
	}
	if r.PoolCents != 60235 {
		t.Errorf("pool %d cents, want 60235", r.PoolCents)
	}
	if u := got["globex"].Usage; u["Requests"] != 3000 || u["CapacityUnits"] != 100 {
		t.Errorf("globex usage %v", u)
	}
	rem := remainders(r)
	wantRem := map[string]int64{ReasonPlatform: 30000, ReasonUntagged: 1000, ReasonUnknownTenant: 1277}
	for k, v := range wantRem {
		if rem[k] != v {
			t.Errorf("unallocated %s = %d, want %d (all: %v)", k, rem[k], v, rem)
		}
	}
	if len(rem) != len(wantRem) {
		t.Errorf("unallocated reasons %v, want only %v", rem, wantRem)
	}
	for _, u := range r.Unallocated {
		if u.Reason == ReasonUnknownTenant && !strings.Contains(u.Detail, "ghost") || u.Reason == ReasonUnknownTenant && !strings.Contains(u.Detail, "umbrella (account "+goneAcct+")") {
			t.Errorf("unknown tenants detail %q", u.Detail)
		}
	}
	if !strings.Contains(got["vandelay"].Explain, "0.5 × Requests 1000/5000") {
		t.Errorf("vandelay explain %q", got["vandelay"].Explain)
	}
}

func TestBuildMonthWithNoData(t *testing.T) {
	moto.Shared(t)
	cfg := loadCfg(t)
	fleet := fleetOf(tenant("globex", spec.ModelApplication, "free"), tenant("initech", spec.ModelVPC, "enterprise"))
	r, err := Build(context.Background(), NewClients(cfg, ""), fleet, Options{Month: october})
	if err != nil {
		t.Fatal(err)
	}
	assertReconciles(t, r, 0)
	if len(r.Tenants) != 2 || len(r.Unallocated) != 0 || r.PoolCents != 0 {
		t.Errorf("empty month: %+v", r)
	}
	var buf bytes.Buffer
	if err := Write(&buf, r, "table", true); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Chargeback 2026-10 · UnblendedCost · USD (final)", "TOTAL (Cost Explorer)", "no tenant metered usage this month"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, buf.String())
		}
	}
}

func TestBuildPoolWithoutUsageStaysUnallocated(t *testing.T) {
	s := moto.Shared(t)
	cfg := loadCfg(t)
	fleet := fleetOf(tenant("globex", spec.ModelApplication, "free"), tenant("wonka", spec.ModelApplication, "free"))
	open := ceResult("250.00", nil, "")
	open["ResultsByTime"].([]any)[0].(map[string]any)["Estimated"] = true // a month Cost Explorer has not closed
	injectCE(t, s,
		open,
		ceResult("", []ceGroup{{"123456789012", "platform", "250.00"}}, ""),
		ceResult("", []ceGroup{{"123456789012", "platform", "200.00"}}, ""),
	)
	r, err := Build(context.Background(), NewClients(cfg, ""), fleet, Options{Month: october})
	if err != nil {
		t.Fatal(err)
	}
	assertReconciles(t, r, 25000)
	if !r.Estimated {
		t.Error("the report of an open month is not marked estimated")
	}
	rem := remainders(r)
	if rem[ReasonPoolUnmetered] != 20000 || rem[ReasonPlatform] != 5000 || r.AllocatedCents != 0 {
		t.Errorf("unallocated %v, allocated %d; want the 200.00 pool and 50.00 platform unallocated", rem, r.AllocatedCents)
	}
	for _, tc := range r.Tenants {
		if tc.TotalCents != 0 || len(tc.Basis) != 0 {
			t.Errorf("%s charged %d with no usage", tc.ID, tc.TotalCents)
		}
	}
}

// deny makes every call of one operation fail as AWS does when IAM refuses it.
func deny(cfg aws.Config, operation, action string) aws.Config {
	cfg = cfg.Copy()
	cfg.APIOptions = append(cfg.APIOptions, func(st *middleware.Stack) error {
		return st.Initialize.Add(middleware.InitializeMiddlewareFunc("denyForTest", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			if middleware.GetOperationName(ctx) == operation {
				return middleware.InitializeOutput{}, middleware.Metadata{}, &smithy.GenericAPIError{
					Code:    "AccessDeniedException",
					Message: fmt.Sprintf("User: arn:aws:iam::123456789012:user/finance is not authorized to perform: %s", action),
				}
			}
			return next.HandleInitialize(ctx, in)
		}), middleware.Before)
	})
	return cfg
}

func TestBuildMissingPermissionNamesTheIAMAction(t *testing.T) {
	s := moto.Shared(t)
	ctx := context.Background()
	cfg := loadCfg(t)
	org := organizations.NewFromConfig(cfg)
	if _, err := org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}); err != nil {
		t.Fatal(err)
	}
	fleet := fleetOf(tenant("acme", spec.ModelAccount, "enterprise"), tenant("globex", spec.ModelApplication, "free"))
	cases := []struct{ op, action string }{
		{"GetCostAndUsage", "ce:GetCostAndUsage"},
		{"ListAccounts", "organizations:ListAccounts"},
		{"ListTagsForResource", "organizations:ListTagsForResource"},
		{"GetMetricData", "cloudwatch:GetMetricData"},
	}
	for _, c := range cases {
		s.Reset(t)
		if _, err := org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}); err != nil {
			t.Fatal(err)
		}
		injectCE(t, s,
			ceResult("10.00", nil, ""),
			ceResult("", []ceGroup{{"123456789012", "platform", "10.00"}}, ""),
			ceResult("", nil, ""),
		)
		_, err := Build(ctx, NewClients(deny(cfg, c.op, c.action), ""), fleet, Options{Month: october})
		var pe *PermissionError
		if !errors.As(err, &pe) || pe.Action != c.action {
			t.Errorf("%s denied: error %v, want a PermissionError for %s", c.op, err, c.action)
			continue
		}
		if !strings.Contains(err.Error(), "missing permission "+c.action) || !strings.Contains(err.Error(), "grant "+c.action) {
			t.Errorf("%s denied: message %q does not say what to grant", c.op, err)
		}
	}
}
