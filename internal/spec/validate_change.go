package spec

// ValidateChange compares the fleet with a previous state of it (e.g. the tenant
// files at the pull request's base, see `tenantctl validate --against`) and
// reports changes no file edit may make:
//   - a suspended tenant may not change model (its resources are frozen; resume
//     it first, then migrate);
//   - a container tenant keeps its listener priority for life (the load balancer
//     rule is matched by it);
//   - an account-model tenant keeps its account (moving accounts is a migration,
//     not an edit);
//   - an active tenant changes model only with a migration marker naming the
//     change (migration: {from: <old>, to: <new>}), which `tenantctl migrate`
//     carries out: a bare edit would have the next rollout delete the old
//     model's resources, its data table among them, before any data is moved.
//
// Tenants new in f or gone from it are not compared.
func ValidateChange(prev, f *Fleet) error {
	if prev == nil {
		return nil
	}
	before := make(map[string]*Tenant, len(prev.Tenants))
	for _, t := range prev.Tenants {
		before[t.ID] = t
	}
	var e errs
	for _, t := range f.Tenants {
		old := before[t.ID]
		if old == nil {
			continue
		}
		src := &t.Source
		if (old.Status == StatusSuspended || t.Status == StatusSuspended) && old.Model != t.Model && old.Model != "" && t.Model != "" {
			e.at(src, "model", "tenant %s is suspended and may not change model (%s to %s); set status: active first, or keep model: %s", t.ID, old.Model, t.Model, old.Model)
		}
		if old.Status == StatusActive && t.Status == StatusActive && old.Model != t.Model && old.Model != "" && t.Model != "" &&
			(t.Migration == nil || t.Migration.From != old.Model || t.Migration.To != t.Model) {
			e.at(src, "model", "tenant %s is active and changes model from %s to %s without a migration marker; add migration: {from: %s, to: %s} and run `tenantctl migrate %s --to %s`, which moves its data before the old resources go", t.ID, old.Model, t.Model, old.Model, t.Model, t.ID, t.Model)
		}
		if old.Model == ModelContainer && t.Model == ModelContainer && old.Service != nil && t.Service != nil &&
			old.Service.ListenerPriority != 0 && old.Service.ListenerPriority != t.Service.ListenerPriority {
			e.at(src, "service.listenerPriority", "listenerPriority changed from %d to %d; a container tenant keeps its priority for life, set it back to %d", old.Service.ListenerPriority, t.Service.ListenerPriority, old.Service.ListenerPriority)
		}
		if old.Model == ModelAccount && t.Model == ModelAccount && old.Account != nil && t.Account != nil &&
			old.Account.ID != "" && old.Account.ID != t.Account.ID {
			e.at(src, "account.id", "account.id changed from %s to %q; a tenant's account is kept for its life (moving it is a migration), set it back to \"%s\"", old.Account.ID, t.Account.ID, old.Account.ID)
		}
	}
	return e.err()
}
