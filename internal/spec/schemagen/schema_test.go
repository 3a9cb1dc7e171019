package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/tenantctl/tenantctl/internal/spec"
)

// TestSchemaUpToDate fails when schema/*.json no longer matches the types.
func TestSchemaUpToDate(t *testing.T) {
	src, err := os.ReadFile("../types.go")
	if err != nil {
		t.Fatal(err)
	}
	docs, err := docComments(src)
	if err != nil {
		t.Fatal(err)
	}
	for kind, file := range schemaKinds {
		want, err := jsonSchema(kind, docs)
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join("../../../schema", file))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("schema/%s is stale: run go generate ./internal/spec and commit it", file)
		}
	}
}

// TestSchemaContents checks what editors rely on: descriptions from the doc
// comments, required fields, enums and strictness.
func TestSchemaContents(t *testing.T) {
	src, _ := os.ReadFile("../types.go")
	docs, err := docComments(src)
	if err != nil {
		t.Fatal(err)
	}
	data, err := jsonSchema("tenant", docs)
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		Title      string   `json:"title"`
		Required   []string `json:"required"`
		Additional bool     `json:"additionalProperties"`
		Properties map[string]struct {
			Description string   `json:"description"`
			Enum        []string `json:"enum"`
			Pattern     string   `json:"pattern"`
			Ref         string   `json:"$ref"`
		} `json:"properties"`
		Defs map[string]struct {
			Properties map[string]struct {
				Enum []any `json:"enum"`
			} `json:"properties"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	if want := []string{"id", "name", "tier", "costCenter", "owner"}; !slices.Equal(s.Required, want) {
		t.Errorf("required %v, want %v", s.Required, want)
	}
	if s.Additional {
		t.Error("unknown fields must be refused (additionalProperties: false)")
	}
	if d := s.Properties["owner"].Description; d != "Owner is the e-mail address of the person or team that answers for the tenant." {
		t.Errorf("owner description %q", d)
	}
	if e := s.Properties["model"].Enum; !slices.Equal(e, []string{"account", "vpc", "subnet", "container", "application"}) {
		t.Errorf("model enum %v", e)
	}
	if p := s.Properties["id"].Pattern; p != spec.SchemaRules()["Tenant.ID"]["pattern"] {
		t.Errorf("id pattern %q", p)
	}
	if r := s.Properties["service"].Ref; r != "#/$defs/ServiceSpec" {
		t.Errorf("service ref %q", r)
	}
	if cpu := s.Defs["ServiceSpec"].Properties["cpu"].Enum; len(cpu) != 7 || cpu[0] != float64(256) {
		t.Errorf("cpu enum %v", cpu)
	}
}
