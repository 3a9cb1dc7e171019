package spec

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// validateFleet runs the checks that look across tenant files: unique ids,
// account ids and listener priorities, the shared networks and the AWS quotas.
func validateFleet(f *Fleet, e *errs) {
	s := &f.Settings
	ids := newUniques(len(f.Tenants))
	accounts := newUniques(0)
	priorities := newUniques(0)
	accountTenants := 0
	for _, t := range f.Tenants {
		if t.ID != "" {
			ids.add(t.ID, t)
		}
		if t.Model == ModelAccount {
			accountTenants++
		}
		if t.Model == ModelAccount && t.Account != nil && accountIDRe.MatchString(t.Account.ID) {
			if t.Account.ID == s.Organization.DeploymentAccountID {
				e.at(&t.Source, "account.id", "account %s is the deployment account (organization.deploymentAccountId); give the tenant an account of its own", t.Account.ID)
			} else {
				accounts.add(t.Account.ID, t)
			}
		}
		if t.Model == ModelContainer && t.Service != nil && t.Service.ListenerPriority > 0 {
			priorities.add(strconv.Itoa(t.Service.ListenerPriority), t)
		}
	}
	reportShared(ids.shared, "id", "tenant id %s is also the id of %s; ids are unique in the fleet, rename one of the files and its id", e)
	reportShared(accounts.shared, "account.id", "account %s is also the account of %s; every account-model tenant has an account of its own", e)
	reportShared(priorities.shared, "service.listenerPriority", "listener priority %s is also used by %s; priorities are unique on the shared load balancer, pick a free one", e)
	// The organization's account quota: the management account, every
	// account-model tenant's account and the baselined accounts pools keep ready.
	pooled := 0
	for _, tier := range s.Tiers {
		if tier != nil && tier.AccountPool.Target > 0 {
			pooled += tier.AccountPool.Target
		}
	}
	if q := s.Organization.AccountQuota; q > 0 && 1+accountTenants+pooled > q {
		e.at(&s.Source, "organization.accountQuota", "the organization would hold %d accounts (the management account + %d account-model tenants + %d kept ready in pools), more than the quota of %d; raise the quota with AWS Organizations and here, or lower accountPool targets", 1+accountTenants+pooled, accountTenants, pooled, q)
	}
	validateNetworks(f, e)
}

// where is file:line of a field, for messages that point at another file.
func where(src *Source, path string) string {
	line, _ := src.Pos(path)
	if line == 0 {
		return src.File
	}
	return fmt.Sprintf("%s:%d", src.File, line)
}

// reportShared reports, on each of them, tenants that share a value that must be
// unique, naming the others; a pull request check then marks the new file
// whichever of them it is.
func reportShared(byValue map[string][]*Tenant, path, format string, e *errs) {
	for _, v := range sortedKeys(byValue) {
		ts := byValue[v]
		if len(ts) < 2 {
			continue
		}
		sort.SliceStable(ts, func(i, j int) bool { return ts[i].Source.File < ts[j].Source.File })
		for _, t := range ts {
			var others []string
			for _, o := range ts {
				if o != t {
					others = append(others, fmt.Sprintf("tenant %s (%s)", o.ID, where(&o.Source, path)))
				}
			}
			e.at(&t.Source, path, format, v, strings.Join(others, ", "))
		}
	}
}

// uniques finds values that must be unique but are shared: the first holder of
// each value in a map, and every holder of a shared value apart, so the common
// case (no duplicates) allocates nothing per tenant.
type uniques struct {
	first  map[string]*Tenant
	shared map[string][]*Tenant
}

func newUniques(n int) *uniques {
	return &uniques{first: make(map[string]*Tenant, n), shared: map[string][]*Tenant{}}
}

func (u *uniques) add(v string, t *Tenant) {
	first, dup := u.first[v]
	switch {
	case !dup:
		u.first[v] = t
	case len(u.shared[v]) == 0:
		u.shared[v] = []*Tenant{first, t}
	default:
		u.shared[v] = append(u.shared[v], t)
	}
}
