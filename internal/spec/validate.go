package spec

import "fmt"

// Validate checks every tenant file and the fleet as a whole and returns an
// ErrorList of every problem, sorted by file and position, or nil.
func Validate(f *Fleet) error {
	var e errs
	validateSettings(&f.Settings, &e)
	for _, t := range f.Tenants {
		validateTenant(f, t, &e)
	}
	return e.err()
}

func validateSettings(s *Settings, e *errs) {
	src := &s.Source
	if len(s.Tiers) == 0 {
		e.at(src, "tiers", "at least one tier is required")
	}
}

func validateTenant(f *Fleet, t *Tenant, e *errs) {
	src := &t.Source
	required := map[string]string{"id": t.ID, "name": t.Name, "tier": t.Tier, "costCenter": t.CostCenter, "owner": t.Owner}
	for _, k := range sortedKeys(required) {
		if required[k] == "" {
			e.at(src, k, "required field %q is missing", k)
		}
	}
	if t.Tier != "" && f.Settings.Tiers[t.Tier] == nil {
		e.at(src, "tier", "%s", fmt.Sprintf("unknown tier %q; fleet.yaml defines %v", t.Tier, sortedKeys(f.Settings.Tiers)))
	}
}
