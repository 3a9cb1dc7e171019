package spec

// Bounds of the security and observability baseline's settings.
const (
	// MinWAFRateLimit and MaxWAFRateLimit bound a rate-based rule's limit,
	// requests per client IP in 5 minutes, as AWS WAF does.
	MinWAFRateLimit = 10
	MaxWAFRateLimit = 2_000_000_000
	// MaxAuditRetentionDays bounds audit.retentionDays: S3 Object Lock
	// retains for at most 100 years.
	MaxAuditRetentionDays = 36500
)

// BaselineRoles are the IAM roles the platform's security and observability
// baseline adds to the SaaS account: API Gateway's logging role, the log
// archive stream's, the one CloudWatch Logs puts into it with, AWS Config's
// recorder's and its organization aggregator's.
const BaselineRoles = 5

// validateAlertsAndAudit checks who answers alarms and where audit records go.
func validateAlertsAndAudit(s *Settings, e *errs) {
	src := &s.Source
	if m := s.Alerts.OnCallEmail; m != "" && !isEmail(m) {
		e.at(src, "alerts.onCallEmail", "%q is not an e-mail address; write a bare address such as oncall@example.com", m)
	}
	a := &s.Audit
	if id := a.LogArchiveAccountID; id != "" {
		checkAccountID(src, "audit.logArchiveAccountId", id, e)
		if id == s.Organization.DeploymentAccountID {
			e.at(src, "audit.logArchiveAccountId", "account %s is the deployment account (organization.deploymentAccountId); the log archive needs an account of its own, which deployments cannot change", id)
		}
	}
	if a.RetentionDays < 1 || a.RetentionDays > MaxAuditRetentionDays {
		e.at(src, "audit.retentionDays", "retentionDays is %d; keep audit records 1 to %d days (default %d)", a.RetentionDays, MaxAuditRetentionDays, DefaultAuditRetentionDays)
	}
}

// validateTierWAF checks the tier's web ACL settings.
func validateTierWAF(src *Source, p string, tier *Tier, e *errs) {
	if r := tier.WAF.RateLimit; r < MinWAFRateLimit || r > MaxWAFRateLimit {
		e.at(src, p+".waf.rateLimit", "rateLimit is %d; AWS WAF takes %d to %d requests per client IP in 5 minutes (default %d)", r, MinWAFRateLimit, MaxWAFRateLimit, DefaultWAFRateLimit)
	}
}
