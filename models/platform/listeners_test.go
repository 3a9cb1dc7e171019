package platform

import (
	"testing"

	"github.com/tenantctl/tenantctl/internal/spec"
)

func TestListenerIndex(t *testing.T) {
	for _, c := range []struct{ priority, per, want int }{
		{1, 100, 0}, {100, 100, 0}, {101, 100, 1}, {250, 100, 2}, {5, 0, 0}, {10, 5, 1},
	} {
		if got := ListenerIndex(c.priority, c.per); got != c.want {
			t.Errorf("ListenerIndex(%d, %d) = %d, want %d", c.priority, c.per, got, c.want)
		}
	}
}

func TestListenerCount(t *testing.T) {
	f := &spec.Fleet{Settings: spec.Settings{
		LoadBalancer: spec.LoadBalancer{RulesPerListener: 100},
		Tiers:        map[string]*spec.Tier{"shared": {}, "dedicated": {Ingress: spec.IngressDedicated}},
	}}
	if got := ListenerCount(f); got != 1 {
		t.Errorf("no container tenants: %d listeners, want 1", got)
	}
	add := func(m spec.IsolationModel, tier string, priority int) {
		f.Tenants = append(f.Tenants, &spec.Tenant{Model: m, Tier: tier, Service: &spec.ServiceSpec{ListenerPriority: priority}})
	}
	add(spec.ModelContainer, "shared", 30)
	add(spec.ModelSubnet, "dedicated", 900) // a load balancer of its own
	add(spec.ModelVPC, "shared", 900)       // likewise
	if got := ListenerCount(f); got != 1 {
		t.Errorf("%d listeners, want 1", got)
	}
	add(spec.ModelContainer, "shared", 201)
	if got := ListenerCount(f); got != 3 {
		t.Errorf("priority 201: %d listeners, want 3", got)
	}
	// Subnet tenants of a tier that says nothing share the load balancer.
	add(spec.ModelSubnet, "shared", 301)
	if got := ListenerCount(f); got != 4 {
		t.Errorf("subnet tenant at priority 301: %d listeners, want 4", got)
	}
}
