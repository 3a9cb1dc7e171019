package spec

import "fmt"

// validateFleet runs the checks that look across tenant files: unique ids,
// account ids and listener priorities, the shared networks and the AWS quotas.
func validateFleet(f *Fleet, e *errs) {
	s := &f.Settings
	ids := make(map[string]*Tenant, len(f.Tenants))
	accounts := map[string]*Tenant{}
	priorities := map[int]*Tenant{}
	accountTenants := 0
	for _, t := range f.Tenants {
		if t.ID != "" {
			if first, dup := ids[t.ID]; dup {
				e.at(&t.Source, "id", "tenant id %q is already used by %s; ids are unique in the fleet, pick another", t.ID, where(&first.Source, "id"))
			} else {
				ids[t.ID] = t
			}
		}
		if t.Model == ModelAccount {
			accountTenants++
		}
		if t.Model == ModelAccount && t.Account != nil && accountIDRe.MatchString(t.Account.ID) {
			id := t.Account.ID
			switch first, dup := accounts[id]; {
			case dup:
				e.at(&t.Source, "account.id", "account %s is already the account of tenant %s (%s); every account-model tenant has an account of its own", id, first.ID, where(&first.Source, "account.id"))
			case id == s.Organization.DeploymentAccountID:
				e.at(&t.Source, "account.id", "account %s is the deployment account (organization.deploymentAccountId); give the tenant an account of its own", id)
			default:
				accounts[id] = t
			}
		}
		if t.Model == ModelContainer && t.Service != nil && t.Service.ListenerPriority > 0 {
			p := t.Service.ListenerPriority
			if first, dup := priorities[p]; dup {
				e.at(&t.Source, "service.listenerPriority", "listener priority %d is already used by tenant %s (%s); priorities are unique on the shared load balancer, pick a free one", p, first.ID, where(&first.Source, "service.listenerPriority"))
			} else {
				priorities[p] = t
			}
		}
	}
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
