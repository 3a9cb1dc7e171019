package spec

import "testing"

// TestSchemaRulesUseValidationPatterns ties the schema's tenant id pattern to
// the one validation enforces (the generated schema takes it from SchemaRules).
func TestSchemaRulesUseValidationPatterns(t *testing.T) {
	if p := SchemaRules()["Tenant.ID"]["pattern"]; p != dnsLabelRe.String() {
		t.Errorf("Tenant.ID pattern %q, want validation's %q", p, dnsLabelRe.String())
	}
}
