package render_test

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/tenantctl/tenantctl/internal/render"
	"github.com/tenantctl/tenantctl/internal/stackconfig"
	"github.com/tenantctl/tenantctl/internal/testutil/samplefleet"
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
		if r.Type == "pulumi:providers:aws" {
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
