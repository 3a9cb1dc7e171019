package spec

import "testing"

// TestBaselineDefaults: a tier without waf gets AWS WAF's default rate
// limit, one with its own keeps it; audit records are kept a year and the
// organization's own accounts go to the Infrastructure OU unless the fleet
// says otherwise.
func TestBaselineDefaults(t *testing.T) {
	f, err := LoadDir(sampleDir)
	if err != nil {
		t.Fatal(err)
	}
	s := &f.Settings
	for tier, want := range map[string]int{"free": DefaultWAFRateLimit, "standard": DefaultWAFRateLimit, "premium": 5000, "enterprise": 10000} {
		if got := s.Tiers[tier].WAF.RateLimit; got != want {
			t.Errorf("tier %s: waf.rateLimit %d, want %d", tier, got, want)
		}
	}
	if s.Audit.RetentionDays != DefaultAuditRetentionDays || s.Audit.LogArchiveAccountID != "" {
		t.Errorf("audit %+v, want %d days in the platform's account", s.Audit, DefaultAuditRetentionDays)
	}
	if s.Organization.InfrastructureOU != DefaultInfrastructureOU {
		t.Errorf("infrastructureOu %q, want %q", s.Organization.InfrastructureOU, DefaultInfrastructureOU)
	}
	if s.Alerts.OnCallEmail != "oncall@example.com" {
		t.Errorf("alerts.onCallEmail %q", s.Alerts.OnCallEmail)
	}
}
