package fargate_test

import (
	"testing"

	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/models/fargate"
)

func TestClusterNameOf(t *testing.T) {
	for arn, want := range map[string]string{
		"arn:aws:ecs:us-east-1:111111111111:cluster/saas-platform-cluster":   "saas-platform-cluster",
		"arn:aws-cn:ecs:cn-north-1:111111111111:cluster/saas-acme-cluster":   "saas-acme-cluster",
		"arn:aws-us-gov:ecs:us-gov-west-1:111111111111:cluster/c":            "c",
		"arn:aws:ecs:us-east-1:111111111111:service/saas-platform-cluster/s": "",
		"saas-platform-cluster":                          "",
		"arn:aws:ecs:us-east-1:111111111111:cluster/":    "",
		"arn:aws:ecs:us-east-1:111111111111:cluster/a/b": "",
	} {
		got, err := fargate.ClusterNameOf(arn)
		if got != want || (err == nil) != (want != "") {
			t.Errorf("ClusterNameOf(%q) = %q, %v; want %q", arn, got, err, want)
		}
	}
	if got := fargate.ResourceID("saas-platform-cluster", "saas-hooli-service"); got != "service/saas-platform-cluster/saas-hooli-service" {
		t.Errorf("ResourceID = %s", got)
	}
}

func TestCapacityIsZeroWhileSuspended(t *testing.T) {
	tn := &spec.Tenant{Service: &spec.ServiceSpec{MinCount: 2, MaxCount: 12, DesiredCount: 3}}
	for status, want := range map[spec.Status][2]int{
		spec.StatusActive: {2, 12}, spec.StatusOnboarding: {2, 12}, spec.StatusSuspended: {0, 0},
	} {
		tn.Status = status
		if min, max := fargate.Capacity(tn); min != want[0] || max != want[1] {
			t.Errorf("%s: capacity %d..%d, want %v", status, min, max, want)
		}
	}
}
