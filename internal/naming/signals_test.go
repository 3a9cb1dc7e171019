package naming

import (
	"regexp"
	"strings"
	"testing"
)

// TestSignalAlarmNamesStayTheTenants: every alarm the models name through
// AlarmName and a signal starts with the tenant's AlarmPrefix, is never
// shortened (the longest prefix and id fit), and is claimed by its own tenant
// and not by one whose id is a prefix of it.
func TestSignalAlarmNamesStayTheTenants(t *testing.T) {
	prefix, id := strings.Repeat("p", 12), strings.Repeat("x", 40)
	signals := append(Signals(), QuotaSignal("fargate-vcpu"))
	seen := map[string]bool{}
	valid := regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`)
	for _, s := range signals {
		if !valid.MatchString(s) || seen[s] {
			t.Errorf("signal %q: want a unique lowercase label", s)
		}
		seen[s] = true
		name := AlarmName(prefix, id, s)
		if name != prefix+"-"+id+"-"+s {
			t.Errorf("AlarmName(%q) = %q, want <prefix>-<id>-<signal> unshortened", s, name)
		}
		if !strings.HasPrefix(name, AlarmPrefix(prefix, id)) {
			t.Errorf("%q does not start with %q", name, AlarmPrefix(prefix, id))
		}
		if got := AlarmOwner("saas", []string{"acme", "acme-corp"}, AlarmName("saas", "acme-corp", s)); got != "acme-corp" {
			t.Errorf("alarm %s of acme-corp claimed by %q", s, got)
		}
	}
}
