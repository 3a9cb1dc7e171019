package render_test

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/tenantctl/tenantctl/internal/naming"
	"github.com/tenantctl/tenantctl/internal/render"
	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/internal/stackconfig"
	"github.com/tenantctl/tenantctl/internal/testutil/samplefleet"
	"github.com/tenantctl/tenantctl/models"
)

func TestPlain(t *testing.T) {
	cases := []struct {
		in   resource.PropertyValue
		want string
	}{
		{resource.MakeComputed(resource.NewProperty("")), render.Computed},
		{resource.MakeSecret(resource.NewProperty("x")), render.Secret},
		{resource.NewProperty(resource.Output{Known: false}), render.Computed},
		{resource.NewProperty(resource.Output{Known: true, Secret: true, Element: resource.NewProperty("x")}), render.Secret},
		{resource.NewProperty(3.0), "3"},
		{resource.NewProperty(2.5), "2.5"},
		{resource.NewProperty([]resource.PropertyValue{resource.NewProperty("a"), resource.MakeComputed(resource.NewProperty(""))}), "[a <computed>]"},
	}
	for _, c := range cases {
		if got := fmt.Sprint(render.Plain(c.in)); got != c.want {
			t.Errorf("Plain(%v) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestPreviewShowsComputedAndSecrets(t *testing.T) {
	f := samplefleet.Load(t)
	g, err := render.Stack(f, "acme-corp", stackconfig.Dir("../../stacks"))
	if err != nil {
		t.Fatal(err)
	}
	var sawComputed bool
	for _, r := range g.Resources {
		if r.Type == "pulumi:providers:aws" && r.Name == "acme-corp" {
			role := r.Inputs["assumeRole"].(map[string]any)
			if role["externalId"] != render.Secret {
				t.Errorf("external id shown as %v", role["externalId"])
			}
		}
		if r.Type == "aws:ec2/subnet:Subnet" && r.Inputs["vpcId"] == render.Computed {
			sawComputed = true
		}
	}
	if !sawComputed {
		t.Error("subnets' vpcId is not <computed>")
	}
}

func TestStacksJoinsEveryFailure(t *testing.T) {
	f := samplefleet.Load(t)
	graphs, err := render.Stacks(f, []string{"hooli", "nobody", "acme-corp", "ghost"}, nil)
	if graphs != nil || err == nil {
		t.Fatalf("graphs %v, err %v", graphs, err)
	}
	for _, want := range []string{`stack "nobody"`, `stack "ghost"`, "acme-corp", "needs an external id"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
}

func TestWriteUnknownFormat(t *testing.T) {
	var b bytes.Buffer
	if err := render.Write(&b, "xml", nil); err == nil || !strings.Contains(err.Error(), `unknown format "xml"`) {
		t.Errorf("error %v", err)
	}
}

// TestTableShowsNestedInputs: the table prints nested inputs as dotted paths
// (an index only where a list holds several objects), leaves out one that
// spreads into too many values, and a provider's default tags (the header
// prints them).
func TestTableShowsNestedInputs(t *testing.T) {
	wide := map[string]any{}
	for i := range 13 {
		wide[fmt.Sprintf("k%02d", i)] = "v"
	}
	g := &render.Graph{Stack: "s", Resources: []*render.Resource{
		{Type: "aws:lb/listener:Listener", Name: "l", Inputs: map[string]any{
			"port":           int64(80),
			"defaultActions": []any{map[string]any{"type": "redirect", "redirect": map[string]any{"port": "443", "statusCode": "HTTP_301"}}},
			"ingress":        []any{map[string]any{"fromPort": int64(443)}, map[string]any{"fromPort": int64(80)}},
			"wide":           wide,
		}},
		{Type: "pulumi:providers:aws", Name: "p", Inputs: map[string]any{
			"region": "us-east-1", "defaultTags": map[string]any{"tags": map[string]any{"TenantId": "x"}},
		}},
	}}
	var b bytes.Buffer
	if err := render.Write(&b, "table", []*render.Graph{g}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"defaultActions.redirect.port=443 defaultActions.redirect.statusCode=HTTP_301 defaultActions.type=redirect",
		"ingress[0].fromPort=443 ingress[1].fromPort=80 port=80",
		"region=us-east-1",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	for _, unwanted := range []string{"wide.", "defaultTags."} {
		if strings.Contains(out, unwanted) {
			t.Errorf("table shows %s:\n%s", unwanted, out)
		}
	}
}

// TestEveryStackHasAConfigFile: stacks/ holds one Pulumi.<stack>.yaml per
// stack of the sample fleet, and nothing else.
func TestEveryStackHasAConfigFile(t *testing.T) {
	f := samplefleet.Load(t)
	want := map[string]bool{}
	for _, s := range render.AllStacks(f) {
		want["Pulumi."+s+".yaml"] = true
	}
	files, err := filepath.Glob("../../stacks/*")
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range files {
		name := filepath.Base(path)
		if !want[name] {
			t.Errorf("stacks/%s belongs to no stack of the fleet", name)
		}
		delete(want, name)
	}
	for name := range want {
		t.Errorf("stacks/%s is missing", name)
	}
}

// Every tenant's render shows where it answers, the url output its stack
// exports: <id>.<domain>, its domainName, or the pooled API's name.
func TestRenderShowsEachTenantsURL(t *testing.T) {
	f := samplefleet.Load(t)
	graphs, err := render.Stacks(f, []string{"platform", "hooli", "stark-industries", "vandelay", "acme-corp"}, stackconfig.Dir("../../stacks"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"", "https://hooli.app.example.com/", "https://stark.app.example.com/", "https://api.app.example.com/", "https://acme-corp.app.example.com/"}
	for i, g := range graphs {
		if g.URL != want[i] {
			t.Errorf("%s: url %q, want %q", g.Stack, g.URL, want[i])
		}
	}
	var b bytes.Buffer
	if err := render.Write(&b, "table", graphs[1:2]); err != nil || !strings.Contains(b.String(), "url: https://hooli.app.example.com/\n") {
		t.Errorf("table: %v\n%s", err, b.String())
	}
}

// What validate counts against the SaaS account's quotas (spec.UseOf) is
// what the models build there: IAM roles, usage plans, API keys and Cognito
// groups of the platform and every stack not in an account of its own, and
// what account-model stacks write into the platform's account through its
// provider (their groups in the platform's user pool).
func TestQuotaUseMatchesTheRenderedFleet(t *testing.T) {
	f := samplefleet.Load(t)
	graphs, err := render.Stacks(f, render.AllStacks(f), stackconfig.Dir("../../stacks"))
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, g := range graphs {
		tn := f.Tenant(g.Stack)
		for _, r := range g.Resources {
			if tn != nil && tn.Model == spec.ModelAccount && r.Provider != naming.Logical(tn.ID, models.PlatformProviderSuffix) {
				continue // in the tenant's own account
			}
			count[r.Type]++
		}
	}
	u := spec.UseOf(f)
	for typ, want := range map[string]int{
		"aws:iam/role:Role":                  u.IAMRoles(),
		"aws:apigateway/usagePlan:UsagePlan": u.UsagePlans(&f.Settings),
		"aws:apigateway/apiKey:ApiKey":       u.Pooled,
		"aws:cognito/userGroup:UserGroup":    u.CognitoGroups(),
	} {
		if count[typ] != want {
			t.Errorf("%s: the rendered fleet has %d, validate counts %d", typ, count[typ], want)
		}
	}
}
