package accounts

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/servicequotas"
	sqtypes "github.com/aws/aws-sdk-go-v2/service/servicequotas/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/tenantctl/tenantctl/internal/externalid"
	"github.com/tenantctl/tenantctl/internal/spec"
)

// BaselineReport is what baselining did in one account.
type BaselineReport struct {
	AccountID     string        `json:"accountId"`
	DeployRoleARN string        `json:"deployRoleArn"`
	Quotas        []QuotaResult `json:"quotas,omitempty"`
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
// organization's access role, it creates (or corrects) the deploy role and
// asks for the tier's service quotas. Every step is idempotent, so an
// interrupted baseline is simply run again.
func (m *Manager) baseline(ctx context.Context, l *orgLayout, accountID, tier string) (*BaselineReport, error) {
	if len(m.opts.ExternalIDSecret) == 0 {
		return nil, errNoSecret
	}
	member, err := m.memberConfig(ctx, l, accountID)
	if err != nil {
		return nil, err
	}
	report := &BaselineReport{AccountID: accountID}
	if report.DeployRoleARN, err = m.ensureDeployRole(ctx, member, l.partition, accountID); err != nil {
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
		out, err = m.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("tenantctl-baseline")})
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
		SessionToken: aws.ToString(c.SessionToken), Source: "tenantctl-baseline",
	}
	if c.Expiration != nil {
		creds.CanExpire, creds.Expires = true, *c.Expiration
	}
	member := m.cfg.Copy()
	member.Credentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { return creds, nil })
	return member, nil
}

// ensureDeployRole creates the deploy role with its trust policy and inline
// permissions; when it exists, its trust policy and permissions are reset to
// ours (so a re-baseline repairs a role someone loosened).
func (m *Manager) ensureDeployRole(ctx context.Context, member aws.Config, partition, accountID string) (string, error) {
	o := m.settings.Organization
	client := iam.NewFromConfig(member, m.opts.IAMOptions...)
	trust, err := DeployTrustPolicy(partition, o.DeploymentAccountID, externalid.Derive(m.opts.ExternalIDSecret, accountID)).JSON()
	if err != nil {
		return "", err
	}
	arn := fmt.Sprintf("arn:%s:iam::%s:role/%s", partition, accountID, o.DeployRoleName)
	created, err := client.CreateRole(ctx, &iam.CreateRoleInput{
		RoleName:                 aws.String(o.DeployRoleName),
		AssumeRolePolicyDocument: aws.String(trust),
		Description:              aws.String("Deployments of the tenant's stack from the deployment account (tenantctl)"),
		Tags:                     []iamtypes.Tag{{Key: aws.String(spec.TagManagedBy), Value: aws.String(spec.ManagedByValue)}},
	})
	var exists *iamtypes.EntityAlreadyExistsException
	switch {
	case err == nil:
		arn = aws.ToString(created.Role.Arn)
	case errors.As(err, &exists):
		if _, err := client.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String(o.DeployRoleName), PolicyDocument: aws.String(trust)}); err != nil {
			return "", fmt.Errorf("account %s: resetting the trust policy of %s: %w", accountID, o.DeployRoleName, err)
		}
	default:
		return "", fmt.Errorf("account %s: creating the deploy role %s: %w", accountID, o.DeployRoleName, err)
	}
	perms, err := DeployPermissions(partition, accountID, o.DeployRoleName, o.AccessRoleName).JSON()
	if err != nil {
		return "", err
	}
	if _, err := client.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(o.DeployRoleName), PolicyName: aws.String(deployPolicyName), PolicyDocument: aws.String(perms)}); err != nil {
		return "", fmt.Errorf("account %s: attaching the permissions of %s: %w", accountID, o.DeployRoleName, err)
	}
	return arn, nil
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
