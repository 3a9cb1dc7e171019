package spec

//go:generate go run ./schemagen -types types.go -out ../../schema

import (
	"github.com/tenantctl/tenantctl/internal/naming"
)

// SchemaRules are the constraints validation enforces that an editor can check
// too, keyed by Type.Field, for the schema generator (./schemagen). They live
// here, beside validation and its patterns and limits, so the two cannot drift;
// validation remains the authority: fleet-wide rules (overlaps, uniqueness,
// quotas) are beyond a schema. The runtime never builds a schema: tenantctl
// prints the committed files embedded by package schema.
func SchemaRules() map[string]map[string]any { return schemaRules }

var schemaRules = map[string]map[string]any{
	"Tenant.ID":         {"pattern": `^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`, "maxLength": MaxTenantID, "not": map[string]any{"enum": ReservedTenantIDs()}},
	"Tenant.Name":       {"minLength": 1, "maxLength": MaxTagValue},
	"Tenant.Tier":       {"minLength": 1},
	"Tenant.Region":     {"pattern": regionRe.String()},
	"Tenant.CostCenter": {"minLength": 1, "maxLength": MaxTagValue, "pattern": tagCharsRe.String()},
	"Tenant.Owner":      {"format": "email"},
	"Tenant.Tags": {
		"propertyNames":        map[string]any{"minLength": 1, "maxLength": MaxTagKey, "pattern": tagCharsRe.String(), "not": map[string]any{"pattern": "^[aA][wW][sS]:"}},
		"additionalProperties": map[string]any{"type": "string", "maxLength": MaxTagValue, "pattern": tagCharsRe.String()},
		"maxProperties":        MaxTags - addedTags,
	},
	"Tenant.Subnets":                   {"minItems": 1, "maxItems": MaxSubnetsOf},
	"AccountSpec.ID":                   {"pattern": naming.AccountIDPattern},
	"NetworkSpec.AZCount":              {"minimum": 1, "maximum": MaxAZCount},
	"ServiceSpec.CPU":                  {"enum": fargateCPUs()},
	"ServiceSpec.Port":                 {"minimum": 1, "maximum": 65535},
	"ServiceSpec.DesiredCount":         {"minimum": 0, "maximum": 1000},
	"ServiceSpec.HealthCheckPath":      {"pattern": "^/"},
	"ServiceSpec.ListenerPriority":     {"minimum": 1, "maximum": MaxPriority},
	"ServiceSpec.MinCount":             {"minimum": 1, "maximum": MaxTasks},
	"ServiceSpec.MaxCount":             {"minimum": 1, "maximum": MaxTasks},
	"ServiceSpec.TargetCPU":            {"minimum": MinTargetUtilisation, "maximum": MaxTargetUtilisation},
	"ServiceSpec.TargetMemory":         {"minimum": MinTargetUtilisation, "maximum": MaxTargetUtilisation},
	"ServiceDefaults.MinCount":         {"minimum": 1, "maximum": MaxTasks},
	"ServiceDefaults.MaxCount":         {"minimum": 1, "maximum": MaxTasks},
	"ServiceDefaults.TargetCPU":        {"minimum": MinTargetUtilisation, "maximum": MaxTargetUtilisation},
	"ServiceDefaults.TargetMemory":     {"minimum": MinTargetUtilisation, "maximum": MaxTargetUtilisation},
	"Tenant.DomainName":                {"pattern": domainNameRe.String(), "maxLength": 253},
	"DNS.ZoneID":                       {"pattern": zoneIDRe.String()},
	"LimitsSpec.RateLimit":             {"exclusiveMinimum": 0},
	"LimitsSpec.BurstLimit":            {"minimum": 1},
	"LimitsSpec.QuotaLimit":            {"minimum": 1},
	"LimitsSpec.QuotaPeriod":           {"enum": QuotaPeriods},
	"Settings.NamePrefix":              {"pattern": prefixRe.String(), "maxLength": MaxNamePrefix},
	"Settings.Environment":             {"minLength": 1, "maxLength": MaxTagValue, "pattern": tagCharsRe.String()},
	"Settings.PlatformRegion":          {"pattern": regionRe.String()},
	"Settings.Tiers":                   {"minProperties": 1},
	"SharedVPC.AZCount":                {"minimum": 1, "maximum": MaxAZCount},
	"Organization.AccountQuota":        {"minimum": 1},
	"Organization.CloseAfterDays":      {"minimum": 1, "maximum": MaxCloseAfterDays},
	"Organization.DeployRoleName":      {"pattern": iamNameRe.String()},
	"Organization.AccessRoleName":      {"pattern": iamNameRe.String()},
	"Organization.PreviewRoleName":     {"pattern": iamNameRe.String()},
	"Organization.DeploymentAccountID": {"pattern": naming.AccountIDPattern},
	"Tier.Rank":                        {"minimum": 0},
	"Tier.Models":                      {"minItems": 1, "uniqueItems": true},
	"Quota.Period":                     {"enum": QuotaPeriods},
	"ServiceDefaults.CPU":              {"enum": fargateCPUs()},
	"TierWAF.RateLimit":                {"minimum": MinWAFRateLimit, "maximum": MaxWAFRateLimit},
	"Alerts.OnCallEmail":               {"format": "email"},
	"Audit.LogArchiveAccountID":        {"pattern": naming.AccountIDPattern},
	"Audit.RetentionDays":              {"minimum": 1, "maximum": MaxAuditRetentionDays},
}

func fargateCPUs() []int { return []int{256, 512, 1024, 2048, 4096, 8192, 16384} }
