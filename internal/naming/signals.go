package naming

// Signals are the last part of the CloudWatch alarm names the models give a
// tenant (AlarmName(prefix, tenant, signal)): what each alarm watches. A
// rollout's alarms gate finds them all by AlarmPrefix; a dashboard or a
// runbook finds one by its signal.
const (
	// SignalLB5xx: the tenant's targets answer 5xx through its load balancer.
	SignalLB5xx = "lb-5xx"
	// SignalUnhealthyHosts: a target of the tenant's target group fails its
	// health check.
	SignalUnhealthyHosts = "unhealthy-hosts"
	// SignalRunningTasks: the tenant's service runs fewer tasks than it wants.
	SignalRunningTasks = "running-tasks"
	// SignalCPUHigh and SignalMemoryHigh: the service's average utilisation
	// stays high, beyond what autoscaling absorbs.
	SignalCPUHigh    = "cpu-high"
	SignalMemoryHigh = "memory-high"
	// SignalDynamoDBThrottles: requests to the tenant's own table are throttled.
	SignalDynamoDBThrottles = "dynamodb-throttles"
	// SignalAPI4xx and SignalAPI5xx: calls made with the tenant's API key to
	// the pooled API end in client or server errors.
	SignalAPI4xx = "api-4xx"
	SignalAPI5xx = "api-5xx"
	// SignalQuotaPrefix starts the signal of a Service Quotas utilisation
	// alarm: quota-<quota>.
	SignalQuotaPrefix = "quota-"
)

// Signals lists every signal of a tenant's alarms but the quota ones, in the
// order dashboards show them.
func Signals() []string {
	return []string{
		SignalLB5xx, SignalUnhealthyHosts, SignalRunningTasks, SignalCPUHigh, SignalMemoryHigh,
		SignalDynamoDBThrottles, SignalAPI4xx, SignalAPI5xx,
	}
}

// QuotaSignal is the signal of the utilisation alarm of a quota: quota-<quota>.
func QuotaSignal(quota string) string { return SignalQuotaPrefix + quota }
