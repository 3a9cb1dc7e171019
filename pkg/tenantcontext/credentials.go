package tenantcontext

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"golang.org/x/sync/singleflight"

	"github.com/tenantctl/tenantctl/internal/spec"
)

// AssumeRoleAPI is the STS call Credentials makes.
type AssumeRoleAPI interface {
	AssumeRole(ctx context.Context, in *sts.AssumeRoleInput, opts ...func(*sts.Options)) (*sts.AssumeRoleOutput, error)
}

// Credentials vends AWS credentials scoped to one tenant: it assumes the one
// data role every pooled tenant shares, tagging the session TenantId=<id> and
// Tier=<tier>; the role's policy reaches only items and objects named after
// ${aws:PrincipalTag/TenantId}. Credentials are cached per tenant and tier
// until Refresh before they expire, so a request does not pay an STS call.
type Credentials struct {
	client  AssumeRoleAPI
	roleArn string
	// Duration is the session's length; an hour when zero.
	Duration time.Duration
	// Refresh is how long before expiry cached credentials are replaced;
	// five minutes when zero.
	Refresh time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time

	mu    sync.Mutex
	cache map[[2]string]aws.Credentials
	// calls joins concurrent requests of one tenant into one AssumeRole,
	// while other tenants' calls go ahead in parallel.
	calls singleflight.Group
}

// NewCredentials vends sessions of roleArn through client.
func NewCredentials(client AssumeRoleAPI, roleArn string) *Credentials {
	return &Credentials{client: client, roleArn: roleArn, cache: map[[2]string]aws.Credentials{}}
}

// For is t's credentials.
func (c *Credentials) For(ctx context.Context, t Tenant) (aws.Credentials, error) {
	if t.ID == "" {
		return aws.Credentials{}, errors.New("tenantcontext: credentials need a tenant id")
	}
	now, refresh, duration := time.Now, 5*time.Minute, time.Hour
	if c.Now != nil {
		now = c.Now
	}
	if c.Refresh != 0 {
		refresh = c.Refresh
	}
	if c.Duration != 0 {
		duration = c.Duration
	}
	key := [2]string{t.ID, t.Tier}
	c.mu.Lock()
	cached, ok := c.cache[key]
	c.mu.Unlock()
	if ok && now().Add(refresh).Before(cached.Expires) {
		return cached, nil
	}
	v, err, _ := c.calls.Do(t.ID+"\x00"+t.Tier, func() (any, error) {
		cr, err := c.assume(ctx, t, duration)
		if err == nil {
			c.mu.Lock()
			c.cache[key] = cr
			c.mu.Unlock()
		}
		return cr, err
	})
	if err != nil {
		return aws.Credentials{}, err
	}
	return v.(aws.Credentials), nil
}

// assume starts a session of the data role tagged with t.
func (c *Credentials) assume(ctx context.Context, t Tenant, duration time.Duration) (aws.Credentials, error) {
	tags := []ststypes.Tag{{Key: aws.String(spec.TagTenantID), Value: aws.String(t.ID)}}
	if t.Tier != "" {
		tags = append(tags, ststypes.Tag{Key: aws.String(spec.TagTier), Value: aws.String(t.Tier)})
	}
	out, err := c.client.AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn:         aws.String(c.roleArn),
		RoleSessionName: aws.String(sessionName(t.ID)),
		DurationSeconds: aws.Int32(int32(duration / time.Second)),
		Tags:            tags,
	})
	if err != nil {
		return aws.Credentials{}, fmt.Errorf("tenantcontext: assume %s for tenant %s: %w", c.roleArn, t.ID, err)
	}
	if out.Credentials == nil {
		return aws.Credentials{}, fmt.Errorf("tenantcontext: assume %s for tenant %s: no credentials", c.roleArn, t.ID)
	}
	return aws.Credentials{
		AccessKeyID:     aws.ToString(out.Credentials.AccessKeyId),
		SecretAccessKey: aws.ToString(out.Credentials.SecretAccessKey),
		SessionToken:    aws.ToString(out.Credentials.SessionToken),
		Source:          "tenantcontext",
		CanExpire:       true,
		Expires:         aws.ToTime(out.Credentials.Expiration),
	}, nil
}

// Provider is an aws.CredentialsProvider of t's credentials, for an SDK
// client's Credentials option.
func (c *Credentials) Provider(t Tenant) aws.CredentialsProvider {
	return aws.CredentialsProviderFunc(func(ctx context.Context) (aws.Credentials, error) { return c.For(ctx, t) })
}

// sessionName names the session after the tenant, so CloudTrail shows whose
// request it was; tenant ids are DNS labels, within a session name's
// characters, and cut to its 64.
func sessionName(id string) string {
	name := "tenant-" + id
	if len(name) > 64 {
		name = name[:64]
	}
	return name
}
