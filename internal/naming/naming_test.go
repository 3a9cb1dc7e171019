package naming

import (
	"slices"
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

func TestIsAccountID(t *testing.T) {
	for id, want := range map[string]bool{
		"123456789012": true, "12345678901": false, "1234567890123": false,
		"12345678901a": false, "": false, " 123456789012": false, "123456789012\n": false,
	} {
		if got := IsAccountID(id); got != want {
			t.Errorf("IsAccountID(%q) = %v, want %v", id, got, want)
		}
	}
}

func TestReservedTenantIDs(t *testing.T) {
	got := ReservedTenantIDs()
	if want := []string{BaselineSessionOwner, PlatformStack, Project}; !slices.Equal(got, want) {
		t.Errorf("ReservedTenantIDs() = %q, want %q (sorted)", got, want)
	}
	got[0] = "mutated" // callers get a copy
	for _, id := range []string{PlatformStack, Project, BaselineSessionOwner} {
		if !IsReservedTenantID(id) {
			t.Errorf("%q is not reserved", id)
		}
	}
	if IsReservedTenantID("acme") || IsReservedTenantID("mutated") {
		t.Error("an ordinary id is reserved")
	}
}

func TestSessionName(t *testing.T) {
	if got := SessionName(BaselineSessionOwner); got != "tenantctl-baseline" {
		t.Errorf("SessionName(baseline) = %q", got)
	}
	long := SessionName(strings.Repeat("x", 80))
	if len(long) != MaxSessionName || !strings.HasPrefix(long, "tenantctl-") {
		t.Errorf("SessionName of a long owner = %q (%d characters)", long, len(long))
	}
}

// A tenant's load balancer name fits wherever its target group name does:
// validation checks only the latter.
func TestLoadBalancerNameFitsLikeTheTargetGroups(t *testing.T) {
	if len(LoadBalancerSuffix) != len(TargetGroupSuffix) || MaxLoadBalancer != MaxTargetGroup {
		t.Errorf("suffixes %q and %q, limits %d and %d: validation's target group check no longer covers the load balancer",
			LoadBalancerSuffix, TargetGroupSuffix, MaxLoadBalancer, MaxTargetGroup)
	}
}

func TestAlarmNamesBelongToTheLongestOwner(t *testing.T) {
	if got := AlarmName("saas", "acme", "5xx"); got != "saas-acme-5xx" {
		t.Errorf("AlarmName = %q", got)
	}
	if got := AlarmPrefix("saas", "acme"); got != "saas-acme-" {
		t.Errorf("AlarmPrefix = %q", got)
	}
	owners := []string{"acme", "acme-corp", PlatformStack}
	for name, want := range map[string]string{
		"saas-acme-5xx":                       "acme",
		"saas-acme-corp-5xx":                  "acme-corp",
		"saas-platform-latency":               PlatformStack,
		"saas-initech-5xx":                    "",
		"other-acme-5xx":                      "",
		AlarmName("saas", "acme-corp", "p99"): "acme-corp",
	} {
		if got := AlarmOwner("saas", owners, name); got != want {
			t.Errorf("AlarmOwner(%q) = %q, want %q", name, got, want)
		}
	}
	if long := AlarmName("saas", "acme", strings.Repeat("x", 300)); len(long) != MaxAlarmName {
		t.Errorf("a long alarm name is %d characters", len(long))
	}
}

func TestAuthDomainPrefix(t *testing.T) {
	for _, c := range []struct{ prefix, domain, want string }{
		{"saas", "app.example.com", "saas-platform-app-example-com"},
		{"Saas", "a--b..c.", "saas-platform-a-b-c"},
		{"p", strings.Repeat("x", 70) + ".com", "p-platform-" + strings.Repeat("x", 52)},
		{"p", strings.Repeat("x", 51) + ".com", "p-platform-" + strings.Repeat("x", 51)},
	} {
		got := AuthDomainPrefix(c.prefix, c.domain)
		if got != c.want || len(got) > MaxAuthDomainPrefix {
			t.Errorf("AuthDomainPrefix(%q, %q) = %q, want %q", c.prefix, c.domain, got, c.want)
		}
	}
}
