package emulator

import "github.com/tenantctl/tenantctl/internal/emulator/gaps"

// The gap list lives in internal/emulator/gaps, a package without process
// code that the models link; these names keep it reachable beside the
// launcher for the dev loop and the account lifecycle.

// MotoName is moto's name among the emulators tenantctl knows the gaps of.
const MotoName = gaps.MotoName

// Gap is an AWS behaviour an emulator does not serve (gaps.Gap).
type Gap = gaps.Gap

// GapSet is an emulator's gaps by id (gaps.Set).
type GapSet = gaps.Set

// Gap ids (gaps.BudgetNotifications …).
const (
	GapBudgetNotifications  = gaps.BudgetNotifications
	GapCostAllocationTag    = gaps.CostAllocationTag
	GapMetricAlarm          = gaps.MetricAlarm
	GapTransitGatewayAttach = gaps.TransitGatewayAttach
	GapECSManagedTags       = gaps.ECSManagedTags
	GapServiceQuotaIncrease = gaps.ServiceQuotaIncrease
	GapAWSManagedPolicies   = gaps.AWSManagedPolicies
)

// GapsFor returns the documented gaps of an emulator (gaps.For).
func GapsFor(name string) (GapSet, error) { return gaps.For(name) }
