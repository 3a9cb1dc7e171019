// Package metering is what a SaaS application uses to record how much of the
// pooled platform each tenant consumes, and what tenantctl's chargeback reads
// back: one CloudWatch namespace, one TenantId dimension and a fixed set of
// metric names, defined here once for both sides.
//
// An application emits usage as CloudWatch embedded metric format (EMF) log
// lines (EMFWriter: cheapest, CloudWatch Logs turns them into metrics), straight
// through PutMetricData (NewPublisher: batched, for processes without a log
// agent), or onto the platform's Kinesis metering stream (NewStreamPublisher:
// EMF records, for a consumer to log or archive). All produce the same metrics.
package metering

import (
	"fmt"
	"math"
	"regexp"
	"time"
)

// Namespace is the CloudWatch namespace of every metering metric.
const Namespace = "Tenantctl/Metering"

// DimensionTenantID is the only dimension of metering metrics. It is the same
// key as the TenantId cost-allocation tag (spec.TagTenantID), so one word names
// a tenant in tags, metrics and reports.
const DimensionTenantID = "TenantId"

// Metric names. Every one is a count summed over the chargeback period.
const (
	// MetricRequests counts API requests a tenant made to the pooled service.
	MetricRequests = "Requests"
	// MetricCapacityUnits counts DynamoDB read and write capacity units the
	// tenant's requests consumed on the pooled tables (ConsumedCapacity.CapacityUnits).
	MetricCapacityUnits = "CapacityUnits"
)

// Metrics lists every metering metric, in the order reports show them.
var Metrics = []string{MetricRequests, MetricCapacityUnits}

// KnownMetric reports whether name is one of Metrics.
func KnownMetric(name string) bool {
	for _, m := range Metrics {
		if m == name {
			return true
		}
	}
	return false
}

// Usage is what one tenant consumed at one moment (or over a short interval the
// caller aggregated itself).
type Usage struct {
	TenantID string
	// Time is when the usage happened; the zero time means now.
	Time time.Time
	// Requests is a count of requests (MetricRequests).
	Requests float64
	// CapacityUnits is consumed capacity units (MetricCapacityUnits).
	CapacityUnits float64
}

// values returns the usage as metric name → value, in Metrics order.
func (u Usage) values() []float64 { return []float64{u.Requests, u.CapacityUnits} }

// tenantIDRe is the tenant id rule of tenants/<id>.yaml: a DNS label of at most
// 40 characters. The application must meter under the same id or chargeback
// cannot match its usage to a tenant.
var tenantIDRe = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$`)

// ValidateTenantID returns an error when id is not a tenant id.
func ValidateTenantID(id string) error {
	if id == "" {
		return fmt.Errorf("metering: empty tenant id")
	}
	if !tenantIDRe.MatchString(id) {
		return fmt.Errorf("metering: tenant id %q is not a tenant id (lowercase letters, digits and '-', at most 40 characters, as in tenants/<id>.yaml)", id)
	}
	return nil
}

// Validate checks the tenant id and that every value is a finite count ≥ 0.
func (u Usage) Validate() error {
	if err := ValidateTenantID(u.TenantID); err != nil {
		return err
	}
	for i, v := range u.values() {
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			return fmt.Errorf("metering: tenant %s: %s must be a finite count ≥ 0, got %v", u.TenantID, Metrics[i], v)
		}
	}
	return nil
}

func (u Usage) at(now func() time.Time) time.Time {
	if u.Time.IsZero() {
		return now()
	}
	return u.Time
}
