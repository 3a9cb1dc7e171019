package alerting

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/tenantctl/tenantctl/internal/naming"
)

// The pooled API's per-key metrics: the platform's metric filters count its
// access log's 4xx and 5xx answers under the API key of the call (API
// Gateway publishes no metric per key), and each application tenant's alarms
// read them for its key.
const (
	APINamespace    = "Tenantctl/Api"
	APIKeyDimension = "ApiKeyId"
	API4xxMetric    = "4XXError"
	API5xxMetric    = "5XXError"
)

// Thresholds of a tenant's alarms. Each alarm fires when its value reaches
// the threshold in every one of its evaluation periods.
const (
	// LB5xxThreshold: 5xx answers of the tenant's targets in 5 minutes.
	LB5xxThreshold = 10
	// UnhealthyHostsThreshold: unhealthy targets, 3 minutes running.
	UnhealthyHostsThreshold = 1
	// MissingTasksThreshold: tasks the service wants and does not run, 5
	// minutes running (a deployment or scale-out takes less).
	MissingTasksThreshold = 1
	// CPUHighPercent and MemoryHighPercent: average utilisation over 15
	// minutes, well above what autoscaling tracks (at most 95 %).
	CPUHighPercent    = 90
	MemoryHighPercent = 90
	// ThrottleThreshold: throttled reads and writes of the tenant's table in
	// 5 minutes.
	ThrottleThreshold = 10
	// API4xxThreshold and API5xxThreshold: errors of calls with the tenant's
	// key in 5 minutes; clients make mistakes, servers should not.
	API4xxThreshold = 100
	API5xxThreshold = 10
)

// Targets are what a tenant's alarms watch; a field left nil leaves its
// alarms out (a pooled tenant has no table of its own, an application tenant
// no service).
type Targets struct {
	// LoadBalancer and TargetGroup are the ARN suffixes
	// (app/<name>/<id>, targetgroup/<name>/<id>) of the load balancer in
	// front of the service and of the tenant's target group: 5xx answers
	// and unhealthy targets.
	LoadBalancer, TargetGroup pulumi.StringInput
	// Cluster and Service are the names of the ECS cluster and the tenant's
	// service: running tasks, CPU and memory.
	Cluster, Service pulumi.StringInput
	// Table is the name of the tenant's own table: throttles.
	Table pulumi.StringInput
	// APIKeyID is the tenant's key of the pooled API: 4xx and 5xx answers.
	APIKeyID pulumi.StringInput
	// Quotas: the account is the owner's own, whose Service Quotas
	// utilisation is watched (QuotaRules).
	Quotas bool
}

// dimension is one dimension of a metric.
type dimension struct {
	name  string
	value pulumi.StringInput
}

// metric is a CloudWatch metric an alarm reads; id names it in the
// alarm's expression.
type metric struct {
	id, namespace, name, stat string
	dims                      []dimension
}

// Rule is one alarm of a signal: the metrics it reads, the expression over
// them (none for a single metric), and when it fires.
type Rule struct {
	Signal      string
	Description string
	metrics     []metric
	Expression  string
	// Period is the length of one evaluation period in seconds, Periods
	// their number.
	Period, Periods int
	Threshold       float64
	// Comparison is CloudWatch's comparison operator against Threshold.
	Comparison string
}

const atLeast = "GreaterThanOrEqualToThreshold"

// Rules are the alarms of the targets, in naming.Signals order, then the
// account's quotas.
func Rules(t Targets) []Rule {
	var rules []Rule
	if t.LoadBalancer != nil && t.TargetGroup != nil {
		lb := []dimension{{"LoadBalancer", t.LoadBalancer}, {"TargetGroup", t.TargetGroup}}
		rules = append(rules,
			Rule{Signal: naming.SignalLB5xx, Description: "the tenant's targets answer 5xx through its load balancer",
				metrics: []metric{{"m1", "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "Sum", lb}},
				Period:  300, Periods: 1, Threshold: LB5xxThreshold, Comparison: atLeast},
			Rule{Signal: naming.SignalUnhealthyHosts, Description: "a target of the tenant fails its health check",
				metrics: []metric{{"m1", "AWS/ApplicationELB", "UnHealthyHostCount", "Maximum", lb}},
				Period:  60, Periods: 3, Threshold: UnhealthyHostsThreshold, Comparison: atLeast},
		)
	}
	if t.Cluster != nil && t.Service != nil {
		svc := []dimension{{"ClusterName", t.Cluster}, {"ServiceName", t.Service}}
		rules = append(rules,
			Rule{Signal: naming.SignalRunningTasks, Description: "the tenant's service runs fewer tasks than it wants",
				metrics: []metric{
					{"desired", "ECS/ContainerInsights", "DesiredTaskCount", "Average", svc},
					{"running", "ECS/ContainerInsights", "RunningTaskCount", "Average", svc},
				},
				Expression: "desired - running", Period: 60, Periods: 5, Threshold: MissingTasksThreshold, Comparison: atLeast},
			Rule{Signal: naming.SignalCPUHigh, Description: "the tenant's service stays above its CPU bound",
				metrics: []metric{{"m1", "AWS/ECS", "CPUUtilization", "Average", svc}},
				Period:  300, Periods: 3, Threshold: CPUHighPercent, Comparison: atLeast},
			Rule{Signal: naming.SignalMemoryHigh, Description: "the tenant's service stays above its memory bound",
				metrics: []metric{{"m1", "AWS/ECS", "MemoryUtilization", "Average", svc}},
				Period:  300, Periods: 3, Threshold: MemoryHighPercent, Comparison: atLeast},
		)
	}
	if t.Table != nil {
		table := []dimension{{"TableName", t.Table}}
		rules = append(rules, Rule{Signal: naming.SignalDynamoDBThrottles, Description: "reads and writes of the tenant's table are throttled",
			metrics: []metric{
				{"reads", "AWS/DynamoDB", "ReadThrottleEvents", "Sum", table},
				{"writes", "AWS/DynamoDB", "WriteThrottleEvents", "Sum", table},
			},
			Expression: "reads + writes", Period: 300, Periods: 1, Threshold: ThrottleThreshold, Comparison: atLeast})
	}
	if t.APIKeyID != nil {
		key := []dimension{{APIKeyDimension, t.APIKeyID}}
		rules = append(rules,
			Rule{Signal: naming.SignalAPI4xx, Description: "calls with the tenant's API key end in client errors",
				metrics: []metric{{"m1", APINamespace, API4xxMetric, "Sum", key}},
				Period:  300, Periods: 1, Threshold: API4xxThreshold, Comparison: atLeast},
			Rule{Signal: naming.SignalAPI5xx, Description: "calls with the tenant's API key end in server errors",
				metrics: []metric{{"m1", APINamespace, API5xxMetric, "Sum", key}},
				Period:  300, Periods: 1, Threshold: API5xxThreshold, Comparison: atLeast},
		)
	}
	if t.Quotas {
		rules = append(rules, QuotaRules()...)
	}
	return rules
}
