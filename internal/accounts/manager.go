// Package accounts runs the account-per-tenant lifecycle on AWS Organizations:
// a pool of baselined accounts per tier, kept ready because baselining (quota
// increases, support cases) takes hours to days, and handed to one tenant each,
// never to be reused.
//
// The lifecycle state lives on the accounts themselves, nowhere else: the OU
// (Workload or Suspended, looked up by name) and the tags STATUS
// (BASELINING → BASELINED → ACTIVE → SUSPENDING → SUSPENDED), TENANT_ID and
// TIER (the pool). Every command reads that state afresh, so several operators
// and pipelines can run it at once; assign's claim protocol (assign.go) keeps
// two of them from handing out the same account.
//
// Nothing here prints or exits; programs/tenantctl does.
package accounts

import (
	"context"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/servicequotas"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/tenantctl/tenantctl/internal/backoff"
	"github.com/tenantctl/tenantctl/internal/emulator/gaps"
	"github.com/tenantctl/tenantctl/internal/spec"
)

// Options tune a Manager. Zero values take the defaults.
type Options struct {
	// Concurrency bounds the accounts vended at once (default 4). AWS accepts
	// only a few concurrent CreateAccount requests per organization and
	// throttles Organizations calls at a low rate, so more is rarely faster.
	Concurrency int
	// Poll is the backoff of waiting for CreateAccount (and for a new
	// account's access role to become assumable).
	Poll Backoff
	// ExternalIDSecret is the fleet secret the deploy roles' external ids are
	// derived from (internal/externalid). Vending refuses to start without it.
	ExternalIDSecret []byte
	// ClaimSettle is how long assign waits between writing its claim tag and
	// reading the account's tags back (default 1s): Organizations reads are
	// not promised to be strongly consistent, and the wait lets a competing
	// claim written at the same moment become visible.
	ClaimSettle time.Duration
	// Now is the clock (time.Now by default); tests fix it.
	Now func() time.Time
	// OrgOptions, IAMOptions and QuotaOptions are extra client options, e.g.
	// middleware a test uses to stand in for what an emulator lacks.
	OrgOptions []func(*organizations.Options)
	IAMOptions []func(*iam.Options)
	// Gaps are the emulator's (gaps.For), empty against AWS.
	Gaps         gaps.Set
	QuotaOptions []func(*servicequotas.Options)
}

// Backoff is an exponential backoff: Initial doubling up to Max, for at most
// Timeout in all.
type Backoff struct {
	Initial, Max, Timeout time.Duration
}

// DefaultPoll waits for CreateAccount: AWS usually finishes in one to four
// minutes.
var DefaultPoll = Backoff{Initial: 5 * time.Second, Max: 30 * time.Second, Timeout: 15 * time.Minute}

// Manager runs the lifecycle of one organization's tenant accounts.
type Manager struct {
	cfg      aws.Config
	settings *spec.Settings
	org      *organizations.Client
	sts      *sts.Client
	calls    *CallCounter
	opts     Options

	layoutMu sync.Mutex
	layout   *orgLayout

	// assignMu serialises assigns within one process: goroutines sharing a
	// Manager never race each other for an account. Across processes the claim
	// protocol in assign.go does that job.
	assignMu sync.Mutex
}

// New returns a Manager for the organization the configuration's credentials
// manage (the management account or a delegated administrator). It checks the
// settings' organization block and fails naming fleet.yaml's field.
func New(cfg aws.Config, settings *spec.Settings, opts Options) (*Manager, error) {
	if err := checkSettings(settings); err != nil {
		return nil, err
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 4
	}
	if opts.Poll == (Backoff{}) {
		opts.Poll = DefaultPoll
	}
	if opts.ClaimSettle == 0 {
		opts.ClaimSettle = time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	m := &Manager{cfg: cfg, settings: settings, calls: &CallCounter{}, opts: opts}
	orgOpts := append([]func(*organizations.Options){func(o *organizations.Options) {
		o.Retryer = throttleRetryer()
		o.APIOptions = append(o.APIOptions, m.calls.addTo)
	}}, opts.OrgOptions...)
	m.org = organizations.NewFromConfig(cfg, orgOpts...)
	m.sts = sts.NewFromConfig(cfg)
	return m, nil
}

// Calls returns the Organizations requests sent so far, by operation.
func (m *Manager) Calls() Calls { return m.calls.Snapshot() }

// throttleRetryer retries Organizations' throttling and concurrent
// modification errors with backoff, more patiently than the SDK's default, and
// without the client-side retry quota that would fail a busy vend outright.
func throttleRetryer() aws.Retryer {
	r := retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = 10
		o.MaxBackoff = 20 * time.Second
		o.RateLimiter = ratelimit.None
	})
	return retry.AddWithErrorCodes(r, "ConcurrentModificationException", "TooManyRequestsException")
}

// retryUntil calls try with the backoff b until it reports done, fails, or
// the backoff's timeout passes (then the last wait's reason is returned).
func retryUntil(ctx context.Context, b Backoff, what string, try func() (done bool, err error)) error {
	// No jitter: polls wait on one account's status, not on a shared throttle.
	return backoff.Until(ctx, backoff.Exp{Base: b.Initial, Max: b.Max}, b.Timeout, what, try)
}
