package tenantfile

import (
	"os"
	"path/filepath"
	"testing"
)

func edit(t *testing.T, content string, do func(path string) (bool, error)) (string, bool) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "acme.yaml")
	if err := os.WriteFile(path, []byte(content), 0o640); err != nil {
		t.Fatal(err)
	}
	changed, err := do(path)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want the file's 0640", info.Mode().Perm())
	}
	return string(data), changed
}

const acme = `# yaml-language-server: $schema=../schema/tenant.schema.json
id: acme   # the customer's id

name: Acme
tier: standard
model: container
status: onboarding # until onboard finishes
service: {listenerPriority: 70}
`

func TestSetStatusReplacesOnlyTheValue(t *testing.T) {
	got, changed := edit(t, acme, func(p string) (bool, error) { return SetStatus(p, "active") })
	want := `# yaml-language-server: $schema=../schema/tenant.schema.json
id: acme   # the customer's id

name: Acme
tier: standard
model: container
status: active # until onboard finishes
service: {listenerPriority: 70}
`
	if !changed || got != want {
		t.Fatalf("changed %v:\n%s\nwant\n%s", changed, got, want)
	}
	if _, changed := edit(t, want, func(p string) (bool, error) { return SetStatus(p, "active") }); changed {
		t.Error("setting the status it has changed the file")
	}
	quoted, _ := edit(t, "id: acme\ntier: free\nstatus: \"active\"   # quoted\n", func(p string) (bool, error) { return SetStatus(p, "suspended") })
	if quoted != "id: acme\ntier: free\nstatus: suspended   # quoted\n" {
		t.Errorf("quoted value:\n%s", quoted)
	}
}

func TestSetStatusAddsALineAfterModelOrTier(t *testing.T) {
	got, _ := edit(t, "id: acme\n\ntier: free # the tier\nmodel: application\nlabels:\n  a: b\n", func(p string) (bool, error) { return SetStatus(p, "suspended") })
	if got != "id: acme\n\ntier: free # the tier\nmodel: application\nstatus: suspended\nlabels:\n  a: b\n" {
		t.Errorf("after model:\n%s", got)
	}
	got, _ = edit(t, "id: acme\ntier: free", func(p string) (bool, error) { return SetStatus(p, "active") })
	if got != "id: acme\ntier: free\nstatus: active\n" {
		t.Errorf("after tier, no final newline:\n%q", got)
	}
}

func TestRemoveMigration(t *testing.T) {
	flow := "id: acme\nmodel: container\nmigration: {from: application, to: container}\n# keep me\nservice: {listenerPriority: 70}\n"
	got, changed := edit(t, flow, RemoveMigration)
	if !changed || got != "id: acme\nmodel: container\n# keep me\nservice: {listenerPriority: 70}\n" {
		t.Errorf("flow marker:\n%s", got)
	}
	block := "id: acme\nmodel: container\nmigration:\n  from: application # was pooled\n  to: container\n\nservice: {listenerPriority: 70}\n"
	got, _ = edit(t, block, RemoveMigration)
	if got != "id: acme\nmodel: container\n\nservice: {listenerPriority: 70}\n" {
		t.Errorf("block marker:\n%s", got)
	}
	if _, changed := edit(t, "id: acme\n", RemoveMigration); changed {
		t.Error("a file without a marker changed")
	}
}

func TestRefusesWhatItCannotEditSafely(t *testing.T) {
	path := filepath.Join(t.TempDir(), "acme.yaml")
	os.WriteFile(path, []byte("{id: acme, tier: free}\n"), 0o644)
	if _, err := SetStatus(path, "active"); err == nil {
		t.Error("a flow mapping was edited")
	}
}
