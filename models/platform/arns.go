package platform

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// LoadBalancerArnSuffix is the ARN suffix (app/<name>/<id>) of the load
// balancer a listener belongs to, which CloudWatch's load balancer metrics
// name it by: a listener's ARN is the load balancer's with
// listener/.../<listener id> in place of loadbalancer/....
func LoadBalancerArnSuffix(listenerArn string) (string, error) {
	_, rest, ok := strings.Cut(listenerArn, ":listener/")
	parts := strings.Split(rest, "/")
	if !ok || len(parts) != 4 || !strings.HasPrefix(listenerArn, "arn:") {
		return "", fmt.Errorf("%q is not a load balancer listener ARN (arn:…:listener/app/<name>/<id>/<listener id>)", listenerArn)
	}
	return strings.Join(parts[:3], "/"), nil
}

// LoadBalancerSuffix is the ARN suffix of the shared load balancer at index
// i (the one of listener i), for alarms on its metrics.
func (r Ref) LoadBalancerSuffix(i int) pulumi.StringOutput {
	return r.Listener(i).ApplyT(LoadBalancerArnSuffix).(pulumi.StringOutput)
}
