package alerting

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/tenantctl/tenantctl/internal/naming"
)

// QuotaUtilisationPercent is when a quota's alarm fires: usage at 80 % of
// the account's applied quota (SERVICE_QUOTA), while there is still time to
// raise it.
const QuotaUtilisationPercent = 80

// Quota is a Service Quotas quota whose usage CloudWatch publishes in the
// AWS/Usage namespace and compares with the applied value (SERVICE_QUOTA).
type Quota struct {
	// Name ends the alarm's signal: quota-<name>.
	Name        string
	Description string
	// Metric is the AWS/Usage metric (ResourceCount, CallCount) and
	// Dimensions its Service, Type, Resource and Class.
	Metric     string
	Dimensions map[string]string
	Stat       string
	// Period is the length of a period in seconds, Periods how many in a
	// row must be at QuotaUtilisationPercent or more.
	Period, Periods int
	// PerSecond: the quota is a rate per second and the metric a count per
	// period, so the usage is divided by the period first.
	PerSecond bool
}

// Quotas are the quotas whose utilisation every account tenantctl deploys
// into is watched: what its services need to grow (Fargate vCPUs for the
// tenants' tasks) and what every request of theirs spends (KMS requests to
// the customer-managed keys their data and logs are encrypted with).
var Quotas = []Quota{
	{Name: "fargate-vcpu", Description: "Fargate On-Demand vCPUs of the account near its quota",
		Metric: "ResourceCount", Stat: "Maximum", Period: 300, Periods: 1,
		Dimensions: map[string]string{"Service": "Fargate", "Type": "Resource", "Resource": "vCPU", "Class": "Standard/OnDemand"}},
	{Name: "kms-requests", Description: "symmetric KMS requests of the account near their rate quota",
		Metric: "CallCount", Stat: "Sum", Period: 60, Periods: 5, PerSecond: true,
		Dimensions: map[string]string{"Service": "KMS", "Type": "API", "Resource": "CryptographicOperationsSymmetric", "Class": "None"}},
}

// QuotaExpression is the utilisation in percent of the quota metric m1.
func QuotaExpression(q Quota) string {
	usage := "m1"
	if q.PerSecond {
		usage = fmt.Sprintf("(m1 / %d)", q.Period)
	}
	return usage + " / SERVICE_QUOTA(m1) * 100"
}

// QuotaRules are the utilisation alarms of Quotas.
func QuotaRules() []Rule {
	rules := make([]Rule, 0, len(Quotas))
	for _, q := range Quotas {
		var dims []dimension
		for _, k := range []string{"Service", "Type", "Resource", "Class"} {
			dims = append(dims, dimension{k, pulumi.String(q.Dimensions[k])})
		}
		rules = append(rules, Rule{
			Signal: naming.QuotaSignal(q.Name), Description: q.Description,
			metrics:    []metric{{"m1", "AWS/Usage", q.Metric, q.Stat, dims}},
			Expression: QuotaExpression(q), Period: q.Period, Periods: q.Periods,
			Threshold: QuotaUtilisationPercent, Comparison: atLeast,
		})
	}
	return rules
}
