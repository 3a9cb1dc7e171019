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
	ids := map[string][]*Tenant{}
	accounts := map[string][]*Tenant{}
	priorities := map[string][]*Tenant{}
	accountTenants := 0
	for _, t := range f.Tenants {
		if t.ID != "" {
			ids[t.ID] = append(ids[t.ID], t)
		}
		if t.Model == ModelAccount {
			accountTenants++
		}
		if t.Model == ModelAccount && t.Account != nil && accountIDRe.MatchString(t.Account.ID) {
			if t.Account.ID == s.Organization.DeploymentAccountID {
				e.at(&t.Source, "account.id", "account %s is the deployment account (organization.deploymentAccountId); give the tenant an account of its own", t.Account.ID)
			} else {
				accounts[t.Account.ID] = append(accounts[t.Account.ID], t)
			}
		}
		if t.Model == ModelContainer && t.Service != nil && t.Service.ListenerPriority > 0 {
			p := strconv.Itoa(t.Service.ListenerPriority)
			priorities[p] = append(priorities[p], t)
		}
	}
	reportShared(ids, "id", "tenant id %s is also the id of %s; ids are unique in the fleet, rename one of the files and its id", e)
	reportShared(accounts, "account.id", "account %s is also the account of %s; every account-model tenant has an account of its own", e)
	reportShared(priorities, "service.listenerPriority", "listener priority %s is also used by %s; priorities are unique on the shared load balancer, pick a free one", e)
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
