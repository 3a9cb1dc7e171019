package stackconfig_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/internal/stackconfig"
)

func TestReadFile(t *testing.T) {
	cfg, err := stackconfig.ReadFile("../../stacks", "globex")
	if err != nil {
		t.Fatal(err)
	}
	plain, secrets := stackconfig.Plain(cfg)
	if plain["tenantctl:accountId"] != "345678901234" || plain["tenantctl:externalId"] != stackconfig.SecretPlaceholder {
		t.Errorf("config %v", plain)
	}
	if fmt.Sprint(secrets) != "[tenantctl:externalId]" {
		t.Errorf("secrets %v", secrets)
	}
	cfg, err = stackconfig.ReadFile(t.TempDir(), "nobody")
	if err != nil || len(cfg) != 0 {
		t.Errorf("missing file: %v %v", cfg, err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Pulumi.bad.yaml"), []byte("config:\n  tenantctl:x: {a: 1}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := stackconfig.ReadFile(dir, "bad"); err == nil || !strings.Contains(err.Error(), "Pulumi.bad.yaml: config tenantctl:x: structured values are not supported") {
		t.Errorf("error %v", err)
	}
}

func TestWithExtraWinsOverTheStackFile(t *testing.T) {
	src := stackconfig.WithExtra(stackconfig.Dir("../../stacks"), map[string]string{"tenantctl:accountId": "111111111111", "tenantctl:endpointUrl": "http://127.0.0.1:5000"})
	cfg, err := src("globex")
	if err != nil {
		t.Fatal(err)
	}
	if cfg["tenantctl:accountId"].Value != "111111111111" || cfg["tenantctl:endpointUrl"].Value != "http://127.0.0.1:5000" || !cfg["tenantctl:externalId"].Secret {
		t.Errorf("config %v", cfg)
	}
	if cfg, err := stackconfig.WithExtra(nil, map[string]string{"k": "v"})("x"); err != nil || cfg["k"].Value != "v" {
		t.Errorf("nil source: %v %v", cfg, err)
	}
}

func TestFromSpec(t *testing.T) {
	f := &spec.Fleet{Dir: "tenants", Settings: spec.Settings{PlatformRegion: "us-east-1", Environment: "prod", NamePrefix: "saas"}}
	f.Tenants = []*spec.Tenant{
		{ID: "tenant-0000", Tier: "enterprise", Model: spec.ModelAccount},
		{ID: "tenant-0001", Tier: "premium", Model: spec.ModelSubnet, Region: "eu-west-1"},
	}
	progs := stackconfig.ModelPrograms(f, nil)
	got := func(stack string) string {
		cfg, err := progs.Config(stack)
		if err != nil {
			return err.Error()
		}
		return fmt.Sprint(cfg["aws:region"].Value, " ", cfg["tenantctl:tenant"].Value, " ", cfg["tenantctl:tier"].Value, " ", cfg["tenantctl:model"].Value, " ", cfg["tenantctl:environment"].Value)
	}
	for stack, want := range map[string]string{
		"tenant-0000": "us-east-1 tenant-0000 enterprise account prod",
		"tenant-0001": "eu-west-1 tenant-0001 premium subnet prod",
		"platform":    "us-east-1    prod",
		"ghost":       "stack ghost: no tenant with that id in tenants",
	} {
		if g := got(stack); g != want {
			t.Errorf("%s: %q, want %q", stack, g, want)
		}
	}
}
