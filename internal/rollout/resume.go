package rollout

import (
	"fmt"

	"github.com/tenantctl/tenantctl/internal/rollout/journal"
	"github.com/tenantctl/tenantctl/internal/rollout/plan"
	"github.com/tenantctl/tenantctl/internal/spec"
)

// CheckResume decides whether the state a journal holds (st, read from
// journalPath) may be resumed as rollout id of the fleet in fleetDir on
// backend. A journal is input like any file: it must be the rollout asked
// for, a plan the flags could have made, of this fleet and backend (the lock
// is then taken on the journal's fleet and backend), and every tenant it has
// still to run must still be in the fleet, which load reads only once the
// journal has passed the rest.
func CheckResume(st *journal.State, id, journalPath, fleetDir, backend string, load func() (*spec.Fleet, error)) (*spec.Fleet, error) {
	return check(st, id, journalPath, load, func() error { return st.Plan.BelongsTo(fleetDir, backend) })
}

// CheckJoin is CheckResume for a runner joining a rollout kept on its
// backend (package shared): every runner checks the fleet out at a path of
// its own, so only the backend must be the plan's.
func CheckJoin(st *journal.State, id, where, fleetDir, backend string, load func() (*spec.Fleet, error)) (*spec.Fleet, error) {
	return check(st, id, where, load, func() error {
		a, err := plan.BackendKey(st.Plan.Backend)
		if err != nil {
			return err
		}
		if b, err := plan.BackendKey(backend); err != nil || a != b {
			return fmt.Errorf("rollout %s ran against backend %s, this one is %s; pass --backend %s", id, st.Plan.Backend, backend, st.Plan.Backend)
		}
		return nil
	})
}

func check(st *journal.State, id, journalPath string, load func() (*spec.Fleet, error), belongs func() error) (*spec.Fleet, error) {
	if st.Plan.ID != id {
		return nil, fmt.Errorf("%s: the journal's plan is of rollout %q, not %s; it cannot be resumed as %s", journalPath, st.Plan.ID, id, id)
	}
	if err := st.Plan.Check(); err != nil {
		return nil, fmt.Errorf("%s: the journal's plan is invalid, so it cannot be resumed: %w", journalPath, err)
	}
	if err := belongs(); err != nil {
		return nil, fmt.Errorf("%s: %w", journalPath, err)
	}
	f, err := load()
	if err != nil {
		return nil, err
	}
	succeeded, byID := st.Succeeded(), spec.ByID(f.Tenants)
	for s := range st.Rows {
		if s != plan.PlatformStack && byID(s) == nil && !succeeded[s] {
			return nil, fmt.Errorf("rollout %s planned tenant %s, which is no longer in %s; it cannot be resumed", id, s, f.Dir)
		}
	}
	return f, nil
}
