package provider

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func TestArgsRefusesIncompleteRoles(t *testing.T) {
	ext := pulumi.String("ext")
	cases := []struct {
		name   string
		region string
		role   *AssumeRole
		want   string
	}{
		{"no region", "", nil, "region is empty"},
		{"short account", "us-east-1", &AssumeRole{AccountID: "1234", RoleName: "Deploy", ExternalID: ext}, `account id "1234" is not 12 digits`},
		{"no role name", "us-east-1", &AssumeRole{AccountID: "123456789012", ExternalID: ext}, "deploy role name is empty"},
		{"no external id", "us-east-1", &AssumeRole{AccountID: "123456789012", RoleName: "Deploy"}, "assuming arn:aws:iam::123456789012:role/Deploy needs an external id"},
	}
	for _, c := range cases {
		if _, err := Args(c.region, nil, c.role, nil); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
	if _, err := Args("us-east-1", map[string]string{"TenantId": "x"}, &AssumeRole{AccountID: "123456789012", RoleName: "Deploy", ExternalID: ext, TenantID: "x"}, nil); err != nil {
		t.Errorf("complete role: %v", err)
	}
}

func TestSessionName(t *testing.T) {
	if got := SessionName("hooli"); got != "tenantctl-hooli" {
		t.Errorf("SessionName %q", got)
	}
	if got := SessionName(strings.Repeat("a", 80)); len(got) > 64 {
		t.Errorf("SessionName is %d characters", len(got))
	}
}

func TestEndpointArgs(t *testing.T) {
	args, err := Args("us-east-1", nil, nil, &Endpoint{URL: "http://127.0.0.1:5000"})
	if err != nil {
		t.Fatalf("every service of Services() must be an endpoint setting of the AWS provider: %v", err)
	}
	if len(args.Endpoints.(aws.ProviderEndpointArray)) != 1 || args.AccessKey != nil {
		t.Errorf("endpoints %v, accessKey %v", args.Endpoints, args.AccessKey)
	}
	if _, err := Args("us-east-1", nil, nil, &Endpoint{URL: "127.0.0.1:5000"}); err == nil || !strings.Contains(err.Error(), "is not an http(s) URL") {
		t.Errorf("bad URL: %v", err)
	}
	for token, want := range map[string]string{
		"aws:ec2transitgateway/vpcAttachment:VpcAttachment":   "ec2",
		"aws:cloudwatch/logGroup:LogGroup":                    "cloudwatchlogs",
		"aws:cloudwatch/metricAlarm:MetricAlarm":              "cloudwatch",
		"aws:lb/listener:Listener":                            "elbv2",
		"aws:acm/certificateValidation:CertificateValidation": "acm",
		"aws:route53/getZone:getZone":                         "route53",
	} {
		if got, ok := ServiceOf(token); !ok || got != want {
			t.Errorf("ServiceOf(%s) = %q, %v; want %s", token, got, ok, want)
		}
	}
	if _, ok := ServiceOf("aws:sagemaker/domain:Domain"); ok {
		t.Error("ServiceOf maps a service the models do not use")
	}
}

// The deploy role's ARN follows the partition of the tenant's region, like
// every ARN tenantctl writes into policies.
func TestRoleARNFollowsThePartition(t *testing.T) {
	for region, want := range map[string]string{
		"eu-west-1":     "arn:aws:iam::111122223333:role/Deploy",
		"cn-north-1":    "arn:aws-cn:iam::111122223333:role/Deploy",
		"us-gov-west-1": "arn:aws-us-gov:iam::111122223333:role/Deploy",
	} {
		if got := RoleARN(region, "111122223333", "Deploy"); got != want {
			t.Errorf("RoleARN(%s) = %s, want %s", region, got, want)
		}
	}
}
