package spec

// Defaults of fields a file may leave out.
const (
	DefaultAZCount          = 2
	DefaultPort             = 8080
	DefaultHealthCheckPath  = "/healthz"
	DefaultAccessRoleName   = "OrganizationAccountAccessRole"
	DefaultPreviewRoleName  = "TenantctlPreview"
	DefaultAccountQuota     = 10
	DefaultCloseAfterDays   = 90
	DefaultRulesPerListener = 100
	DefaultVPCsPerRegion    = 5
	DefaultSubnetsPerVPC    = 200
	DefaultNACLRules        = 20
	DefaultIAMRoles         = 1000
	DefaultUsagePlans       = 300
	DefaultAPIKeys          = 10000
	DefaultCognitoGroups    = 10000
	DefaultCPU              = 256
	DefaultMemory           = 512
	DefaultDesiredCount     = 1
	DefaultInfrastructureOU = "Infrastructure"
	// DefaultWAFRateLimit is AWS WAF's own default of a rate-based rule:
	// requests per client IP in 5 minutes.
	DefaultWAFRateLimit = 2000
	// DefaultAuditRetentionDays keeps audit records locked for a year.
	DefaultAuditRetentionDays = 365
)

// SetDefaults fills what the files left out: AWS quota defaults in the settings,
// and in each tenant the status, region, and the model, service size and limits
// of its tier. It runs after decoding and before validation, and never overrides
// a value a file gives. Tenants whose tier is unknown keep their gaps; validation
// reports the tier.
func SetDefaults(f *Fleet) {
	s := &f.Settings
	setInt(&s.SharedVPC.AZCount, DefaultAZCount)
	setInt(&s.Organization.AccountQuota, DefaultAccountQuota)
	setInt(&s.Organization.CloseAfterDays, DefaultCloseAfterDays)
	setString(&s.Organization.AccessRoleName, DefaultAccessRoleName)
	setString(&s.Organization.PreviewRoleName, DefaultPreviewRoleName)
	setString(&s.Organization.InfrastructureOU, DefaultInfrastructureOU)
	setInt(&s.Audit.RetentionDays, DefaultAuditRetentionDays)
	for _, tier := range s.Tiers {
		if tier != nil {
			setInt(&tier.WAF.RateLimit, DefaultWAFRateLimit)
		}
	}
	setInt(&s.LoadBalancer.RulesPerListener, DefaultRulesPerListener)
	setInt(&s.Limits.VPCsPerRegion, DefaultVPCsPerRegion)
	setInt(&s.Limits.SubnetsPerVPC, DefaultSubnetsPerVPC)
	setInt(&s.Limits.NACLRules, DefaultNACLRules)
	setInt(&s.Limits.IAMRoles, DefaultIAMRoles)
	setInt(&s.Limits.UsagePlans, DefaultUsagePlans)
	setInt(&s.Limits.APIKeys, DefaultAPIKeys)
	setInt(&s.Limits.CognitoGroups, DefaultCognitoGroups)
	for _, t := range f.Tenants {
		setTenantDefaults(s, t)
	}
}

func setTenantDefaults(s *Settings, t *Tenant) {
	if t.Status == "" {
		t.Status = StatusActive
	}
	setString(&t.Region, s.PlatformRegion)
	tier := s.Tiers[t.Tier]
	if tier != nil && t.Model == "" {
		t.Model = tier.DefaultModel
	}
	if t.Network != nil {
		setInt(&t.Network.AZCount, DefaultAZCount)
	}
	if t.Model == ModelAccount {
		if t.Account == nil {
			t.Account = &AccountSpec{}
		}
		if t.Account.ID == "" {
			setString(&t.Account.Pool, t.Tier)
		}
	}
	if t.Model.RunsService() {
		if t.Service == nil {
			t.Service = &ServiceSpec{}
		}
		sv := t.Service
		setString(&sv.Image, s.DefaultImage)
		setInt(&sv.Port, DefaultPort)
		setString(&sv.HealthCheckPath, DefaultHealthCheckPath)
		if tier != nil {
			d := tier.Service
			setInt(&sv.CPU, d.CPU)
			setInt(&sv.Memory, d.Memory)
			setInt(&sv.DesiredCount, d.DesiredCount)
			setInt(&sv.MinCount, d.MinCount)
			setInt(&sv.MaxCount, d.MaxCount)
			setInt(&sv.TargetCPU, d.TargetCPU)
			setInt(&sv.TargetMemory, d.TargetMemory)
		}
		setInt(&sv.CPU, DefaultCPU)
		setInt(&sv.Memory, DefaultMemory)
		setInt(&sv.DesiredCount, DefaultDesiredCount)
		setInt(&sv.MinCount, DefaultMinCount)
		setInt(&sv.MaxCount, max(sv.MinCount, DefaultMaxFactor*sv.DesiredCount))
		setInt(&sv.TargetCPU, DefaultTargetCPU)
		setInt(&sv.TargetMemory, DefaultTargetMemory)
	}
	if t.Model.Valid() {
		if t.Data == nil {
			t.Data = &DataSpec{}
		}
		if t.Data.Mode == "" && tier != nil && t.Model.Honours(tier.Data.Mode) {
			t.Data.Mode = tier.Data.Mode
		}
		if t.Data.Mode == "" {
			t.Data.Mode = t.Model.DefaultData()
		}
	}
	if t.Model == ModelApplication && tier != nil {
		if t.Limits == nil {
			t.Limits = &LimitsSpec{}
		}
		l := t.Limits
		if l.RateLimit == 0 {
			l.RateLimit = tier.Throttle.RateLimit
		}
		setInt(&l.BurstLimit, tier.Throttle.BurstLimit)
		setInt(&l.QuotaLimit, tier.Quota.Limit)
		setString(&l.QuotaPeriod, tier.Quota.Period)
	}
}

func setInt(p *int, v int) {
	if *p == 0 {
		*p = v
	}
}

func setString(p *string, v string) {
	if *p == "" {
		*p = v
	}
}
