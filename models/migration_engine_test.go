package models_test

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	pauto "github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/tenantctl/tenantctl/internal/rollout/auto"
	"github.com/tenantctl/tenantctl/internal/rollout/plan"
	"github.com/tenantctl/tenantctl/internal/rollout/runner"
	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/internal/testutil/samplefleet"
	"github.com/tenantctl/tenantctl/models"
)

// modelSwitch is a stack whose program is a model's component with children
// named as the models name theirs; model says which, children which ones.
type modelSwitch struct {
	model    spec.IsolationModel
	children []string
}

type box struct{ pulumi.ResourceState }

var componentOf = map[spec.IsolationModel]string{
	spec.ModelContainer: "tenantctl:models:ContainerTenant", spec.ModelApplication: "tenantctl:models:ApplicationTenant",
}

func (m *modelSwitch) Program(stack string) (pulumi.RunFunc, error) {
	model, children := m.model, m.children
	return func(ctx *pulumi.Context) error {
		var c box
		if err := ctx.RegisterComponentResource(componentOf[model], stack, &c, pulumi.Aliases(models.ModelAliases(model))); err != nil {
			return err
		}
		for _, name := range children {
			var child box
			if err := ctx.RegisterComponentResource("tenantctl:test:Resource", stack+"-"+name, &child, pulumi.Parent(&c)); err != nil {
				return err
			}
		}
		return nil
	}, nil
}

func (m *modelSwitch) Config(string) (map[string]pauto.ConfigValue, error) { return nil, nil }

// TestModelChangeKeepsSharedChildrenOnTheRealEngine: a stack that moves from
// the container to the application model keeps the children both models
// have (here its data table and registry item) — the engine sees them as the
// same resources through the model aliases — deletes only what the old
// model alone had and creates what the new one adds.
func TestModelChangeKeepsSharedChildrenOnTheRealEngine(t *testing.T) {
	bin, err := exec.LookPath("pulumi")
	if err != nil {
		t.Fatal("the Pulumi CLI is missing: run `make pulumi` or `make test`, which puts bin/ on PATH")
	}
	progs := &modelSwitch{model: spec.ModelContainer, children: []string{"data", "registry", "service"}}
	d, err := auto.New(context.Background(), progs, auto.Options{
		Project: "tenantctl", WorkRoot: filepath.Join(t.TempDir(), "ws"), Backend: "file://" + filepath.Join(t.TempDir(), "state"),
		Env: map[string]string{"PULUMI_CONFIG_PASSPHRASE": "test"}, PulumiBin: bin, PulumiHome: t.TempDir(),
	})
	if err != nil {
		t.Fatal(err)
	}
	up := func() string {
		t.Helper()
		var log strings.Builder
		ch, err := d.Run(context.Background(), plan.OpUp, "vandelay", runner.Stream{Log: &log})
		if err != nil {
			t.Fatalf("up: %v\n%s", err, log.String())
		}
		return fmt.Sprintf("+%d ~%d -%d ±%d", ch.Create, ch.Update, ch.Delete, ch.Replace)
	}
	if got := up(); got != "+5 ~0 -0 ±0" { // the stack, the component, its three children
		t.Fatalf("first up: %s", got)
	}
	progs.model, progs.children = spec.ModelApplication, []string{"data", "registry", "role"}
	if got := up(); got != "+1 ~0 -1 ±0" {
		t.Fatalf("the model change: %s; want the role created, the service deleted, the rest kept", got)
	}
}

// TestMigratingPooledTenantKeepsItsTable: while a migration marker is
// present a tenant moving to pooled data keeps a table of its own.
func TestMigratingPooledTenantKeepsItsTable(t *testing.T) {
	f := samplefleet.Load(t)
	v := f.Tenant("vandelay")
	if v.Data.Mode != spec.DataPooled {
		t.Fatalf("vandelay's data is %s", v.Data.Mode)
	}
	if n := len(ofType(mustRun(t, f, "vandelay"), tTable)); n != 0 {
		t.Fatalf("%d tables without a migration", n)
	}
	v.Migration = &spec.MigrationSpec{From: spec.ModelContainer, To: spec.ModelApplication}
	tables := ofType(mustRun(t, f, "vandelay"), tTable)
	if len(tables) != 1 || tables[0].Name != "vandelay-data" || tables[0].Inputs["name"] != "saas-vandelay-data" {
		t.Fatalf("tables during the migration: %+v", tables)
	}
}
