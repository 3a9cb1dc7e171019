package spec

// How a tenant is reached and scaled, as every model reads it: one place, so
// the models, `list` and the reports agree on a tenant's name.

// APILabel is the label of the pooled API's name under the fleet's domain:
// application-model tenants are reached at api.<domain>.
const APILabel = "api"

// Autoscaling defaults of services whose file and tier set none.
const (
	DefaultMinCount      = 1
	DefaultMaxFactor     = 4 // maxCount = 4 × desiredCount
	DefaultTargetCPU     = 70
	DefaultTargetMemory  = 80
	MinTargetUtilisation = 10
	MaxTargetUtilisation = 95
	MaxTasks             = 1000
)

// Hostname is the DNS name the tenant answers at: api.<domain> for the
// application model (the pooled API), else the tenant's domainName, else
// <id>.<domain>.
func (s *Settings) Hostname(t *Tenant) string {
	switch {
	case t.Model == ModelApplication:
		return APILabel + "." + s.Domain
	case t.DomainName != "":
		return t.DomainName
	}
	return t.ID + "." + s.Domain
}

// URL is the tenant's HTTPS address.
func (s *Settings) URL(t *Tenant) string { return "https://" + s.Hostname(t) + "/" }

// IngressOf is how the tenant's service is reached: the container model
// always behind the shared load balancer, the vpc and account models always
// through one of their own, the subnet model as its tier says (shared when
// the tier says nothing). The application model runs no service: "".
func (s *Settings) IngressOf(t *Tenant) Ingress {
	switch t.Model {
	case ModelContainer:
		return IngressShared
	case ModelVPC, ModelAccount:
		return IngressDedicated
	case ModelSubnet:
		if tier := s.Tiers[t.Tier]; tier != nil && tier.Ingress.Valid() {
			return tier.Ingress
		}
		return IngressShared
	}
	return ""
}

// UsesSharedListener reports whether the tenant has a host rule on the
// platform's shared load balancer, and so needs a listener priority.
func (s *Settings) UsesSharedListener(t *Tenant) bool { return s.IngressOf(t) == IngressShared }

// Honours reports whether the model can keep data in the mode: the
// application model pools by design; an account-model tenant's data stays in
// its own account, out of reach of the platform's shared table.
func (m IsolationModel) Honours(d DataMode) bool {
	switch m {
	case ModelApplication:
		return d == DataPooled
	case ModelAccount:
		return d == DataTable
	}
	return d == DataPooled || d == DataTable
}

// DefaultData is the model's own data mode: pooled for the application model,
// a table of its own for every other.
func (m IsolationModel) DefaultData() DataMode {
	if m == ModelApplication {
		return DataPooled
	}
	return DataTable
}

// Valid reports whether d is a known data mode.
func (d DataMode) Valid() bool { return d == DataPooled || d == DataTable }

// Valid reports whether i is a known ingress kind.
func (i Ingress) Valid() bool { return i == IngressShared || i == IngressDedicated }
