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
	f := &spec.Fleet{Settings: spec.Settings{LoadBalancer: spec.LoadBalancer{RulesPerListener: 100}}}
	if got := ListenerCount(f); got != 1 {
		t.Errorf("no container tenants: %d listeners, want 1", got)
	}
	add := func(m spec.IsolationModel, priority int) {
		f.Tenants = append(f.Tenants, &spec.Tenant{Model: m, Service: &spec.ServiceSpec{ListenerPriority: priority}})
	}
	add(spec.ModelContainer, 30)
	add(spec.ModelSubnet, 900) // not on the load balancer
	if got := ListenerCount(f); got != 1 {
		t.Errorf("%d listeners, want 1", got)
	}
	add(spec.ModelContainer, 201)
	if got := ListenerCount(f); got != 3 {
		t.Errorf("priority 201: %d listeners, want 3", got)
	}
}
