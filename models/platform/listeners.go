package platform

import "github.com/tenantctl/tenantctl/internal/spec"

// ListenerIndex is the listener a listener-rule priority lives on: priorities
// 1..perListener on the first, the next perListener on the second, and so on.
// It depends on the priority alone, so a tenant's listener never changes when
// other tenants come or go.
func ListenerIndex(priority, perListener int) int {
	if perListener < 1 {
		perListener = spec.DefaultRulesPerListener
	}
	return (priority - 1) / perListener
}

// ListenerCount is the number of load balancers (one HTTP listener each) the
// platform runs: enough for the highest priority in the fleet, at least one.
func ListenerCount(f *spec.Fleet) int {
	n := 1
	for _, t := range f.Tenants {
		if t.Model != spec.ModelContainer || t.Service == nil || t.Service.ListenerPriority < 1 {
			continue
		}
		if i := ListenerIndex(t.Service.ListenerPriority, f.Settings.LoadBalancer.RulesPerListener) + 1; i > n {
			n = i
		}
	}
	return n
}
