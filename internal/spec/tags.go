package spec

import "github.com/tenantctl/tenantctl/internal/naming"

// Cost-allocation tag keys that tenantctl puts on every taggable resource. They
// are activated as cost-allocation tags by the platform stack, so Cost Explorer
// can group a month's cost by tenant.
const (
	TagTenantID       = "TenantId"
	TagTier           = "Tier"
	TagIsolationModel = "IsolationModel"
	TagCostCenter     = "CostCenter"
	TagEnvironment    = "Environment"
	TagManagedBy      = "ManagedBy"
	// TagCostPool marks platform resources whose cost is shared by the tenants
	// of a pooled model (value: the model, e.g. "application"); chargeback
	// splits it by metered usage.
	TagCostPool = "CostPool"

	// ManagedByValue is the value of TagManagedBy.
	ManagedByValue = naming.Project
	// PlatformTenantID is the TenantId of the platform stack's resources.
	PlatformTenantID = naming.PlatformStack
)

// Account lifecycle tags on AWS Organizations accounts.
const (
	TagAccountStatus   = "STATUS"
	TagAccountTenantID = "TENANT_ID"
)

// ReservedTagKeys are the keys tenantctl sets itself; a tenant's own tags may
// not use them.
var ReservedTagKeys = []string{TagTenantID, TagTier, TagIsolationModel, TagCostCenter, TagEnvironment, TagManagedBy, TagCostPool}

// CostTags is the full tag set of a tenant's resources: the tenant's own tags
// plus the cost-allocation tags, which win over any same-named key.
func CostTags(s *Settings, t *Tenant) map[string]string {
	tags := make(map[string]string, len(t.Tags)+6)
	for k, v := range t.Tags {
		tags[k] = v
	}
	tags[TagTenantID] = t.ID
	tags[TagTier] = t.Tier
	tags[TagIsolationModel] = string(t.Model)
	tags[TagCostCenter] = t.CostCenter
	tags[TagEnvironment] = s.Environment
	tags[TagManagedBy] = ManagedByValue
	return tags
}

// PlatformTags is the tag set of the platform stack's resources.
func PlatformTags(s *Settings) map[string]string {
	return map[string]string{
		TagTenantID:    PlatformTenantID,
		TagEnvironment: s.Environment,
		TagManagedBy:   ManagedByValue,
		TagCostCenter:  "platform",
	}
}
