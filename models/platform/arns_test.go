package platform

import "testing"

func TestLoadBalancerArnSuffix(t *testing.T) {
	got, err := LoadBalancerArnSuffix("arn:aws:elasticloadbalancing:us-east-1:111111111111:listener/app/saas-platform-lb-0/50dc6c495c0c9188/f2f7dc8efc522ab2")
	if err != nil || got != "app/saas-platform-lb-0/50dc6c495c0c9188" {
		t.Errorf("suffix %q, %v", got, err)
	}
	for _, bad := range []string{"", "arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/x/1", "listener/app/x/1/2", "arn:aws:elasticloadbalancing:us-east-1:1:listener/app/x/1"} {
		if _, err := LoadBalancerArnSuffix(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
