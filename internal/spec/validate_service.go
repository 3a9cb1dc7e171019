package spec

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// validateReach checks how the tenant is reached: its domainName, and the
// listener priority its ingress needs (or must not have).
func validateReach(s *Settings, t *Tenant, e *errs) {
	src := &t.Source
	if d := t.DomainName; d != "" && isDomain(s.Domain) {
		suffix := "." + s.Domain
		label := strings.TrimSuffix(d, suffix)
		switch {
		case t.Model == ModelApplication:
			e.at(src, "domainName", "application-model tenants are reached through the pooled API at %s.%s; remove domainName", APILabel, s.Domain)
		case !isDomain(d) || strings.ToLower(d) != d:
			e.at(src, "domainName", "%q is not a DNS name; write lowercase letters, digits and '-' in dot-separated labels, e.g. shop.%s", d, s.Domain)
		case !strings.HasSuffix(d, suffix) || label == "":
			e.at(src, "domainName", "%s is outside the fleet's zone %s; use a name under it, e.g. %s.%s (names elsewhere need a zone and certificate tenantctl does not manage)", d, s.Domain, t.ID, s.Domain)
		case strings.Contains(label, "."):
			e.at(src, "domainName", "%s is more than one label under %s; the platform's wildcard certificate *.%s covers one label, use e.g. %s.%s", d, s.Domain, s.Domain, strings.ReplaceAll(label, ".", "-"), s.Domain)
		}
	}
	// Without building names: a default name is the API's when the id is its
	// label, a custom one when it is the API's name.
	takesAPI := t.ID == APILabel && t.DomainName == "" || t.DomainName != "" && t.DomainName == APILabel+"."+s.Domain
	if t.Model.RunsService() && s.Domain != "" && takesAPI {
		e.at(src, hostPath(t), "%s is the pooled API's name; give the tenant another name with domainName, e.g. %s-app.%s", s.Hostname(t), t.ID, s.Domain)
	}
	sv := t.Service
	if sv == nil || !t.Model.RunsService() {
		return
	}
	shared := s.UsesSharedListener(t)
	switch {
	case shared && sv.ListenerPriority == 0:
		e.at(src, "service.listenerPriority", "a %s-model tenant needs service.listenerPriority, its rule priority on the shared load balancer (1 to %d, unique in the fleet)", t.Model, MaxPriority)
	case shared && (sv.ListenerPriority < 1 || sv.ListenerPriority > MaxPriority):
		e.at(src, "service.listenerPriority", "listenerPriority %d is out of range; use 1 to %d, unique in the fleet", sv.ListenerPriority, MaxPriority)
	case !shared && sv.ListenerPriority != 0:
		e.at(src, "service.listenerPriority", "listenerPriority is for tenants behind the shared load balancer; a %s tenant with %s ingress has a load balancer of its own, remove it", t.Model, s.IngressOf(t))
	}
}

// hostPath is the field a tenant's name comes from.
func hostPath(t *Tenant) string {
	if t.DomainName != "" {
		return "domainName"
	}
	return "id"
}

// validateData checks the tenant's data mode against what its model honours,
// and its data policy.
func validateData(t *Tenant, tier *Tier, e *errs) {
	d := t.Data
	if d == nil || !t.Model.Valid() {
		return
	}
	src := &t.Source
	validateDataPolicy(t, e)
	switch {
	case !d.Mode.Valid():
		e.at(src, "data.mode", "unknown data mode %q%s; use pooled or table", d.Mode, DidYouMean(string(d.Mode), []string{"pooled", "table"}))
	case !t.Model.Honours(d.Mode) && t.Model == ModelApplication:
		e.at(src, "data.mode", "the application model pools the tenant's data in the platform's shared table; remove data.mode or set it to pooled (or move the tenant to a siloed model for a table of its own)")
	case !t.Model.Honours(d.Mode):
		e.at(src, "data.mode", "an account-model tenant's data stays in its own account, out of reach of the platform's shared table; remove data.mode or set it to table")
	}
}

// MaxPolicyStatements is the most statements a tenant's data policy holds:
// its role's inline policy stays well within IAM's 10,240 characters.
const MaxPolicyStatements = 10

// policyActionRe is an IAM action: service prefix, colon, name with wildcards.
var policyActionRe = regexp.MustCompile(`^[a-z0-9-]+:[A-Za-z0-9*?]+$`)

// deniedPolicyServices are the services no data policy may grant: each would
// let the tenant's role change who may do what.
var deniedPolicyServices = []string{"iam", "sts", "organizations", "account"}

// validateDataPolicy checks the statements of a tenant's data policy: only an
// application-model tenant takes one (every other model's task role reaches
// its data already), and each statement grants data actions on named
// resources, never identity or account changes and never everything.
func validateDataPolicy(t *Tenant, e *errs) {
	src, policy := &t.Source, t.Data.Policy
	if policy == nil {
		return
	}
	if t.Model != ModelApplication {
		e.at(src, "data.policy", "a data policy gives an application-model tenant a data role of its own; a %s tenant's task role reaches its data already, remove data.policy", t.Model)
		return
	}
	if len(policy) == 0 {
		e.at(src, "data.policy", "the data policy has no statement; remove data.policy to share the platform's data role, or give statements")
	}
	if len(policy) > MaxPolicyStatements {
		e.at(src, "data.policy", "the data policy has %d statements, more than %d; merge statements that share actions or resources", len(policy), MaxPolicyStatements)
	}
	for i, st := range policy {
		p := fmt.Sprintf("data.policy[%d]", i)
		if len(st.Actions) == 0 {
			e.at(src, p, "required field \"actions\" is missing; list IAM actions such as s3:GetObject")
		}
		for j, a := range st.Actions {
			service, _, _ := strings.Cut(a, ":")
			switch {
			case !policyActionRe.MatchString(a):
				e.at(src, fmt.Sprintf("%s.actions[%d]", p, j), "%q is not an IAM action; write service:Action, such as s3:GetObject", a)
			case slices.Contains(deniedPolicyServices, service):
				e.at(src, fmt.Sprintf("%s.actions[%d]", p, j), "%s would let the tenant's data role change identities or the account; a data policy grants data actions only", a)
			case strings.Trim(a[len(service)+1:], "*") == "":
				e.at(src, fmt.Sprintf("%s.actions[%d]", p, j), "%s grants every action of %s; name the actions the tenant needs", a, service)
			}
		}
		if len(st.Resources) == 0 {
			e.at(src, p, "required field \"resources\" is missing; list the ARNs the actions apply to")
		}
		for j, r := range st.Resources {
			if parts := strings.SplitN(r, ":", 6); len(parts) < 6 || parts[0] != "arn" || parts[1] == "" || parts[2] == "" || strings.Trim(parts[5], "*") == "" {
				e.at(src, fmt.Sprintf("%s.resources[%d]", p, j), "%q is not the ARN of a resource; write one such as arn:aws:s3:::bucket/prefix/*", r)
			}
		}
	}
}

// checkScaling checks a service's autoscaling bounds: min ≤ desired ≤ max
// (desired only where given: a tier's default may be left out) and the
// utilisation targets.
func checkScaling(src *Source, path string, desired, minCount, maxCount, cpu, mem int, e *errs) {
	if minCount != 0 && (minCount < 1 || minCount > MaxTasks) {
		e.at(src, path+".minCount", "minCount is %d; use 1 to %d tasks (a suspended tenant scales to 0 by itself)", minCount, MaxTasks)
	}
	if maxCount != 0 && (maxCount < 1 || maxCount > MaxTasks) {
		e.at(src, path+".maxCount", "maxCount is %d; use 1 to %d tasks", maxCount, MaxTasks)
	}
	switch {
	case minCount > 0 && maxCount > 0 && minCount > maxCount:
		e.at(src, path+".minCount", "minCount %d is above maxCount %d; autoscaling needs minCount ≤ desiredCount ≤ maxCount", minCount, maxCount)
	case desired > 0 && minCount > desired:
		e.at(src, path+".minCount", "minCount %d is above desiredCount %d; autoscaling needs minCount ≤ desiredCount ≤ maxCount, lower minCount or raise desiredCount", minCount, desired)
	case desired > 0 && maxCount > 0 && desired > maxCount:
		e.at(src, path+".maxCount", "maxCount %d is below desiredCount %d; autoscaling needs minCount ≤ desiredCount ≤ maxCount, raise maxCount or lower desiredCount", maxCount, desired)
	}
	for _, c := range []struct {
		field string
		v     int
	}{{"targetCpu", cpu}, {"targetMemory", mem}} {
		if c.v != 0 && (c.v < MinTargetUtilisation || c.v > MaxTargetUtilisation) {
			e.at(src, path+"."+c.field, "%s is %d%%; track a utilisation from %d to %d percent", c.field, c.v, MinTargetUtilisation, MaxTargetUtilisation)
		}
	}
}

// scalingValid reports whether a tier's scaling defaults pass checkScaling.
func scalingValid(d ServiceDefaults) bool {
	var e errs
	checkScaling(&Source{}, "", d.DesiredCount, d.MinCount, d.MaxCount, d.TargetCPU, d.TargetMemory, &e)
	return e.err() == nil
}

// validateTierService checks a tier's data, ingress and scaling defaults.
func validateTierService(src *Source, p string, tier *Tier, e *errs) {
	if m := tier.Data.Mode; m != "" && !m.Valid() {
		e.at(src, p+".data.mode", "unknown data mode %q; use pooled or table", m)
	}
	if tier.Data.Policy != nil {
		e.at(src, p+".data.policy", "a tier gives no data policy; set data.policy in the files of the tenants that need a data role of their own")
	}
	if i := tier.Ingress; i != "" && !i.Valid() {
		e.at(src, p+".ingress", "unknown ingress %q; use shared (the platform's load balancer) or dedicated (one per tenant)", i)
	}
	d := tier.Service
	checkScaling(src, p+".service", d.DesiredCount, d.MinCount, d.MaxCount, d.TargetCPU, d.TargetMemory, e)
}
