package ingress

import (
	"github.com/tenantctl/tenantctl/models/alerting"
	"github.com/tenantctl/tenantctl/models/fargate"
	"github.com/tenantctl/tenantctl/models/tenant"
)

// AlarmTargets are what the alarms of a tenant that runs a service watch:
// the load balancer in front of it and its target group, the service, and
// its own table (none when pooled).
func (e *Endpoint) AlarmTargets(svc *fargate.Service, data *tenant.DataStore) alerting.Targets {
	return alerting.Targets{
		LoadBalancer: e.LoadBalancerSuffix, TargetGroup: e.TargetGroup.ArnSuffix,
		Cluster: svc.ClusterName, Service: svc.Service.Name, Table: data.OwnTableName(),
	}
}
