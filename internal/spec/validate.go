package spec

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tenantctl/tenantctl/internal/naming"
)

// Validate checks the settings, every tenant file and the fleet as a whole, and
// returns an ErrorList of every problem, sorted by file and position, or nil. It
// expects SetDefaults to have run.
func Validate(f *Fleet) error {
	var e errs
	validateSettings(&f.Settings, &e)
	fleet := newFleetCheck(&f.Settings)
	for _, t := range f.Tenants {
		validateTenant(&f.Settings, t, &e)
		fleet.add(t, &e)
	}
	fleet.finish(f, &e)
	return e.err()
}

var (
	dnsLabelRe = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`)
	prefixRe   = regexp.MustCompile(`^[a-z]([a-z0-9-]*[a-z0-9])?$`)
	regionRe   = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]?)?-(north|south|east|west|central|northeast|northwest|southeast|southwest)-[1-9]$`)
	iamNameRe  = regexp.MustCompile(`^[A-Za-z0-9+=,.@_-]{1,64}$`)
	ouNameRe   = regexp.MustCompile(`^[^\x00-\x1f]{1,128}$`)
	labelKeyRe = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9._/-]{0,61}[A-Za-z0-9])?$`)
	labelValRe = regexp.MustCompile(`^([A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?)?$`)
	releaseRe  = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9._+-]{0,62})$`)
	// domainNameRe is a lowercase DNS name, for the schema; validation
	// checks names with isDomain and against the fleet's zone.
	domainNameRe = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)
	zoneIDRe     = regexp.MustCompile(`^Z[A-Z0-9]{1,31}$`)
	// tagCharsRe is AWS's pattern of tag keys and values; badTagChar applies
	// it character by character (to name the culprit), the schema as is.
	tagCharsRe = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)
)

// QuotaPeriods are the API Gateway usage plan quota periods.
var QuotaPeriods = []string{"DAY", "WEEK", "MONTH"}

// Statuses lists every tenant status.
var Statuses = []Status{StatusOnboarding, StatusActive, StatusSuspended}

// AWS limits of tags (https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html).
const (
	MaxTagKey    = 128
	MaxTagValue  = 256
	MaxTags      = 50
	MaxAZCount   = 6
	MaxPriority  = 50000
	MaxSubnetsOf = MaxAZCount
	// MaxCloseAfterDays bounds organization.closeAfterDays at ten years.
	MaxCloseAfterDays = 3650
)

// SubnetNACLBaseRules is how many rules a subnet tenant's network ACL holds per
// direction besides one per subnet of its own and one per load balancer
// subnet of the platform: the shared-services network allowed, the rest of
// the shared VPC denied, the internet allowed (models/subnet.Rules).
const SubnetNACLBaseRules = 3

// SubnetNACLRules is how many rules a subnet tenant's network ACL holds per
// direction: one per subnet of its own, one per public (load balancer)
// subnet of the platform, and SubnetNACLBaseRules. Validation holds it
// within awsLimits.naclRules.
func SubnetNACLRules(s *Settings, t *Tenant) int {
	return len(t.Subnets) + s.SharedVPC.AZCount + SubnetNACLBaseRules
}

func validateSettings(s *Settings, e *errs) {
	src := &s.Source
	switch {
	case s.NamePrefix == "":
		e.at(src, "namePrefix", "required field \"namePrefix\" is missing; it starts every AWS resource name, e.g. namePrefix: saas")
	case len(s.NamePrefix) > MaxNamePrefix || !prefixRe.MatchString(s.NamePrefix):
		e.at(src, "namePrefix", "%q is not a valid name prefix; use lowercase letters, digits and '-', starting with a letter, at most %d characters", s.NamePrefix, MaxNamePrefix)
	}
	if s.Environment == "" {
		e.at(src, "environment", "required field \"environment\" is missing; it becomes the Environment cost-allocation tag, e.g. environment: prod")
	} else {
		checkTagValue(src, "environment", s.Environment, e)
	}
	checkRegion(src, "platformRegion", s.PlatformRegion, true, e)
	switch {
	case s.Domain == "":
		e.at(src, "domain", "required field \"domain\" is missing; tenants are served under <id>.<domain>, e.g. domain: app.example.com")
	case len(s.Domain) > 200 || !isDomain(s.Domain) || strings.ToLower(s.Domain) != s.Domain:
		e.at(src, "domain", "%q is not a DNS name; write lowercase labels separated by dots, e.g. app.example.com", s.Domain)
	default:
		// The user pool's domain prefix is made of both (naming.AuthDomainPrefix).
		prefix := naming.AuthDomainPrefix(s.NamePrefix, s.Domain)
		for _, w := range naming.AuthDomainReserved {
			if strings.Contains(prefix, w) {
				e.at(src, "domain", "the user pool's domain prefix %q (namePrefix and domain) contains %q, which Cognito refuses; pick a namePrefix or domain without %s", prefix, w, strings.Join(naming.AuthDomainReserved, ", "))
				break
			}
		}
	}
	if z := s.DNS.ZoneID; z != "" && !zoneIDRe.MatchString(z) {
		e.at(src, "dns.zoneId", "%q is not a Route 53 hosted zone id; write the id of the domain's public zone, e.g. Z0123456789ABCDEFGHIJ, or remove zoneId to let the platform stack create the zone", z)
	}
	if strings.TrimSpace(s.DefaultImage) == "" {
		e.at(src, "defaultImage", "required field \"defaultImage\" is missing; it is the container image of tenants that name none, e.g. public.ecr.aws/nginx/nginx:1.27")
	}
	validateSettingsNetwork(s, e)
	validateOrganization(s, e)
	validateAlertsAndAudit(s, e)
	if s.LoadBalancer.RulesPerListener < 1 || s.LoadBalancer.RulesPerListener > 1000 {
		e.at(src, "loadBalancer.rulesPerListener", "rulesPerListener is %d; set it to the listener rule quota, between 1 and 1000 (AWS default 100)", s.LoadBalancer.RulesPerListener)
	}
	checkPositive(src, "awsLimits.vpcsPerRegion", s.Limits.VPCsPerRegion, "the VPC quota per account and region (AWS default 5)", e)
	checkPositive(src, "awsLimits.subnetsPerVpc", s.Limits.SubnetsPerVPC, "the subnet quota per VPC (AWS default 200)", e)
	checkPositive(src, "awsLimits.naclRules", s.Limits.NACLRules, "the rule quota per network ACL (AWS default 20)", e)
	checkPositive(src, "awsLimits.iamRoles", s.Limits.IAMRoles, "the IAM role quota of the SaaS account (AWS default 1000)", e)
	checkPositive(src, "awsLimits.usagePlans", s.Limits.UsagePlans, "the API Gateway usage plan quota per region (AWS default 300)", e)
	checkPositive(src, "awsLimits.apiKeys", s.Limits.APIKeys, "the API Gateway API key quota per region (AWS default 10000)", e)
	checkPositive(src, "awsLimits.cognitoGroups", s.Limits.CognitoGroups, "the group quota of a Cognito user pool (AWS default 10000)", e)
	validateTiers(s, e)
}

func validateOrganization(s *Settings, e *errs) {
	src := &s.Source
	o := &s.Organization
	for _, ou := range []struct{ path, value, example string }{
		{"organization.workloadOu", o.WorkloadOU, "Workload"},
		{"organization.suspendedOu", o.SuspendedOU, "Suspended"},
		{"organization.infrastructureOu", o.InfrastructureOU, DefaultInfrastructureOU},
	} {
		switch {
		case ou.value == "":
			e.at(src, ou.path, "required field %q is missing; name the organizational unit, e.g. %s", lastPart(ou.path), ou.example)
		case !ouNameRe.MatchString(ou.value) || !utf8.ValidString(ou.value):
			e.at(src, ou.path, "%q is not a valid OU name; use 1 to 128 printable characters", ou.value)
		}
	}
	if o.WorkloadOU != "" && o.WorkloadOU == o.SuspendedOU {
		e.at(src, "organization.suspendedOu", "suspendedOu equals workloadOu (%q); suspended accounts must move to an OU of their own", o.SuspendedOU)
	}
	if o.InfrastructureOU != "" && (o.InfrastructureOU == o.WorkloadOU || o.InfrastructureOU == o.SuspendedOU) {
		e.at(src, "organization.infrastructureOu", "infrastructureOu equals the workload or suspended OU (%q); the organization's own accounts need an OU of their own, outside the tenants' guard rails", o.InfrastructureOU)
	}
	if o.AccountQuota < 1 {
		e.at(src, "organization.accountQuota", "accountQuota is %d; set it to the organization's account quota (AWS default 10)", o.AccountQuota)
	}
	if o.CloseAfterDays < 1 || o.CloseAfterDays > MaxCloseAfterDays {
		e.at(src, "organization.closeAfterDays", "closeAfterDays is %d; give the days a suspended account is kept before it is closed, 1 to %d (default %d)", o.CloseAfterDays, MaxCloseAfterDays, DefaultCloseAfterDays)
	}
	switch {
	case o.AccountEmail == "":
		e.at(src, "organization.accountEmail", "required field \"accountEmail\" is missing; give the root e-mail pattern of new accounts, e.g. aws+{name}@example.com")
	case !strings.Contains(o.AccountEmail, "{name}") || !strings.Contains(o.AccountEmail, "@"):
		e.at(src, "organization.accountEmail", "%q must be an e-mail address containing {name}, so every account gets its own root address, e.g. aws+{name}@example.com", o.AccountEmail)
	}
	switch {
	case o.AccountName == "":
		e.at(src, "organization.accountName", "required field \"accountName\" is missing; give the name pattern of new accounts, e.g. tenant-{tier}-{seq}")
	case !strings.Contains(o.AccountName, "{seq}"):
		e.at(src, "organization.accountName", "%q must contain {seq}, so that account names are unique, e.g. tenant-{tier}-{seq}", o.AccountName)
	}
	checkRoleName(src, "organization.accessRoleName", o.AccessRoleName, e)
	if o.DeployRoleName == "" {
		e.at(src, "organization.deployRoleName", "required field \"deployRoleName\" is missing; name the role deployments assume in tenant accounts, e.g. TenantctlDeploy")
	} else {
		checkRoleName(src, "organization.deployRoleName", o.DeployRoleName, e)
	}
	// The preview role is read-only and trusts its own external id; sharing a
	// name with the deploy (or access) role would merge the two roles.
	checkRoleName(src, "organization.previewRoleName", o.PreviewRoleName, e)
	if o.PreviewRoleName != "" && (o.PreviewRoleName == o.DeployRoleName || o.PreviewRoleName == o.AccessRoleName) {
		e.at(src, "organization.previewRoleName", "%q is also the deploy or access role's name; pull-request previews need a read-only role of their own, e.g. TenantctlPreview", o.PreviewRoleName)
	}
	if o.DeploymentAccountID == "" {
		e.at(src, "organization.deploymentAccountId", "required field \"deploymentAccountId\" is missing; give the 12-digit account pipelines deploy from, quoted, e.g. \"123456789012\"")
	} else {
		checkAccountID(src, "organization.deploymentAccountId", o.DeploymentAccountID, e)
	}
}

func validateTiers(s *Settings, e *errs) {
	src := &s.Source
	if len(s.Tiers) == 0 {
		e.at(src, "tiers", "at least one tier is required; define e.g. tiers: {free: {rank: 0, models: [application], defaultModel: application, ...}}")
		return
	}
	for _, name := range sortedKeys(s.Tiers) {
		tier := s.Tiers[name]
		p := "tiers." + name
		if !prefixRe.MatchString(name) || len(name) > 32 {
			e.atKey(src, "tiers", name, "tier name %q is not valid; use lowercase letters, digits and '-', starting with a letter, at most 32 characters", name)
		}
		if tier == nil {
			e.at(src, p, "tier %q is empty; give at least models, defaultModel, throttle and quota", name)
			continue
		}
		if tier.Rank < 0 {
			e.at(src, p+".rank", "rank is %d; use 0 or more (lower ranks roll out first)", tier.Rank)
		}
		if len(tier.Models) == 0 {
			e.at(src, p+".models", "tier %q allows no model; list at least one of %s", name, modelList())
		}
		seen := map[IsolationModel]bool{}
		for i, m := range tier.Models {
			mp := fmt.Sprintf("%s.models[%d]", p, i)
			switch {
			case !m.Valid():
				e.at(src, mp, "unknown model %q; use one of %s", m, modelList())
			case seen[m]:
				e.at(src, mp, "model %q is listed twice; remove the duplicate", m)
			}
			seen[m] = true
		}
		switch {
		case tier.DefaultModel == "":
			e.at(src, p+".defaultModel", "required field \"defaultModel\" is missing; name the model of tenants that name none, one of the tier's models")
		case !tier.DefaultModel.Valid():
			e.at(src, p+".defaultModel", "unknown model %q; use one of %s", tier.DefaultModel, modelList())
		case !tier.Allows(tier.DefaultModel):
			e.at(src, p+".defaultModel", "defaultModel %q is not among the tier's models %s; add it to models or pick one of them", tier.DefaultModel, joinModels(tier.Models))
		}
		if tier.Throttle.RateLimit <= 0 {
			e.at(src, p+".throttle.rateLimit", "rateLimit is %v; give the steady-state requests per second, more than 0", tier.Throttle.RateLimit)
		}
		if tier.Throttle.BurstLimit < 1 {
			e.at(src, p+".throttle.burstLimit", "burstLimit is %d; give the burst of requests allowed, 1 or more", tier.Throttle.BurstLimit)
		}
		if tier.Quota.Limit < 1 {
			e.at(src, p+".quota.limit", "limit is %d; give the requests per quota period, 1 or more", tier.Quota.Limit)
		}
		checkQuotaPeriod(src, p+".quota.period", tier.Quota.Period, e)
		sv := tier.Service
		if sv.CPU != 0 || sv.Memory != 0 {
			checkFargate(src, p+".service", sv.CPU, sv.Memory, e)
		}
		if sv.DesiredCount < 0 {
			e.at(src, p+".service.desiredCount", "desiredCount is %d; use 0 or more", sv.DesiredCount)
		}
		validateTierService(src, p, tier, e)
		validateTierWAF(src, p, tier, e)
		switch {
		case tier.MonthlyBudgetUSD < 0:
			e.at(src, p+".monthlyBudgetUsd", "monthlyBudgetUsd is %v; use 0 (no budget) or more", tier.MonthlyBudgetUSD)
		case tier.MonthlyBudgetUSD == 0 && tier.Allows(ModelAccount):
			e.at(src, p+".monthlyBudgetUsd", "tier %q allows the account model, whose tenants' accounts get a monthly budget with an alert; set monthlyBudgetUsd to the budget in USD, e.g. 5000", name)
		}
		if tier.AccountPool.Target < 0 {
			e.at(src, p+".accountPool.target", "target is %d; use 0 or more", tier.AccountPool.Target)
		}
		for i, q := range tier.AccountPool.ServiceQuotas {
			qp := fmt.Sprintf("%s.accountPool.serviceQuotas[%d]", p, i)
			if q.ServiceCode == "" {
				e.at(src, qp+".serviceCode", "required field \"serviceCode\" is missing; give the Service Quotas service code, e.g. vpc")
			}
			if q.QuotaCode == "" {
				e.at(src, qp+".quotaCode", "required field \"quotaCode\" is missing; give the Service Quotas quota code, e.g. L-F678F1CE")
			}
			if q.Value <= 0 {
				e.at(src, qp+".value", "value is %v; give the least quota value, more than 0", q.Value)
			}
		}
	}
}

func validateTenant(s *Settings, t *Tenant, e *errs) {
	src := &t.Source
	want := strings.TrimSuffix(strings.TrimSuffix(filepath.Base(src.File), ".yaml"), ".yml")
	switch {
	case t.ID == "":
		e.at(src, "id", "required field \"id\" is missing; add id: %s (the file name without .yaml)", want)
	case len(t.ID) > MaxTenantID || !dnsLabelRe.MatchString(t.ID):
		e.at(src, "id", "%q is not a valid tenant id; use a DNS label: lowercase letters, digits and '-', not starting or ending with '-', at most %d characters", t.ID, MaxTenantID)
	case IsReservedTenantID(t.ID):
		e.at(src, "id", "%q is reserved: tenantctl names its own stacks or resources with it (reserved ids: %s), and a tenant with this id would share them; pick another id and rename the file to match", t.ID, strings.Join(ReservedTenantIDs(), ", "))
	case src.File != "" && t.ID != want:
		e.at(src, "id", "id %q does not match the file name %s; rename the file to %s.yaml or set id: %s", t.ID, filepath.Base(src.File), t.ID, want)
	}
	if strings.TrimSpace(t.Name) == "" {
		e.at(src, "name", "required field \"name\" is missing; give the tenant's display name")
	} else if len(t.Name) > MaxTagValue {
		e.at(src, "name", "name is %d characters; shorten it to at most %d", len(t.Name), MaxTagValue)
	}
	tier := s.Tiers[t.Tier]
	switch {
	case t.Tier == "":
		e.at(src, "tier", "required field \"tier\" is missing; use one of the tiers of fleet.yaml: %s", strings.Join(sortedKeys(s.Tiers), ", "))
	case tier == nil:
		tiers := sortedKeys(s.Tiers)
		e.at(src, "tier", "unknown tier %q%s; use one of the tiers of fleet.yaml: %s", t.Tier, DidYouMean(t.Tier, tiers), strings.Join(tiers, ", "))
	}
	switch {
	case t.Model == "":
		if tier != nil {
			e.at(src, "model", "model is missing and tier %q has no default model; set model: to one of %s", t.Tier, joinModels(tier.Models))
		}
	case !t.Model.Valid():
		e.at(src, "model", "unknown model %q%s; use one of %s", t.Model, DidYouMean(string(t.Model), strings.Split(modelList(), ", ")), modelList())
	case tier != nil && !tier.Allows(t.Model):
		e.at(src, "model", "tier %q does not allow the %s model; use one of %s, or move the tenant to a tier that allows %s", t.Tier, t.Model, joinModels(tier.Models), t.Model)
	}
	if !t.Status.Valid() {
		e.at(src, "status", "unknown status %q%s; use onboarding, active or suspended", t.Status, DidYouMean(string(t.Status), []string{"onboarding", "active", "suspended"}))
	}
	if t.Region != s.PlatformRegion {
		// A tenant in the platform region is checked with the settings.
		checkRegion(src, "region", t.Region, false, e)
	}
	if t.Model.Valid() && t.Model != ModelAccount && t.Region != s.PlatformRegion && s.PlatformRegion != "" && regionRe.MatchString(t.Region) {
		e.at(src, "region", "the %s model builds on the platform's resources in the platform region %s, not %s; remove region or set it to %s (only account-model tenants live in other regions)", t.Model, s.PlatformRegion, t.Region, s.PlatformRegion)
	}
	if t.CostCenter == "" {
		e.at(src, "costCenter", "required field \"costCenter\" is missing; give the cost center chargeback bills, e.g. CC-1001")
	} else {
		checkTagValue(src, "costCenter", t.CostCenter, e)
	}
	if t.Owner == "" {
		e.at(src, "owner", "required field \"owner\" is missing; give the e-mail address of the team that answers for the tenant")
	} else if !isEmail(t.Owner) {
		e.at(src, "owner", "%q is not an e-mail address; write a bare address such as team@example.com", t.Owner)
	}
	// Map order is fine: the errors are sorted by position at the end.
	for k := range t.Labels {
		if !labelKeyRe.MatchString(k) {
			e.atKey(src, "labels", k, "label key %q is not valid; use letters, digits, '.', '_', '/', '-', starting and ending with a letter or digit, at most 63 characters", k)
		}
		if v := t.Labels[k]; !labelValRe.MatchString(v) {
			e.at(src, "labels."+k, "label value %q is not valid; use letters, digits, '.', '_', '-', at most 63 characters (it is matched by --label %s=<value>)", v, k)
		}
	}
	checkTags(s, t, e)
	if t.Release != "" && !releaseRe.MatchString(t.Release) {
		e.at(src, "release", "%q is not a release name; use letters, digits, '.', '_', '+', '-', at most 63 characters, e.g. 2026.10.2", t.Release)
	}
	validateTenantBlocks(s, t, e)
	validateReach(s, t, e)
	validateData(t, tier, e)
	validateMigration(t, e)
	checkNames(s, t, e)
}

// validateMigration checks a migration marker: two different models, the
// second the tenant's own. The account model's data lives in the tenant's
// account, which the platform's tables cannot reach: no migration moves it.
func validateMigration(t *Tenant, e *errs) {
	m := t.Migration
	if m == nil {
		return
	}
	src := &t.Source
	for _, side := range []struct {
		path  string
		model IsolationModel
	}{{"migration.from", m.From}, {"migration.to", m.To}} {
		switch {
		case side.model == "":
			e.at(src, "migration", "%s is missing; write migration: {from: <old model>, to: <new model>}", lastPart(side.path))
		case !side.model.Valid():
			e.at(src, side.path, "unknown model %q%s; use one of %s", side.model, DidYouMean(string(side.model), strings.Split(modelList(), ", ")), modelList())
		case side.model == ModelAccount:
			e.at(src, side.path, "the account model keeps the tenant's data in its own account; tenantctl migrate moves data between the platform's tables only, so an account-model tenant cannot be migrated")
		}
	}
	if !m.From.Valid() || !m.To.Valid() {
		return
	}
	switch {
	case m.From == m.To:
		e.at(src, "migration.to", "from and to are both %s; a migration changes the model, remove the migration block", m.To)
	case t.Model.Valid() && m.To != t.Model:
		e.at(src, "migration.to", "the tenant's model is %s, not %s; set model: %s (the model it moves to) or fix migration.to", t.Model, m.To, m.To)
	}
}

// validateTenantBlocks checks the model-specific blocks: each present exactly when
// the tenant's model needs it.
func validateTenantBlocks(s *Settings, t *Tenant, e *errs) {
	src := &t.Source
	m := t.Model
	if !m.Valid() {
		return
	}
	tier := s.Tiers[t.Tier]
	// account: the account model only.
	if m == ModelAccount {
		a := t.Account
		switch {
		case a == nil || (a.ID == "" && a.Pool == ""):
			e.at(src, "account", "an account-model tenant needs account.id (its 12-digit account) or account.pool (a tier's pool to draw from)")
		case a.ID != "" && a.Pool != "":
			e.at(src, "account.pool", "give either account.id or account.pool, not both; remove pool once the tenant has its account")
		case a.ID != "":
			checkAccountID(src, "account.id", a.ID, e)
		case s.Tiers[a.Pool] == nil:
			e.at(src, "account.pool", "unknown account pool %q; pools are the tiers of fleet.yaml: %s", a.Pool, strings.Join(sortedKeys(s.Tiers), ", "))
		}
	} else if t.Account != nil {
		e.at(src, "account", "the account block is only for the account model (this tenant uses %s); remove it", m)
	}
	// network: the account and vpc models.
	if m == ModelAccount || m == ModelVPC {
		if t.Network == nil {
			e.at(src, "network", "a %s-model tenant needs network.cidr, its VPC's IPv4 CIDR (/16 to /28), e.g. network: {cidr: 10.20.0.0/16}", m)
		} else {
			n := t.Network
			if n.CIDR == "" {
				e.at(src, "network.cidr", "required field \"cidr\" is missing; give the VPC's IPv4 CIDR (/16 to /28), e.g. 10.20.0.0/16")
			} else if p, ok := checkCIDR(src, "network.cidr", n.CIDR, e); ok && n.AZCount >= 1 && n.AZCount <= MaxAZCount {
				// Two subnets (public and private) per AZ must each still be a /28 or larger.
				if need := p.Bits() + subnetBits(2*n.AZCount); need > 28 {
					e.at(src, "network.cidr", "%s is too small for %d AZs with a public and a private subnet each (/%d subnets, AWS allows at most /28); use a larger CIDR or fewer AZs", n.CIDR, n.AZCount, need)
				}
			}
			if n.AZCount < 1 || n.AZCount > MaxAZCount {
				e.at(src, "network.azCount", "azCount is %d; use 1 to %d availability zones", n.AZCount, MaxAZCount)
			}
			if n.SharedServices && m != ModelVPC {
				e.at(src, "network.sharedServices", "sharedServices attaches a vpc-model VPC to the platform; an account-model tenant's VPC is in its own account, remove it")
			}
		}
	} else if t.Network != nil {
		e.at(src, "network", "the network block is only for the account and vpc models (this tenant uses %s); remove it", m)
	}
	// subnets: the subnet model.
	if m == ModelSubnet {
		switch {
		case len(t.Subnets) == 0:
			e.at(src, "subnets", "a subnet-model tenant needs subnets: one CIDR per AZ inside the shared VPC %s, e.g. [10.0.16.0/24, 10.0.17.0/24]", s.SharedVPC.CIDR)
		case len(t.Subnets) > MaxSubnetsOf:
			e.at(src, "subnets", "%d subnets; give one per AZ, at most %d", len(t.Subnets), MaxSubnetsOf)
		case s.Limits.NACLRules > 0 && SubnetNACLRules(s, t) > s.Limits.NACLRules:
			n := SubnetNACLRules(s, t)
			e.at(src, "subnets", "the tenant's network ACL needs %d rules per direction (one per subnet, one per load balancer subnet of the platform and %d more), more than the quota of %d (awsLimits.naclRules); give fewer subnets, or raise the quota in Service Quotas and in fleet.yaml", n, SubnetNACLBaseRules, s.Limits.NACLRules)
		}
		for i, c := range t.Subnets {
			if _, err := ParseCIDR(c); err != nil {
				e.at(src, fmt.Sprintf("subnets[%d]", i), "%s", err.Error())
			}
		}
	} else if len(t.Subnets) > 0 {
		e.at(src, "subnets", "subnets are only for the subnet model (this tenant uses %s); remove them", m)
	}
	// service: every model that runs a container.
	if m.RunsService() {
		if t.Service != nil {
			validateService(t, tier, e)
		}
	} else if t.Service != nil {
		e.at(src, "service", "the service block is for models that run a container; the %s model pools the tenant, remove it", m)
	}
	// limits: the application model.
	if m == ModelApplication {
		// Limits equal to the tier's come from it (or repeat it) and are checked there.
		if l := t.Limits; l != nil && (tier == nil || *l != tierLimits(tier)) {
			if l.RateLimit <= 0 {
				e.at(src, "limits.rateLimit", "rateLimit is %v; give the steady-state requests per second, more than 0", l.RateLimit)
			}
			if l.BurstLimit < 1 {
				e.at(src, "limits.burstLimit", "burstLimit is %d; give the burst of requests allowed, 1 or more", l.BurstLimit)
			} else if float64(l.BurstLimit) < l.RateLimit {
				e.at(src, "limits.burstLimit", "burstLimit %d is below rateLimit %v; API Gateway needs the burst to be at least the rate", l.BurstLimit, l.RateLimit)
			}
			if l.QuotaLimit < 1 {
				e.at(src, "limits.quotaLimit", "quotaLimit is %d; give the requests per quota period, 1 or more", l.QuotaLimit)
			}
			checkQuotaPeriod(src, "limits.quotaPeriod", l.QuotaPeriod, e)
		}
	} else if t.Limits != nil {
		e.at(src, "limits", "limits are for the application model's pooled API (this tenant uses %s); remove them", m)
	}
}

// tierLimits are the limits a tenant of the tier gets when it sets none.
func tierLimits(tier *Tier) LimitsSpec {
	return LimitsSpec{RateLimit: tier.Throttle.RateLimit, BurstLimit: tier.Throttle.BurstLimit, QuotaLimit: tier.Quota.Limit, QuotaPeriod: tier.Quota.Period}
}

func validateService(t *Tenant, tier *Tier, e *errs) {
	src := &t.Source
	sv := t.Service
	if strings.TrimSpace(sv.Image) == "" {
		e.at(src, "service.image", "no container image; set service.image or defaultImage in fleet.yaml")
	} else if strings.ContainsAny(sv.Image, " \t") {
		e.at(src, "service.image", "image %q contains blanks; write a reference such as public.ecr.aws/nginx/nginx:1.27", sv.Image)
	}
	if tier == nil || sv.CPU != tier.Service.CPU || sv.Memory != tier.Service.Memory {
		// A size equal to the tier's comes from it and is checked there.
		checkFargate(src, "service", sv.CPU, sv.Memory, e)
	}
	if sv.DesiredCount < 0 || sv.DesiredCount > 1000 {
		e.at(src, "service.desiredCount", "desiredCount is %d; use 0 to 1000 tasks", sv.DesiredCount)
	}
	if sv.Port < 1 || sv.Port > 65535 {
		e.at(src, "service.port", "port %d is out of range; use a container port from 1 to 65535 (default 8080)", sv.Port)
	}
	if !strings.HasPrefix(sv.HealthCheckPath, "/") || len(sv.HealthCheckPath) > 1024 || strings.ContainsAny(sv.HealthCheckPath, " \t?#") {
		e.at(src, "service.healthCheckPath", "%q is not a health check path; write an absolute path without blanks or query, at most 1024 characters, e.g. /healthz", sv.HealthCheckPath)
	}
	// A tier whose scaling is wrong hands it to every tenant: it is reported
	// once, on the tier, and the tenants are checked once it is fixed.
	if tier == nil || scalingValid(tier.Service) {
		checkScaling(src, "service", sv.DesiredCount, sv.MinCount, sv.MaxCount, sv.TargetCPU, sv.TargetMemory, e)
	}
}

// fargateMemory lists the memory sizes (MiB) Fargate accepts for each CPU size:
// from, to and step.
var fargateMemory = map[int][3]int{
	256:   {512, 2048, 0},
	512:   {1024, 4096, 1024},
	1024:  {2048, 8192, 1024},
	2048:  {4096, 16384, 1024},
	4096:  {8192, 30720, 1024},
	8192:  {16384, 61440, 4096},
	16384: {32768, 122880, 8192},
}

func fargateMemoryOK(cpu, mem int) bool {
	r, ok := fargateMemory[cpu]
	if !ok {
		return false
	}
	if cpu == 256 {
		return mem == 512 || mem == 1024 || mem == 2048
	}
	return mem >= r[0] && mem <= r[1] && (mem-r[0])%r[2] == 0
}

func checkFargate(src *Source, path string, cpu, mem int, e *errs) {
	if _, ok := fargateMemory[cpu]; !ok {
		e.at(src, path+".cpu", "cpu %d is not a Fargate size; use 256, 512, 1024, 2048, 4096, 8192 or 16384", cpu)
		return
	}
	if !fargateMemoryOK(cpu, mem) {
		r := fargateMemory[cpu]
		allowed := fmt.Sprintf("a value from %d to %d in steps of %d", r[0], r[1], r[2])
		if cpu == 256 {
			allowed = "512, 1024 or 2048"
		}
		from := ""
		if src.tree != nil && !src.has(path+".memory") {
			from = " (the tier's default)"
		}
		e.at(src, path+".memory", "memory %d MiB%s is not valid with cpu %d on Fargate; set memory to %s", mem, from, cpu, allowed)
	}
}

// checkTags applies AWS's tag rules to the tenant's own tags and counts them
// together with the cost-allocation tags tenantctl adds.
func checkTags(s *Settings, t *Tenant, e *errs) {
	src := &t.Source
	for k, v := range t.Tags {
		switch {
		case k == "" || utf8.RuneCountInString(k) > MaxTagKey:
			e.atKey(src, "tags", k, "tag key %q must be 1 to %d characters", k, MaxTagKey)
		case len(k) >= 4 && strings.EqualFold(k[:4], "aws:"):
			e.atKey(src, "tags", k, "tag key %q uses the aws: prefix, which AWS reserves; drop the prefix", k)
		case isReservedTag(k):
			e.atKey(src, "tags", k, "tag key %q is set by tenantctl (%s); remove it or pick another key", k, strings.Join(ReservedTagKeys, ", "))
		default:
			if r, bad := badTagChar(k); bad {
				e.atKey(src, "tags", k, "tag key %q has the character %q, which AWS does not allow in tags; use %s", k, r, tagCharsText)
			}
		}
		if utf8.RuneCountInString(v) > MaxTagValue {
			e.at(src, "tags."+k, "tag value of %q is %d characters; AWS allows at most %d", k, utf8.RuneCountInString(v), MaxTagValue)
		} else if r, bad := badTagChar(v); bad {
			e.at(src, "tags."+k, "tag value of %q has the character %q, which AWS does not allow in tags; use %s", k, r, tagCharsText)
		}
	}
	if n := len(t.Tags) + addedTags; len(t.Tags) > 0 && n > MaxTags {
		e.at(src, "tags", "%d tags with the %d cost-allocation tags tenantctl adds; AWS allows at most %d per resource, remove %d", n, addedTags, MaxTags, n-MaxTags)
	}
}

// addedTags is how many tags CostTags adds to a tenant's own.
var addedTags = len(CostTags(&Settings{}, &Tenant{}))

func isReservedTag(k string) bool {
	for _, r := range ReservedTagKeys {
		if strings.EqualFold(k, r) {
			return true
		}
	}
	return false
}

// tagCharsText says in a message which characters AWS allows in tags.
const tagCharsText = "letters, digits, spaces and _ . : / = + - @ (no tabs, line breaks or other control characters)"

// badTagChar returns the first character of s that AWS refuses in a tag key or
// value, and false when there is none. AWS's pattern is
// ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$ (e.g. the EFS and Service Quotas Tag API
// references): Unicode letters, separators (the space, not tabs or line
// breaks, which are control characters), numbers and seven punctuation marks.
func badTagChar(s string) (rune, bool) {
	for _, r := range s { // an invalid byte decodes as U+FFFD, a symbol: refused
		if unicode.In(r, unicode.L, unicode.Z, unicode.N) || strings.ContainsRune("_.:/=+-@", r) {
			continue
		}
		return r, true
	}
	return 0, false
}

// checkNames refuses an id whose target group name (TargetGroupName) would need
// shortening: tenantctl keeps the names it builds readable.
func checkNames(s *Settings, t *Tenant, e *errs) {
	if t.ID == "" || s.NamePrefix == "" || !t.Model.RunsService() {
		return
	}
	// The length first: the name is built only for the message.
	if len(s.NamePrefix)+1+len(t.ID)+1+len(naming.TargetGroupSuffix) > naming.MaxTargetGroup {
		n := TargetGroupName(s, t)
		e.at(&t.Source, "id", "the target group name %s is %d characters, more than the %d Elastic Load Balancing allows; shorten the id by %d characters", n, len(n), naming.MaxTargetGroup, len(n)-naming.MaxTargetGroup)
	}
}

func checkRegion(src *Source, path, region string, required bool, e *errs) {
	switch {
	case region == "":
		if required {
			e.at(src, path, "required field %q is missing; give an AWS region, e.g. us-east-1", lastPart(path))
		}
	case !regionRe.MatchString(region):
		e.at(src, path, "%q is not an AWS region name; write e.g. us-east-1 or eu-west-1", region)
	}
}

func checkAccountID(src *Source, path, id string, e *errs) {
	if !naming.IsAccountID(id) {
		e.at(src, path, "%q is not an AWS account id; write the 12 digits in quotes (YAML drops leading zeros of numbers), e.g. \"012345678901\"", id)
	}
}

func checkRoleName(src *Source, path, name string, e *errs) {
	if !iamNameRe.MatchString(name) {
		e.at(src, path, "%q is not an IAM role name; use 1 to 64 letters, digits and + = , . @ _ -", name)
	}
}

// checkTagValue applies AWS's tag value rules to a field that becomes a tag value.
func checkTagValue(src *Source, path, v string, e *errs) {
	if n := utf8.RuneCountInString(v); n > MaxTagValue {
		e.at(src, path, "%s is %d characters and becomes a tag value; AWS allows at most %d", lastPart(path), n, MaxTagValue)
	} else if r, bad := badTagChar(v); bad {
		e.at(src, path, "%q becomes a tag value and has the character %q, which AWS does not allow in tags; use %s", v, r, tagCharsText)
	}
}

func checkQuotaPeriod(src *Source, path, p string, e *errs) {
	for _, q := range QuotaPeriods {
		if p == q {
			return
		}
	}
	e.at(src, path, "quota period %q is not valid; use DAY, WEEK or MONTH", p)
}

func checkPositive(src *Source, path string, v int, what string, e *errs) {
	if v < 1 {
		e.at(src, path, "%s is %d; set it to %s, 1 or more", lastPart(path), v, what)
	}
}

func lastPart(path string) string {
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		return path[i+1:]
	}
	return path
}

// Valid reports whether m is one of Models.
func (m IsolationModel) Valid() bool {
	for _, x := range Models {
		if m == x {
			return true
		}
	}
	return false
}

// Valid reports whether s is one of Statuses.
func (s Status) Valid() bool {
	return s == StatusOnboarding || s == StatusActive || s == StatusSuspended
}

// Allows reports whether the tier allows the model.
func (t *Tier) Allows(m IsolationModel) bool {
	for _, x := range t.Models {
		if x == m {
			return true
		}
	}
	return false
}

func modelList() string { return joinModels(Models) }

func joinModels(ms []IsolationModel) string {
	s := make([]string, len(ms))
	for i, m := range ms {
		s[i] = string(m)
	}
	return strings.Join(s, ", ")
}

// isEmail reports whether s is a bare e-mail address (local@domain.tld). It is
// written out rather than a regular expression: it runs for every tenant.
func isEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	if at < 1 || at > 64 {
		return false
	}
	for i := 0; i < at; i++ {
		c := s[i]
		if !isAlnum(c) && !strings.ContainsRune(".!#$%&'*+/=?^_{|}~-", rune(c)) {
			return false
		}
	}
	return isDomain(s[at+1:])
}

// isDomain reports whether s is a DNS name of two or more labels (letters,
// digits, inner '-') ending in a top-level domain of letters.
func isDomain(s string) bool {
	if len(s) == 0 || len(s) > 253 {
		return false
	}
	labels := 0
	for len(s) > 0 {
		label := s
		if i := strings.IndexByte(s, '.'); i >= 0 {
			label, s = s[:i], s[i+1:]
			if s == "" {
				return false
			}
		} else {
			s = ""
		}
		if len(label) == 0 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		letters := true
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !isAlnum(c) && c != '-' {
				return false
			}
			letters = letters && (c|0x20 >= 'a' && c|0x20 <= 'z')
		}
		labels++
		if s == "" && (!letters || len(label) < 2) {
			return false
		}
	}
	return labels >= 2
}

func isAlnum(c byte) bool {
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}
