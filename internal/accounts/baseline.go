package accounts

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/servicequotas"
	sqtypes "github.com/aws/aws-sdk-go-v2/service/servicequotas/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/tenantctl/tenantctl/internal/emulator/gaps"
	"github.com/tenantctl/tenantctl/internal/externalid"
	"github.com/tenantctl/tenantctl/internal/iampolicy"
	"github.com/tenantctl/tenantctl/internal/spec"

	"github.com/tenantctl/tenantctl/internal/naming"
)

// BaselineReport is what baselining did in one account.
type BaselineReport struct {
	AccountID      string        `json:"accountId"`
	DeployRoleARN  string        `json:"deployRoleArn"`
	BoundaryARN    string        `json:"boundaryArn"`
	PreviewRoleARN string        `json:"previewRoleArn"`
	Quotas         []QuotaResult `json:"quotas,omitempty"`
}

// QuotaAction is what baselining did about one service quota.
type QuotaAction string

// Quota actions.
const (
	// QuotaSufficient: the quota already meets the tier's target.
	QuotaSufficient QuotaAction = "sufficient"
	// QuotaRequested: an increase to the target was requested now.
	QuotaRequested QuotaAction = "requested"
	// QuotaAlreadyRequested: an increase is pending from an earlier request.
	QuotaAlreadyRequested QuotaAction = "already-requested"
)

// QuotaResult is one service quota of the tier checked in a new account.
type QuotaResult struct {
	ServiceCode string      `json:"serviceCode"`
	QuotaCode   string      `json:"quotaCode"`
	Current     float64     `json:"current"`
	Target      float64     `json:"target"`
	Action      QuotaAction `json:"action"`
	RequestID   string      `json:"requestId,omitempty"`
}

// errNoSecret is returned when baselining would run without the fleet secret.
var errNoSecret = fmt.Errorf("no external id secret: baselining writes each deploy role's trust policy with an external id derived from %s; set it (the same value the deployment pipelines use)", externalid.EnvSecret)

// baseline prepares a new account for a tenant: in the account, through the
// organization's access role, it creates (or corrects) the deploy role's
// permissions boundary, the deploy role under it and the read-only preview
// role, and asks for the tier's service quotas. Every step is idempotent, so an
// interrupted baseline is simply run again.
// baselineSession names the lifecycle's STS sessions (tenantctl-baseline), so
// CloudTrail tells them from a tenant's deployments (tenantctl-<id>).
var baselineSession = naming.SessionName(naming.BaselineSessionOwner)

func (m *Manager) baseline(ctx context.Context, l *orgLayout, accountID, tier string) (*BaselineReport, error) {
	if len(m.opts.ExternalIDSecret) == 0 {
		return nil, errNoSecret
	}
	member, err := m.memberConfig(ctx, l, accountID)
	if err != nil {
		return nil, err
	}
	report := &BaselineReport{AccountID: accountID}
	client := iam.NewFromConfig(member, m.opts.IAMOptions...)
	if report.BoundaryARN, err = m.ensureBoundary(ctx, client, l.partition, accountID); err != nil {
		return nil, err
	}
	if report.DeployRoleARN, err = m.ensureDeployRole(ctx, client, l.partition, accountID, report.BoundaryARN); err != nil {
		return nil, err
	}
	if report.PreviewRoleARN, err = m.ensurePreviewRole(ctx, client, l.partition, accountID); err != nil {
		return nil, err
	}
	if t := m.settings.Tiers[tier]; t != nil {
		if report.Quotas, err = m.raiseQuotas(ctx, member, t.AccountPool.ServiceQuotas); err != nil {
			return nil, fmt.Errorf("account %s: %w", accountID, err)
		}
	}
	return report, nil
}

// memberConfig assumes the organization's access role in the account. A new
// account's role can take a little while to become assumable, so AccessDenied
// is retried with the poll backoff.
func (m *Manager) memberConfig(ctx context.Context, l *orgLayout, accountID string) (aws.Config, error) {
	roleARN := fmt.Sprintf("arn:%s:iam::%s:role/%s", l.partition, accountID, m.settings.Organization.AccessRoleName)
	var out *sts.AssumeRoleOutput
	err := retryUntil(ctx, m.opts.Poll, "assuming "+roleARN, func() (bool, error) {
		var err error
		out, err = m.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String(baselineSession)})
		var ae smithy.APIError
		if errors.As(err, &ae) && ae.ErrorCode() == "AccessDenied" {
			return false, nil
		}
		return err == nil, err
	})
	if err != nil {
		return aws.Config{}, fmt.Errorf("account %s: assuming the access role %s (organization.accessRoleName): %w", accountID, roleARN, err)
	}
	c := out.Credentials
	creds := aws.Credentials{
		AccessKeyID: aws.ToString(c.AccessKeyId), SecretAccessKey: aws.ToString(c.SecretAccessKey),
		SessionToken: aws.ToString(c.SessionToken), Source: baselineSession,
	}
	if c.Expiration != nil {
		creds.CanExpire, creds.Expires = true, *c.Expiration
	}
	member := m.cfg.Copy()
	member.Credentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { return creds, nil })
	return member, nil
}

// ensureDeployRole creates the deploy role with its trust policy, inline
// permissions and permissions boundary; when it exists, all three are reset to
// ours (so a re-baseline repairs a role someone loosened).
func (m *Manager) ensureDeployRole(ctx context.Context, client *iam.Client, partition, accountID, boundary string) (string, error) {
	o := m.settings.Organization
	trust, err := DeployTrustPolicy(partition, o.DeploymentAccountID, externalid.Derive(m.opts.ExternalIDSecret, accountID)).JSON()
	if err != nil {
		return "", err
	}
	arn, err := ensureRole(ctx, client, accountID, o.DeployRoleName, trust, boundary,
		"Deployments of the tenant's stack from the deployment account (tenantctl)")
	if err != nil {
		return "", err
	}
	perms, err := DeployPermissions(partition, accountID, o.DeployRoleName, o.AccessRoleName).JSON()
	if err != nil {
		return "", err
	}
	if _, err := client.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(o.DeployRoleName), PolicyName: aws.String(deployPolicyName), PolicyDocument: aws.String(perms)}); err != nil {
		return "", fmt.Errorf("account %s: attaching the permissions of %s: %w", accountID, o.DeployRoleName, err)
	}
	// Set on every baseline, not only at creation: roles baselined before the
	// boundary existed get it, and a removed boundary comes back.
	if _, err := client.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String(o.DeployRoleName), PermissionsBoundary: aws.String(boundary)}); err != nil {
		return "", fmt.Errorf("account %s: setting the permissions boundary of %s: %w", accountID, o.DeployRoleName, err)
	}
	return arn, nil
}

// ensurePreviewRole creates the read-only role pull-request previews assume,
// trusting the deployment account with the preview external id; when it
// exists, its trust is reset and it is left with exactly ReadOnlyAccess and
// our inline deny: a managed or inline policy someone added is removed, since
// the role's holder runs untrusted code.
func (m *Manager) ensurePreviewRole(ctx context.Context, client *iam.Client, partition, accountID string) (string, error) {
	o := m.settings.Organization
	name := o.PreviewRoleName
	previewKey := externalid.PreviewKey(m.opts.ExternalIDSecret)
	trust, err := DeployTrustPolicy(partition, o.DeploymentAccountID, externalid.DerivePreview([]byte(previewKey), accountID)).JSON()
	if err != nil {
		return "", err
	}
	arn, err := ensureRole(ctx, client, accountID, name, trust, "",
		"Read-only previews of the tenant's stack from pull requests (tenantctl)")
	if err != nil {
		return "", err
	}
	readOnly := fmt.Sprintf("arn:%s:iam::aws:policy/%s", partition, readOnlyPolicy)
	attached, err := client.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name)})
	if err != nil {
		return "", fmt.Errorf("account %s: listing the policies of %s: %w", accountID, name, err)
	}
	has := false
	for _, p := range attached.AttachedPolicies {
		if aws.ToString(p.PolicyArn) == readOnly {
			has = true
			continue
		}
		if _, err := client.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String(name), PolicyArn: p.PolicyArn}); err != nil {
			return "", fmt.Errorf("account %s: detaching %s from the preview role %s: %w", accountID, aws.ToString(p.PolicyArn), name, err)
		}
	}
	if !has && !m.opts.Gaps.Has(gaps.AWSManagedPolicies) {
		if _, err := client.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(name), PolicyArn: aws.String(readOnly)}); err != nil {
			return "", fmt.Errorf("account %s: attaching %s to the preview role %s: %w", accountID, readOnly, name, err)
		}
	}
	inline, err := client.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String(name)})
	if err != nil {
		return "", fmt.Errorf("account %s: listing the inline policies of %s: %w", accountID, name, err)
	}
	for _, p := range inline.PolicyNames {
		if p == previewPolicyName {
			continue
		}
		if _, err := client.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(p)}); err != nil {
			return "", fmt.Errorf("account %s: deleting the inline policy %s of the preview role %s: %w", accountID, p, name, err)
		}
	}
	deny, err := PreviewPermissions().JSON()
	if err != nil {
		return "", err
	}
	if _, err := client.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(previewPolicyName), PolicyDocument: aws.String(deny)}); err != nil {
		return "", fmt.Errorf("account %s: attaching the data-plane deny of the preview role %s: %w", accountID, name, err)
	}
	return arn, nil
}

// ensureRole creates a role of the lifecycle with its trust policy (and
// boundary, when not empty), or resets the trust policy of the existing role.
func ensureRole(ctx context.Context, client *iam.Client, accountID, name, trust, boundary, description string) (string, error) {
	in := &iam.CreateRoleInput{
		RoleName:                 aws.String(name),
		AssumeRolePolicyDocument: aws.String(trust),
		Description:              aws.String(description),
		Tags:                     []iamtypes.Tag{{Key: aws.String(spec.TagManagedBy), Value: aws.String(spec.ManagedByValue)}},
	}
	if boundary != "" {
		in.PermissionsBoundary = aws.String(boundary)
	}
	created, err := client.CreateRole(ctx, in)
	var exists *iamtypes.EntityAlreadyExistsException
	switch {
	case err == nil:
		return aws.ToString(created.Role.Arn), nil
	case errors.As(err, &exists):
		if _, err := client.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String(name), PolicyDocument: aws.String(trust)}); err != nil {
			return "", fmt.Errorf("account %s: resetting the trust policy of %s: %w", accountID, name, err)
		}
		got, err := client.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
		if err != nil {
			return "", fmt.Errorf("account %s: reading the role %s: %w", accountID, name, err)
		}
		return aws.ToString(got.Role.Arn), nil
	default:
		return "", fmt.Errorf("account %s: creating the role %s: %w", accountID, name, err)
	}
}

// ensureBoundary creates the deploy role's permissions boundary policy, or,
// when it exists with another document, makes ours its default version
// (deleting the oldest non-default version first: a policy keeps at most five).
func (m *Manager) ensureBoundary(ctx context.Context, client *iam.Client, partition, accountID string) (string, error) {
	o := m.settings.Organization
	arn := BoundaryARN(partition, accountID, &o)
	want := DeployBoundary(partition, accountID, o)
	doc, err := want.JSON()
	if err != nil {
		return "", err
	}
	_, err = client.CreatePolicy(ctx, &iam.CreatePolicyInput{
		PolicyName:     aws.String(o.BoundaryPolicyName()),
		PolicyDocument: aws.String(doc),
		Description:    aws.String("Permissions boundary of the tenantctl deploy role and of every role it creates"),
		Tags:           []iamtypes.Tag{{Key: aws.String(spec.TagManagedBy), Value: aws.String(spec.ManagedByValue)}},
	})
	var exists *iamtypes.EntityAlreadyExistsException
	if err == nil {
		return arn, nil
	}
	if !errors.As(err, &exists) {
		return "", fmt.Errorf("account %s: creating the permissions boundary %s: %w", accountID, arn, err)
	}
	versions, err := client.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(arn)})
	if err != nil {
		return "", fmt.Errorf("account %s: reading the permissions boundary %s: %w", accountID, arn, err)
	}
	var oldest *iamtypes.PolicyVersion
	for i, v := range versions.Versions {
		if v.IsDefaultVersion {
			cur, err := client.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: v.VersionId})
			if err != nil {
				return "", fmt.Errorf("account %s: reading the permissions boundary %s: %w", accountID, arn, err)
			}
			if samePolicy(aws.ToString(cur.PolicyVersion.Document), want) {
				return arn, nil
			}
			continue
		}
		if oldest == nil || aws.ToTime(v.CreateDate).Before(aws.ToTime(oldest.CreateDate)) {
			oldest = &versions.Versions[i]
		}
	}
	if len(versions.Versions) >= 5 && oldest != nil {
		if _, err := client.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(arn), VersionId: oldest.VersionId}); err != nil {
			return "", fmt.Errorf("account %s: making room for a new version of %s: %w", accountID, arn, err)
		}
	}
	if _, err := client.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(doc), SetAsDefault: true}); err != nil {
		return "", fmt.Errorf("account %s: resetting the permissions boundary %s: %w", accountID, arn, err)
	}
	return arn, nil
}

// samePolicy reports whether an IAM policy document as IAM returns it (often
// URL-encoded) is want.
func samePolicy(got string, want iampolicy.Document) bool {
	if u, err := url.QueryUnescape(got); err == nil {
		got = u
	}
	doc, err := iampolicy.Parse(got)
	if err != nil {
		return false
	}
	a, errA := doc.JSON()
	b, errB := want.JSON()
	return errA == nil && errB == nil && a == b
}

// raiseQuotas reads each target quota in the account and requests an increase
// where it is below. Increases are decided by AWS, sometimes after days; the
// account is BASELINED once they are requested, and the requests are recorded
// on the account (TagQuotaRequests) and in Service Quotas' history.
func (m *Manager) raiseQuotas(ctx context.Context, member aws.Config, targets []spec.QuotaTarget) ([]QuotaResult, error) {
	client := servicequotas.NewFromConfig(member, m.opts.QuotaOptions...)
	var out []QuotaResult
	for _, q := range targets {
		current, err := quotaValue(ctx, client, q.ServiceCode, q.QuotaCode)
		if err != nil {
			return nil, err
		}
		r := QuotaResult{ServiceCode: q.ServiceCode, QuotaCode: q.QuotaCode, Current: current, Target: q.Value, Action: QuotaSufficient}
		if current < q.Value {
			req, err := client.RequestServiceQuotaIncrease(ctx, &servicequotas.RequestServiceQuotaIncreaseInput{
				ServiceCode: aws.String(q.ServiceCode), QuotaCode: aws.String(q.QuotaCode), DesiredValue: aws.Float64(q.Value),
			})
			var pending *sqtypes.ResourceAlreadyExistsException
			switch {
			case err == nil:
				r.Action = QuotaRequested
				if req.RequestedQuota != nil {
					r.RequestID = aws.ToString(req.RequestedQuota.Id)
				}
			case errors.As(err, &pending):
				r.Action = QuotaAlreadyRequested
			default:
				return nil, fmt.Errorf("requesting %s/%s = %g: %w", q.ServiceCode, q.QuotaCode, q.Value, err)
			}
		}
		out = append(out, r)
	}
	return out, nil
}

// quotaValue is the quota's value in the account: the applied value, or AWS's
// default where none is applied (new accounts often have none).
func quotaValue(ctx context.Context, client *servicequotas.Client, service, code string) (float64, error) {
	got, err := client.GetServiceQuota(ctx, &servicequotas.GetServiceQuotaInput{ServiceCode: aws.String(service), QuotaCode: aws.String(code)})
	var missing *sqtypes.NoSuchResourceException
	if errors.As(err, &missing) {
		def, derr := client.GetAWSDefaultServiceQuota(ctx, &servicequotas.GetAWSDefaultServiceQuotaInput{ServiceCode: aws.String(service), QuotaCode: aws.String(code)})
		if derr != nil {
			return 0, fmt.Errorf("reading quota %s/%s (fleet.yaml tiers.*.accountPool.serviceQuotas): no such quota in this region: %w", service, code, err)
		}
		if def.Quota == nil || def.Quota.Value == nil {
			return 0, fmt.Errorf("reading quota %s/%s: AWS returned no value", service, code)
		}
		return *def.Quota.Value, nil
	}
	if err != nil {
		return 0, fmt.Errorf("reading quota %s/%s: %w", service, code, err)
	}
	if got.Quota == nil || got.Quota.Value == nil {
		return 0, fmt.Errorf("reading quota %s/%s: AWS returned no value", service, code)
	}
	return *got.Quota.Value, nil
}

// quotaTag is the value of TagQuotaRequests: the increases asked for, as
// "service/code=value" separated by spaces, within a tag value's 256
// characters.
func quotaTag(results []QuotaResult) string {
	var parts []string
	for _, r := range results {
		if r.Action != QuotaSufficient {
			parts = append(parts, r.ServiceCode+"/"+r.QuotaCode+"="+strconv.FormatFloat(r.Target, 'f', -1, 64))
		}
	}
	s := strings.Join(parts, " ")
	for i := len(parts) - 1; len(s) > 256 && i > 0; i-- {
		s = strings.Join(parts[:i], " ") + " +" + strconv.Itoa(len(parts)-i) + " more"
	}
	return s
}
