package naming

import (
	"strings"
	"testing"
)

func TestFit(t *testing.T) {
	if got := Fit("saas-soylent-tg", MaxTargetGroup); got != "saas-soylent-tg" {
		t.Errorf("short name changed: %q", got)
	}
	a := Fit("saas-a-very-long-tenant-identifier-number-one-tg", MaxTargetGroup)
	b := Fit("saas-a-very-long-tenant-identifier-number-two-tg", MaxTargetGroup)
	if len(a) != MaxTargetGroup || len(b) != MaxTargetGroup {
		t.Errorf("lengths %d %d, want %d", len(a), len(b), MaxTargetGroup)
	}
	if a == b {
		t.Errorf("two long names collide: %q", a)
	}
	if !strings.HasPrefix(a, "saas-a-very-long-tenant-") || strings.Contains(a, "--") {
		t.Errorf("fitted name %q", a)
	}
	if Fit("saas-a-very-long-tenant-identifier-number-one-tg", MaxTargetGroup) != a {
		t.Error("Fit is not stable")
	}
	// A 40-character tenant id (the longest allowed) still fits.
	id := strings.Repeat("x", 40)
	if got := Name("saas", id, "tg", MaxTargetGroup); len(got) > MaxTargetGroup {
		t.Errorf("%q is %d characters", got, len(got))
	}
}

func TestLogGroupAndLogical(t *testing.T) {
	if got := LogGroup("saas", "hooli", "service"); got != "/saas/hooli/service" {
		t.Errorf("LogGroup %q", got)
	}
	if got := Logical("hooli", "nacl", "in", "100"); got != "hooli-nacl-in-100" {
		t.Errorf("Logical %q", got)
	}
	if got := Join("saas", "", "x"); got != "saas-x" {
		t.Errorf("Join %q", got)
	}
}
