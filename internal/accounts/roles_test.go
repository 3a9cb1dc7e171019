package accounts

import (
	"context"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/tenantctl/tenantctl/internal/externalid"
	"github.com/tenantctl/tenantctl/internal/iampolicy"
)

// decision is what a document says about one request: "allow", "deny" (an
// explicit Deny matched) or "" (nothing matched: an implicit deny).
//
// moto stores IAM policies but never evaluates them, so the tests evaluate
// what baselining wrote: Action and Resource with IAM's wildcards, and the
// StringEquals / StringNotEquals conditions the documents use. A condition on
// a key the request lacks fails StringEquals and passes StringNotEquals, as in
// IAM.
func decision(doc iampolicy.Document, action, resource string, keys map[string]string) string {
	// IAM's * and ? match any characters, "/" and ":" included.
	match := func(patterns []string, v string) bool {
		for _, p := range patterns {
			re := "(?i)^" + strings.NewReplacer(`\*`, ".*", `\?`, ".").Replace(regexp.QuoteMeta(p)) + "$"
			if regexp.MustCompile(re).MatchString(v) {
				return true
			}
		}
		return false
	}
	conditionsHold := func(c map[string]map[string]any) bool {
		for op, kv := range c {
			for k, want := range kv {
				got, present := keys[k]
				equal := present && got == want
				switch op {
				case "StringEquals":
					if !equal {
						return false
					}
				case "StringNotEquals":
					if equal {
						return false
					}
				default:
					panic("decision: unsupported condition operator " + op)
				}
			}
		}
		return true
	}
	out := ""
	for _, st := range doc.Statement {
		if !match(st.Action, action) || !match(st.Resource, resource) || !conditionsHold(st.Condition) {
			continue
		}
		if st.Effect == "Deny" {
			return "deny"
		}
		out = "allow"
	}
	return out
}

// vendOne vends one enterprise account and returns its id and IAM client.
func vendOne(t *testing.T, o *org, m *Manager) (string, *iam.Client) {
	t.Helper()
	res := o.vend(m, "enterprise", 1)
	return res.Accounts[0].AccountID, o.memberIAM(res.Accounts[0].AccountID)
}

// readInline reads an inline role policy back.
func readInline(t *testing.T, c *iam.Client, role, name string) iampolicy.Document {
	t.Helper()
	out, err := c.GetRolePolicy(context.Background(), &iam.GetRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return decodePolicy(t, aws.ToString(out.PolicyDocument))
}

// readBoundary reads the default version of the boundary policy back.
func readBoundary(t *testing.T, c *iam.Client, arn string) iampolicy.Document {
	t.Helper()
	ctx := context.Background()
	p, err := c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	v, err := c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: p.Policy.DefaultVersionId})
	if err != nil {
		t.Fatal(err)
	}
	text, err := url.QueryUnescape(aws.ToString(v.PolicyVersion.Document))
	if err != nil {
		t.Fatal(err)
	}
	return decodePolicy(t, text)
}

func TestVendCreatesAReadOnlyPreviewRoleWithItsOwnExternalID(t *testing.T) {
	o := newOrg(t)
	ctx := context.Background()
	id, c := vendOne(t, o, o.manager(testSettings()))

	deploy, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("TenantctlDeploy")})
	if err != nil {
		t.Fatal(err)
	}
	preview, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("TenantctlPreview")})
	if err != nil {
		t.Fatal(err)
	}
	trust := decodePolicy(t, aws.ToString(preview.Role.AssumeRolePolicyDocument))
	if len(trust.Statement) != 1 || trust.Statement[0].Principal["AWS"] != "arn:aws:iam::"+deploymentAcct+":root" || !slices.Equal(trust.Statement[0].Action, []string{"sts:AssumeRole"}) {
		t.Fatalf("preview trust = %+v, want only the deployment account", trust)
	}
	previewID, _ := trust.Statement[0].Condition["StringEquals"]["sts:ExternalId"].(string)
	deployID, _ := decodePolicy(t, aws.ToString(deploy.Role.AssumeRolePolicyDocument)).Statement[0].Condition["StringEquals"]["sts:ExternalId"].(string)
	key := externalid.PreviewKey([]byte(testSecret))
	if previewID != externalid.DerivePreview([]byte(key), id) {
		t.Errorf("preview external id %q is not the one derived from the preview key", previewID)
	}
	if previewID == deployID || deployID != externalid.Derive([]byte(testSecret), id) {
		t.Errorf("external ids: preview %q, deploy %q; want distinct, each its own derivation", previewID, deployID)
	}

	attached, err := c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("TenantctlPreview")})
	if err != nil {
		t.Fatal(err)
	}
	// moto knows no AWS managed policy (gaps.AWSManagedPolicies), so
	// ReadOnlyAccess is not attached here; nothing else may be.
	if len(attached.AttachedPolicies) != 0 {
		t.Errorf("preview managed policies = %v, want none besides ReadOnlyAccess", attached.AttachedPolicies)
	}
	deny := readInline(t, c, "TenantctlPreview", previewPolicyName)
	for _, a := range []string{"s3:GetObject", "s3:GetObjectVersion", "dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query",
		"dynamodb:Scan", "dynamodb:GetRecords", "secretsmanager:GetSecretValue", "ssm:GetParameter", "ssm:GetParametersByPath",
		"kms:Decrypt", "logs:GetLogEvents", "logs:FilterLogEvents", "logs:StartQuery"} {
		if got := decision(deny, a, "arn:aws:s3:::tenant-data/x", nil); got != "deny" {
			t.Errorf("preview inline policy on %s: %q, want deny", a, got)
		}
	}
	for _, a := range []string{"s3:GetBucketPolicy", "dynamodb:DescribeTable", "ec2:DescribeVpcs", "iam:GetRole"} {
		if got := decision(deny, a, "*", nil); got != "" {
			t.Errorf("preview inline policy on %s: %q; configuration reads must stay to ReadOnlyAccess", a, got)
		}
	}
}

func TestDeployRoleHasThePermissionsBoundary(t *testing.T) {
	o := newOrg(t)
	ctx := context.Background()
	id, c := vendOne(t, o, o.manager(testSettings()))
	arn := "arn:aws:iam::" + id + ":policy/TenantctlDeployBoundary"

	role, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("TenantctlDeploy")})
	if err != nil {
		t.Fatal(err)
	}
	if role.Role.PermissionsBoundary == nil || aws.ToString(role.Role.PermissionsBoundary.PermissionsBoundaryArn) != arn {
		t.Fatalf("deploy role boundary = %+v, want %s", role.Role.PermissionsBoundary, arn)
	}
	b := readBoundary(t, c, arn)
	roleARN := func(n string) string { return "arn:aws:iam::" + id + ":role/" + n }
	bounded := map[string]string{"iam:PermissionsBoundary": arn}
	cases := []struct {
		action, resource string
		keys             map[string]string
		want             string
	}{
		// the tenant's workload: anything
		{"ec2:CreateVpc", "*", nil, "allow"},
		{"ecs:CreateService", "*", nil, "allow"},
		{"dynamodb:CreateTable", "*", nil, "allow"},
		// IAM users and long-lived credentials
		{"iam:CreateUser", "*", nil, "deny"},
		{"iam:CreateAccessKey", "*", nil, "deny"},
		{"iam:CreateLoginProfile", "*", nil, "deny"},
		{"iam:UploadSSHPublicKey", "*", nil, "deny"},
		{"iam:CreateServiceSpecificCredential", "*", nil, "deny"},
		// the organization
		{"organizations:LeaveOrganization", "*", nil, "deny"},
		{"organizations:AcceptHandshake", "*", nil, "deny"},
		{"organizations:DescribeOrganization", "*", nil, "allow"},
		// the audit record
		{"cloudtrail:StopLogging", "*", nil, "deny"},
		{"cloudtrail:DeleteTrail", "*", nil, "deny"},
		{"cloudtrail:UpdateTrail", "*", nil, "deny"},
		{"cloudtrail:PutEventSelectors", "*", nil, "deny"},
		{"config:StopConfigurationRecorder", "*", nil, "deny"},
		{"config:DeleteDeliveryChannel", "*", nil, "deny"},
		{"config:PutConfigurationRecorder", "*", nil, "deny"},
		{"cloudtrail:LookupEvents", "*", nil, "allow"},
		// its own role, the preview and access roles, even though bounded
		{"iam:UpdateAssumeRolePolicy", roleARN("TenantctlDeploy"), bounded, "deny"},
		{"iam:PutRolePolicy", roleARN("TenantctlDeploy"), bounded, "deny"},
		{"iam:AttachRolePolicy", roleARN("TenantctlDeploy"), bounded, "deny"},
		{"iam:DeleteRolePermissionsBoundary", roleARN("TenantctlDeploy"), bounded, "deny"},
		{"iam:PutRolePermissionsBoundary", roleARN("TenantctlDeploy"), bounded, "deny"},
		{"iam:AttachRolePolicy", roleARN("TenantctlPreview"), bounded, "deny"},
		{"iam:UpdateAssumeRolePolicy", roleARN("OrganizationAccountAccessRole"), bounded, "deny"},
		// the boundary itself
		{"iam:CreatePolicyVersion", arn, nil, "deny"},
		{"iam:SetDefaultPolicyVersion", arn, nil, "deny"},
		{"iam:DeletePolicyVersion", arn, nil, "deny"},
		{"iam:DeletePolicy", arn, nil, "deny"},
		{"iam:CreatePolicyVersion", "arn:aws:iam::" + id + ":policy/tenant-task", nil, "allow"},
		// new roles only under the same boundary
		{"iam:CreateRole", roleARN("tenant-task"), bounded, "allow"},
		{"iam:CreateRole", roleARN("tenant-task"), nil, "deny"},
		{"iam:CreateRole", roleARN("tenant-task"), map[string]string{"iam:PermissionsBoundary": "arn:aws:iam::aws:policy/AdministratorAccess"}, "deny"},
		{"iam:PutRolePolicy", roleARN("tenant-task"), bounded, "allow"},
		{"iam:PutRolePolicy", roleARN("legacy-admin"), nil, "deny"},
		{"iam:AttachRolePolicy", roleARN("legacy-admin"), nil, "deny"},
		{"iam:UpdateAssumeRolePolicy", roleARN("legacy-admin"), nil, "deny"},
		{"iam:PutRolePermissionsBoundary", roleARN("legacy-admin"), map[string]string{"iam:PermissionsBoundary": "arn:aws:iam::" + id + ":policy/loose"}, "deny"},
		{"iam:PutRolePermissionsBoundary", roleARN("legacy-admin"), bounded, "allow"},
		{"iam:DeleteRolePermissionsBoundary", roleARN("tenant-task"), bounded, "deny"},
	}
	for _, c := range cases {
		if got := decision(b, c.action, c.resource, c.keys); got != c.want {
			t.Errorf("boundary: %s on %s with %v = %q, want %q", c.action, c.resource, c.keys, got, c.want)
		}
	}
	if n := len(strings.Join(strings.Fields(mustJSON(t, b)), "")); n > 6144 {
		t.Errorf("boundary is %d characters; managed policies hold at most 6,144", n)
	}
}

func mustJSON(t *testing.T, d iampolicy.Document) string {
	t.Helper()
	s, err := d.JSON()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// A second baseline repairs what someone loosened and changes nothing when
// nothing was: the preview role's extra policies go, its trust comes back,
// the boundary's default version and the deploy role's boundary come back.
func TestBaselineRepairsBothRolesIdempotently(t *testing.T) {
	o := newOrg(t)
	ctx := context.Background()
	m := o.manager(testSettings())
	id, c := vendOne(t, o, m)
	arn := "arn:aws:iam::" + id + ":policy/TenantctlDeployBoundary"
	l, err := m.orgLayout(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rebaseline := func() {
		t.Helper()
		if _, err := m.baseline(ctx, l, id, "enterprise"); err != nil {
			t.Fatal(err)
		}
	}
	versions := func() int {
		t.Helper()
		out, err := c.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		return len(out.Versions)
	}
	state := func() string {
		t.Helper()
		var b strings.Builder
		for _, r := range []string{"TenantctlDeploy", "TenantctlPreview"} {
			role, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(r)})
			if err != nil {
				t.Fatal(err)
			}
			b.WriteString(aws.ToString(role.Role.AssumeRolePolicyDocument))
			if role.Role.PermissionsBoundary != nil {
				b.WriteString(aws.ToString(role.Role.PermissionsBoundary.PermissionsBoundaryArn))
			}
			att, _ := c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(r)})
			for _, p := range att.AttachedPolicies {
				b.WriteString(" " + aws.ToString(p.PolicyArn))
			}
			in, _ := c.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String(r)})
			b.WriteString(" " + strings.Join(in.PolicyNames, ","))
		}
		b.WriteString(mustJSON(t, readBoundary(t, c, arn)))
		return b.String()
	}
	clean := state()
	rebaseline()
	if got := state(); got != clean || versions() != 1 {
		t.Fatalf("a second baseline of a clean account changed it (boundary versions %d):\n%s\n%s", versions(), clean, got)
	}

	loose := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}`
	admin := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("TenantctlPreview"), PolicyDocument: aws.String(loose)}))
	adminPolicy, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("admin"), PolicyDocument: aws.String(admin)})
	if err != nil {
		t.Fatal(err)
	}
	must(c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("TenantctlPreview"), PolicyArn: adminPolicy.Policy.Arn}))
	must(c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("TenantctlPreview"), PolicyName: aws.String("extra"), PolicyDocument: aws.String(admin)}))
	must(c.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("TenantctlPreview"), PolicyName: aws.String(previewPolicyName)}))
	must(c.DeleteRolePermissionsBoundary(ctx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String("TenantctlDeploy")}))
	must(c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(admin), SetAsDefault: true}))
	if state() == clean {
		t.Fatal("the tampering did not change the account")
	}
	rebaseline()
	if got := state(); got != clean {
		t.Errorf("after repair:\n%s\nwant\n%s", got, clean)
	}
	// A boundary with its five versions full still gets its version back.
	for i := 0; i < 2; i++ {
		must(c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(admin), SetAsDefault: true}))
	}
	if versions() != 5 {
		t.Fatalf("boundary has %d versions, want the maximum 5", versions())
	}
	rebaseline()
	if got := state(); got != clean {
		t.Errorf("after repair of a full boundary:\n%s\nwant\n%s", got, clean)
	}
}
