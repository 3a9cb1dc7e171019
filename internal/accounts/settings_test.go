package accounts

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/tenantctl/tenantctl/internal/spec"
)

func TestNewRefusesUnusableOrganizationSettings(t *testing.T) {
	cases := []struct {
		name   string
		change func(o *spec.Organization)
		want   string
	}{
		{"no workload OU", func(o *spec.Organization) { o.WorkloadOU = "" }, "organization.workloadOu: required by the account lifecycle"},
		{"same OUs", func(o *spec.Organization) { o.SuspendedOU = o.WorkloadOU }, `organization.suspendedOu: must differ from workloadOu "Workload"`},
		{"email without name", func(o *spec.Organization) { o.AccountEmail = "aws@example.com" }, `organization.accountEmail: "aws@example.com" has no {name}`},
		{"name without seq", func(o *spec.Organization) { o.AccountName = "tenant-{tier}" }, `organization.accountName: "tenant-{tier}" has no {seq}`},
		{"bad deployment account", func(o *spec.Organization) { o.DeploymentAccountID = "12345" }, `organization.deploymentAccountId: "12345" is not a 12-digit AWS account id`},
		{"no deploy role", func(o *spec.Organization) { o.DeployRoleName = "" }, "organization.deployRoleName: required"},
		{"no preview role", func(o *spec.Organization) { o.PreviewRoleName = "" }, "organization.previewRoleName: required"},
		{"no quota", func(o *spec.Organization) { o.AccountQuota = 0 }, "organization.accountQuota: must be positive"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := testSettings()
			s.Source.File = "tenants/fleet.yaml"
			c.change(&s.Organization)
			_, err := New(aws.Config{Region: "us-east-1"}, s, Options{})
			if err == nil || !strings.Contains(err.Error(), "tenants/fleet.yaml: "+c.want) {
				t.Fatalf("error = %v, want %q", err, c.want)
			}
		})
	}
}

func TestAccountNamesAndSequences(t *testing.T) {
	const pattern = "tenant-{tier}-{seq}"
	if got := accountName(pattern, "enterprise", 12); got != "tenant-enterprise-12" {
		t.Errorf("accountName = %s", got)
	}
	if got := accountEmail("aws+{name}@example.com", "tenant-enterprise-12"); got != "aws+tenant-enterprise-12@example.com" {
		t.Errorf("accountEmail = %s", got)
	}
	cases := []struct {
		pattern, tier, name string
		seq                 int
		ok                  bool
	}{
		{pattern, "enterprise", "tenant-enterprise-12", 12, true},
		{pattern, "enterprise", "tenant-premium-3", 0, false},
		{pattern, "enterprise", "tenant-enterprise-", 0, false},
		{pattern, "enterprise", "tenant-enterprise-07", 0, false}, // not one this pattern makes
		{pattern, "enterprise", "tenant-enterprise-x", 0, false},
		{"{seq}.{tier}.acct", "free", "4.free.acct", 4, true},
		{"{seq}.{tier}.acct", "free", "master", 0, false},
	}
	for _, c := range cases {
		seq, ok := nameSeq(c.pattern, c.tier, c.name)
		if seq != c.seq || ok != c.ok {
			t.Errorf("nameSeq(%q, %q, %q) = %d, %v; want %d, %v", c.pattern, c.tier, c.name, seq, ok, c.seq, c.ok)
		}
	}
}

func TestQuotaTagFitsATagValue(t *testing.T) {
	if got := quotaTag([]QuotaResult{{ServiceCode: "vpc", QuotaCode: "L-1", Target: 10, Action: QuotaRequested}, {ServiceCode: "ec2", QuotaCode: "L-2", Target: 5, Action: QuotaSufficient}, {ServiceCode: "fargate", QuotaCode: "L-3", Target: 2.5, Action: QuotaAlreadyRequested}}); got != "vpc/L-1=10 fargate/L-3=2.5" {
		t.Errorf("quotaTag = %q", got)
	}
	var many []QuotaResult
	for range 30 {
		many = append(many, QuotaResult{ServiceCode: "elasticloadbalancing", QuotaCode: "L-E9E9831D", Target: 100, Action: QuotaRequested})
	}
	got := quotaTag(many)
	if len(got) > 256 || !strings.HasSuffix(got, " more") {
		t.Errorf("quotaTag of 30 = %d characters %q", len(got), got)
	}
}

func TestDeployTrustPolicyDocument(t *testing.T) {
	got, err := DeployTrustPolicy("aws", "111122223333", "tenantctl-v1-abc").JSON()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"Version":"2012-10-17","Statement":[{"Sid":"DeploymentAccountWithExternalId","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":["sts:AssumeRole"],"Condition":{"StringEquals":{"sts:ExternalId":"tenantctl-v1-abc"}}}]}`
	if got != want {
		t.Errorf("trust policy =\n%s\nwant\n%s", got, want)
	}
	if p := partitionOf("arn:aws-us-gov:organizations::1:root/o-1/r-1"); p != "aws-us-gov" {
		t.Errorf("partition = %s", p)
	}
}
