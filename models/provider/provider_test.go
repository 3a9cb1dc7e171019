package provider

import (
	"strings"
	"testing"

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
		if _, err := Args(c.region, nil, c.role); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
	if _, err := Args("us-east-1", map[string]string{"TenantId": "x"}, &AssumeRole{AccountID: "123456789012", RoleName: "Deploy", ExternalID: ext, TenantID: "x"}); err != nil {
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
