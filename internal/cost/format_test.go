package cost

import (
	"bytes"
	"strings"
	"testing"
)

// Tag values reach the table through unallocated details and warnings (a
// TenantId tag naming no tenant, say); their control characters are escaped,
// so they can neither break the columns nor drive the terminal.
func TestTableEscapesControlCharacters(t *testing.T) {
	r := &Report{
		Month: "2026-11", Metric: "UnblendedCost", Currency: "USD",
		Tenants:     []TenantCost{{ID: "acme", Tier: "gold", Basis: []string{"tag\x1b[2J"}}},
		Unallocated: []Remainder{{Reason: "unknown\ttenant", Cents: 100, Detail: "TenantId=\x1b]0;pwned\x07"}},
		Warnings:    []string{"tag value \r\x1b[31mred"},
	}
	var b bytes.Buffer
	if err := Write(&b, r, "table", true); err != nil {
		t.Fatal(err)
	}
	got := b.String()
	if strings.ContainsAny(got, "\x1b\x07\r") || strings.Contains(got, "unknown\ttenant") {
		t.Fatalf("raw control characters in the table:\n%q", got)
	}
	for _, want := range []string{`tag\x1b[2J`, `unknown\ttenant`, `TenantId=\x1b]0;pwned\a`, `tag value \r\x1b[31mred`} {
		if !strings.Contains(got, want) {
			t.Errorf("table lacks %q:\n%s", want, got)
		}
	}
}
