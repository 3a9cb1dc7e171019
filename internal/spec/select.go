package spec

import (
	"fmt"
	"strings"
)

// Selector picks tenants by tier, model, status and labels, as `tenantctl list`
// and rollouts do (`--tier --model --status --label k=v`). Within one kind the
// values are alternatives; kinds and labels must all match. An empty selector
// matches every tenant.
type Selector struct {
	Tiers    []string
	Models   []IsolationModel
	Statuses []Status
	Labels   map[string]string
}

// ParseLabel parses one `k=v` label selector: the one grammar of `list
// --label` and the rollouts' `--label`. ok is false without "=" or with an
// empty key.
func ParseLabel(pair string) (k, v string, ok bool) {
	k, v, ok = strings.Cut(pair, "=")
	return k, v, ok && k != ""
}

// ParseLabels parses `k=v` label selectors.
func ParseLabels(pairs []string) (map[string]string, error) {
	if len(pairs) == 0 {
		return nil, nil
	}
	m := make(map[string]string, len(pairs))
	for _, p := range pairs {
		k, v, ok := ParseLabel(p)
		if !ok {
			return nil, fmt.Errorf("label selector %q must be key=value, e.g. --label region-group=us", p)
		}
		m[k] = v
	}
	return m, nil
}

// Check reports selector values that cannot match anything in the fleet:
// unknown tiers, models or statuses (a typo must not select nothing silently).
func (s Selector) Check(settings *Settings) error {
	for _, t := range s.Tiers {
		if settings.Tiers[t] == nil {
			return fmt.Errorf("unknown tier %q; fleet.yaml defines %s", t, strings.Join(sortedKeys(settings.Tiers), ", "))
		}
	}
	for _, m := range s.Models {
		if !m.Valid() {
			return fmt.Errorf("unknown model %q; use one of %s", m, modelList())
		}
	}
	for _, st := range s.Statuses {
		if !st.Valid() {
			return fmt.Errorf("unknown status %q; use onboarding, active or suspended", st)
		}
	}
	return nil
}

// Matches reports whether the tenant is selected.
func (s Selector) Matches(t *Tenant) bool {
	if len(s.Tiers) > 0 && !contain(s.Tiers, t.Tier) {
		return false
	}
	if len(s.Models) > 0 && !contain(s.Models, t.Model) {
		return false
	}
	if len(s.Statuses) > 0 && !contain(s.Statuses, t.Status) {
		return false
	}
	for k, v := range s.Labels {
		if got, ok := t.Labels[k]; !ok || got != v {
			return false
		}
	}
	return true
}

// Select returns the selected tenants, in the order given.
func (s Selector) Select(ts []*Tenant) []*Tenant {
	var out []*Tenant
	for _, t := range ts {
		if s.Matches(t) {
			out = append(out, t)
		}
	}
	return out
}

func contain[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
