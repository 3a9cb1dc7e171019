package spec

import (
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"github.com/tenantctl/tenantctl/internal/naming"
)

// fleetCheck runs the checks that look across tenant files: unique ids, account
// ids and listener priorities, the networks tenants share and the AWS quotas.
// Validate feeds it each tenant right after checking the tenant's own file, in
// the same pass, so a large fleet is walked once (the second pass over 10,000
// tenants was mostly cache misses).
type fleetCheck struct {
	s          *Settings
	vpc        netip.Prefix
	vpcErr     error
	accounts   *uniques
	priorities *uniques
	// custom are the tenants that name themselves (domainName): only they
	// can share a name, since default names differ as ids do.
	custom []*Tenant

	accountTenants, subnetTenants int
	use                           Use
	// shared are the subnets in the shared VPC: the platform's and every
	// subnet tenant's.
	shared []cidrItem
	// byRegion are the VPCs of vpc-model tenants in the SaaS account per region.
	byRegion   map[string][]cidrItem
	vpcTenants map[string][]*Tenant
}

func newFleetCheck(s *Settings) *fleetCheck {
	c := &fleetCheck{s: s, accounts: newUniques(0), priorities: newUniques(0),
		byRegion: map[string][]cidrItem{}, vpcTenants: map[string][]*Tenant{}}
	c.vpc, c.vpcErr = ParseCIDR(s.SharedVPC.CIDR)
	for i, cidr := range s.SharedVPC.PlatformSubnets {
		if p, err := ParseCIDR(cidr); err == nil {
			c.shared = append(c.shared, newCIDRItem(p, &s.Source, "sharedVpc.platformSubnets", i, ""))
		}
	}
	return c
}

// add collects what the fleet-wide checks need of one tenant.
func (c *fleetCheck) add(t *Tenant, e *errs) {
	s := c.s
	if t.Model.RunsService() && t.ID != "" && t.DomainName != "" {
		c.custom = append(c.custom, t)
	}
	if t.Service != nil && t.Service.ListenerPriority > 0 && s.UsesSharedListener(t) {
		c.priorities.add(strconv.Itoa(t.Service.ListenerPriority), t)
	}
	c.use.add(s, t)
	switch t.Model {
	case ModelAccount:
		c.accountTenants++
		if t.Account != nil && naming.IsAccountID(t.Account.ID) {
			if t.Account.ID == s.Organization.DeploymentAccountID {
				e.at(&t.Source, "account.id", "account %s is the deployment account (organization.deploymentAccountId); give the tenant an account of its own", t.Account.ID)
			} else if t.Account.ID == s.Audit.LogArchiveAccountID {
				e.at(&t.Source, "account.id", "account %s is the log archive (audit.logArchiveAccountId); give the tenant an account of its own", t.Account.ID)
			} else {
				c.accounts.add(t.Account.ID, t)
			}
		}
	case ModelSubnet:
		c.subnetTenants++
		for i, cidr := range t.Subnets {
			p, err := ParseCIDR(cidr)
			if err != nil {
				continue
			}
			if c.vpcErr == nil && !contains(c.vpc, p) {
				e.at(&t.Source, fmt.Sprintf("subnets[%d]", i), "%s is outside the shared VPC %s; pick a free range inside it (the platform uses %s)", cidr, s.SharedVPC.CIDR, strings.Join(s.SharedVPC.PlatformSubnets, ", "))
				continue
			}
			c.shared = append(c.shared, newCIDRItem(p, &t.Source, "subnets", i, t.ID))
		}
	case ModelVPC:
		if t.Network == nil {
			return
		}
		c.vpcTenants[t.Region] = append(c.vpcTenants[t.Region], t)
		if p, err := ParseCIDR(t.Network.CIDR); err == nil {
			c.byRegion[t.Region] = append(c.byRegion[t.Region], newCIDRItem(p, &t.Source, "network.cidr", -1, t.ID))
		}
	}
}

// finish runs the checks over everything collected.
func (c *fleetCheck) finish(f *Fleet, e *errs) {
	s := c.s
	ss := &s.Source
	reportShared(duplicateIDs(f.Tenants), "id", "tenant id %s is also the id of %s; ids are unique in the fleet, rename one of the files and its id", e)
	reportShared(c.accounts.shared, "account.id", "account %s is also the account of %s; every account-model tenant has an account of its own", e)
	reportShared(c.priorities.shared, "service.listenerPriority", "listener priority %s is also used by %s; priorities are unique on the shared load balancer, pick a free one", e)
	// Names: each custom name against the other custom names and against the
	// default name <label>.<domain> of the tenant whose id is its label.
	// (Tenants sharing an id share its default name; the id is reported above.)
	hosts, defaults := newUniques(len(c.custom)), map[*Tenant]bool{}
	byID := ByID(f.Tenants)
	for _, t := range c.custom {
		hosts.add(t.DomainName, t)
		label := strings.TrimSuffix(t.DomainName, "."+s.Domain)
		if o := byID(label); o != nil && o != t && o.DomainName == "" && o.Model.RunsService() && !defaults[o] {
			defaults[o] = true
			hosts.add(t.DomainName, o)
		}
	}
	reportSharedAt(hosts.shared, hostPath, "the name %s is also the name of %s; every tenant answers at a name of its own, set domainName to a free name under "+s.Domain, e)

	// The organization's account quota: the management account, every
	// account-model tenant's account and the baselined accounts pools keep ready.
	pooled := 0
	for _, tier := range s.Tiers {
		if tier != nil && tier.AccountPool.Target > 0 {
			pooled += tier.AccountPool.Target
		}
	}
	if q := s.Organization.AccountQuota; q > 0 && 1+c.accountTenants+pooled > q {
		e.at(ss, "organization.accountQuota", "the organization would hold %d accounts (the management account + %d account-model tenants + %d kept ready in pools), more than the quota of %d; raise the quota with AWS Organizations and here, or lower accountPool targets", 1+c.accountTenants+pooled, c.accountTenants, pooled, q)
	}

	// The SaaS account's quotas of what tenants add one by one: IAM roles
	// (the platform's; exec and task roles of every service there; a data
	// role per pooled tenant with a data policy), usage plans (one per tier;
	// one per pooled tenant with limits of its own), API keys (one per
	// pooled tenant) and Cognito groups (system-admin; two per tenant).
	l, u := &s.Limits, c.use
	for _, q := range []struct {
		path        string
		have, quota int
		what, or    string
	}{
		{"awsLimits.iamRoles", u.IAMRoles(), l.IAMRoles,
			fmt.Sprintf("IAM roles (%d of the platform + 2 for each of %d services + 1 for each of %d pooled tenants with a data policy)", PlatformRoles+BaselineRoles, u.Services, u.OwnDataRoles),
			"move tenants to models of their own accounts"},
		{"awsLimits.usagePlans", u.UsagePlans(s), l.UsagePlans,
			fmt.Sprintf("API Gateway usage plans (%d tiers + %d pooled tenants with limits of their own)", len(s.Tiers), u.OwnPlans),
			"move tenants to models of their own accounts"},
		{"awsLimits.apiKeys", u.Pooled, l.APIKeys, fmt.Sprintf("API keys (one for each of %d pooled tenants)", u.Pooled),
			"move tenants to models of their own accounts"},
		// Every tenant's groups are in the platform's one user pool, whatever
		// its model.
		{"awsLimits.cognitoGroups", u.CognitoGroups(), l.CognitoGroups, fmt.Sprintf("Cognito groups (system-admin + 2 for each of %d tenants)", u.Tenants),
			"split the fleet"},
	} {
		if q.quota > 0 && q.have > q.quota {
			e.at(ss, q.path, "the fleet needs %d %s, more than the quota of %d; raise the quota in Service Quotas and here, or %s", q.have, q.what, q.quota, q.or)
		}
	}

	// The shared VPC: its subnet quota, and no two subnets overlapping.
	platform := len(s.SharedVPC.PlatformSubnets)
	if n := len(c.shared); n > s.Limits.SubnetsPerVPC && s.Limits.SubnetsPerVPC > 0 {
		e.at(ss, "awsLimits.subnetsPerVpc", "the shared VPC would hold %d subnets (%d of the platform, %d of %d subnet-model tenants), more than the quota of %d; raise the quota in Service Quotas and here, or move tenants to the vpc model", n, platform, n-platform, c.subnetTenants, s.Limits.SubnetsPerVPC)
	}
	sweepOverlaps(c.shared, "subnet", e)

	// The SaaS account, per region: vpc-model tenants' VPCs, the
	// shared-services VPC they route to and, in the platform region, the
	// shared VPC may not overlap. A tenant with sharedServices: true and the
	// shared VPC both attach to the Transit Gateway, so an overlap breaks
	// routing; every vpc tenant is held to it, as to the shared-services
	// range, because a VPC's CIDR cannot change without replacing the VPC and
	// the tenant may attach later. A clash of the two platform ranges is
	// validateSettingsNetwork's to report, so only one of them joins then.
	services, servicesErr := ParseCIDR(s.SharedServices.CIDR)
	for _, region := range sortedKeys(c.byRegion) {
		items := c.byRegion[region]
		if servicesErr == nil {
			items = append(items, newCIDRItem(services, ss, "sharedServices.cidr", -1, ""))
		}
		if region == s.PlatformRegion && c.vpcErr == nil && (servicesErr != nil || !c.vpc.Overlaps(services)) {
			items = append(items, newCIDRItem(c.vpc, ss, "sharedVpc.cidr", -1, ""))
		}
		sweepOverlaps(items, "VPC", e)
	}

	// VPC quota of the SaaS account per region: the platform's shared VPC and
	// shared-services VPC in its region, plus one per vpc-model tenant.
	quota := s.Limits.VPCsPerRegion
	for _, region := range sortedKeys(c.vpcTenants) {
		ts := c.vpcTenants[region]
		platform := 0
		if region == s.PlatformRegion {
			platform = 2
		}
		total := platform + len(ts)
		if quota < 1 || total <= quota {
			continue
		}
		sort.Slice(ts, func(i, j int) bool { return ts[i].ID < ts[j].ID })
		ids := make([]string, len(ts))
		for i, t := range ts {
			ids[i] = t.ID
		}
		list := strings.Join(ids, ", ")
		if len(ids) > 10 {
			list = strings.Join(ids[:10], ", ") + fmt.Sprintf(" and %d more", len(ids)-10)
		}
		for _, t := range ts[max(0, quota-platform):] {
			e.at(&t.Source, "model", "the SaaS account would hold %d VPCs in %s (%d of the platform + %d vpc-model tenants: %s), more than the quota of %d (awsLimits.vpcsPerRegion); raise the VPC quota in Service Quotas and in fleet.yaml, or use another region or model", total, region, platform, len(ts), list, quota)
		}
	}
}

// ByID finds tenants by id: by binary search when they are sorted by id
// (as loading leaves them), else through a map built once. Code that looks
// up many tenants uses it instead of Fleet.Tenant, a scan per call.
func ByID(tenants []*Tenant) func(id string) *Tenant {
	if sort.SliceIsSorted(tenants, func(i, j int) bool { return tenants[i].ID < tenants[j].ID }) {
		return func(id string) *Tenant {
			if i := sort.Search(len(tenants), func(i int) bool { return tenants[i].ID >= id }); i < len(tenants) && tenants[i].ID == id {
				return tenants[i]
			}
			return nil
		}
	}
	m := make(map[string]*Tenant, len(tenants))
	for _, t := range tenants {
		if _, dup := m[t.ID]; !dup {
			m[t.ID] = t
		}
	}
	return func(id string) *Tenant { return m[id] }
}

// duplicateIDs finds tenants sharing an id. Tenants sorted by id (as loading
// leaves them) put duplicates side by side, so no map of every id is needed.
func duplicateIDs(tenants []*Tenant) map[string][]*Tenant {
	byID := tenants
	if !sort.SliceIsSorted(byID, func(i, j int) bool { return byID[i].ID < byID[j].ID }) {
		byID = append([]*Tenant(nil), byID...)
		sort.SliceStable(byID, func(i, j int) bool { return byID[i].ID < byID[j].ID })
	}
	dups := map[string][]*Tenant{}
	for i := 1; i < len(byID); i++ {
		id := byID[i].ID
		if id == "" || id != byID[i-1].ID {
			continue
		}
		if len(dups[id]) == 0 {
			dups[id] = append(dups[id], byID[i-1])
		}
		dups[id] = append(dups[id], byID[i])
	}
	return dups
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
	reportSharedAt(byValue, func(*Tenant) string { return path }, format, e)
}

// reportSharedAt is reportShared for a value each tenant may hold in a
// different field (pathOf says which).
func reportSharedAt(byValue map[string][]*Tenant, pathOf func(*Tenant) string, format string, e *errs) {
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
					others = append(others, fmt.Sprintf("tenant %s (%s)", o.ID, where(&o.Source, pathOf(o))))
				}
			}
			e.at(&t.Source, pathOf(t), format, v, strings.Join(others, ", "))
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

// Use is what a fleet takes of the SaaS account's quotas that grow with
// tenants, as the models build it (render's tests count the rendered
// resources against it).
type Use struct {
	// Services run in the SaaS account (vpc, subnet, container): an
	// execution and a task role each.
	Services int
	// Pooled tenants (application model): an API key each; OwnPlans of
	// them have limits of their own and so a usage plan of their own, and
	// OwnDataRoles a data policy and so a data role of their own (the others
	// share the platform's).
	Pooled, OwnPlans, OwnDataRoles int
	// Tenants, of every model: two groups each in the platform's user pool.
	Tenants int
}

// PlatformRoles are the IAM roles of the platform stack: the pooled service
// role, the data role pooled tenants share and the API authorizer's role.
const PlatformRoles = 3

// UseOf counts what the fleet's tenants take of the SaaS account's quotas.
func UseOf(f *Fleet) Use {
	var u Use
	for _, t := range f.Tenants {
		u.add(&f.Settings, t)
	}
	return u
}

func (u *Use) add(s *Settings, t *Tenant) {
	u.Tenants++
	switch {
	case t.Model == ModelApplication:
		u.Pooled++
		if tier := s.Tiers[t.Tier]; tier != nil && t.Limits != nil && *t.Limits != tierLimits(tier) {
			u.OwnPlans++
		}
		if t.Data != nil && t.Data.Policy != nil {
			u.OwnDataRoles++
		}
	case t.Model.RunsService() && t.Model != ModelAccount:
		u.Services++
	}
}

// IAMRoles are the roles in the SaaS account: the platform's and its
// baseline's, and the tenants'. Pooled tenants without a data policy add
// none: they share one data role through session tags.
func (u Use) IAMRoles() int { return PlatformRoles + BaselineRoles + 2*u.Services + u.OwnDataRoles }

// CognitoGroups are the user pool's groups: the platform operators'
// (system-admin), and every tenant's users and admins.
func (u Use) CognitoGroups() int { return 1 + 2*u.Tenants }

// UsagePlans are the platform's plans, one per tier, and the tenants' own.
func (u Use) UsagePlans(s *Settings) int { return len(s.Tiers) + u.OwnPlans }
