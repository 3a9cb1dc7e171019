package accounts

import (
	"context"
	"errors"
	"fmt"
	"sort"
)

// PoolDepth is one tier's pool against its target.
type PoolDepth struct {
	Tier string `json:"tier"`
	// Target is tiers.<tier>.accountPool.target.
	Target int `json:"target"`
	// Ready counts BASELINED accounts nobody has claimed: what assign can take.
	Ready int `json:"ready"`
	// Baselining counts accounts still being (or left half) baselined.
	Baselining int `json:"baselining"`
	// Missing is how many top-up would vend: Target - Ready - Baselining, at least 0.
	Missing int `json:"missing"`
}

// Pools returns the depth of every tier's pool: tiers with a target, and any
// tier that has pool accounts, by tier name.
func (m *Manager) Pools(ctx context.Context) ([]PoolDepth, *Inventory, error) {
	inv, err := m.Inventory(ctx)
	if err != nil {
		return nil, nil, err
	}
	return pools(m, inv), inv, nil
}

func pools(m *Manager, inv *Inventory) []PoolDepth {
	by := map[string]*PoolDepth{}
	get := func(tier string) *PoolDepth {
		if by[tier] == nil {
			by[tier] = &PoolDepth{Tier: tier}
			if t := m.settings.Tiers[tier]; t != nil {
				by[tier].Target = t.AccountPool.Target
			}
		}
		return by[tier]
	}
	for name, t := range m.settings.Tiers {
		if t.AccountPool.Target > 0 {
			get(name)
		}
	}
	for _, a := range inv.Accounts {
		switch {
		case a.Tier == "":
		case available(a):
			get(a.Tier).Ready++
		case a.Status == StatusBaselining && a.TenantID == "":
			get(a.Tier).Baselining++
		}
	}
	out := make([]PoolDepth, 0, len(by))
	for _, p := range by {
		p.Missing = max(0, p.Target-p.Ready-p.Baselining)
		out = append(out, *p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Tier < out[j].Tier })
	return out
}

// available reports whether assign may take the account: BASELINED, in the
// Workload OU, never given to a tenant, claimed by no assign, with no problem.
func available(a *Account) bool {
	return a.Status == StatusBaselined && a.TenantID == "" && len(a.Claims) == 0 && len(a.Problems) == 0 && a.Tier != ""
}

// TopUp brings every tier's pool to its target: it first resumes the tier's
// accounts an interrupted vend left BASELINING, then vends what is still
// missing. The result holds every account of every tier.
func (m *Manager) TopUp(ctx context.Context) (*VendResult, error) {
	if len(m.opts.ExternalIDSecret) == 0 {
		return nil, errNoSecret
	}
	inv, err := m.Inventory(ctx)
	if err != nil {
		return nil, err
	}
	var jobs []vendJob
	created := 0
	for _, p := range pools(m, inv) {
		for _, a := range inv.Accounts {
			if a.Tier == p.Tier && a.Status == StatusBaselining && a.TenantID == "" && len(a.Problems) == 0 {
				jobs = append(jobs, vendJob{tier: a.Tier, name: a.Name, email: a.Email, accountID: a.ID, parentID: a.parentID})
			}
		}
		if p.Missing > 0 {
			jobs = append(jobs, newJobs(m.settings, inv, p.Tier, p.Missing)...)
			created += p.Missing
		}
	}
	if len(jobs) == 0 {
		return &VendResult{Calls: m.calls.Snapshot()}, nil
	}
	if err := checkQuota(inv, created); err != nil {
		return nil, fmt.Errorf("topping up the pools: %w", err)
	}
	return m.run(ctx, jobs)
}

// ErrPoolEmpty is returned by Assign when the tenant's pool has no account ready.
var ErrPoolEmpty = errors.New("no BASELINED account is ready")
