package devloop

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/tenantctl/tenantctl/internal/accounts"
	"github.com/tenantctl/tenantctl/internal/emulator/gaps"
	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/models/provider"
)

// EmulatorConfig is the SDK configuration for an emulator at url: the
// environment's credentials when it holds some, else the dummy ones (dummy
// is true then; the stacks' providers get the same choice). The instance
// metadata service is never asked: a laptop has none, and waiting for it
// only slows every command down.
func EmulatorConfig(ctx context.Context, url, region string) (cfg aws.Config, dummy bool, err error) {
	if err := provider.CheckURL(url); err != nil {
		return aws.Config{}, false, err
	}
	cfg, err = config.LoadDefaultConfig(ctx,
		config.WithRegion(region),
		config.WithBaseEndpoint(url),
		config.WithEC2IMDSClientEnableState(imds.ClientDisabled),
	)
	if err != nil {
		return aws.Config{}, false, fmt.Errorf("loading the AWS SDK configuration: %w", err)
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		cfg.Credentials = aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(provider.DummyAccessKey, provider.DummyAccessKey, ""))
		dummy = true
	}
	return cfg, dummy, nil
}

// EnsureOrganization creates the organization (all features) when the
// credentials' account has none, and returns its root. The OUs are the
// platform stack's (it creates Workload and Suspended), so they are not made
// here.
func EnsureOrganization(ctx context.Context, cfg aws.Config) (rootID string, created bool, err error) {
	org := organizations.NewFromConfig(cfg)
	_, err = org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	var notInUse *orgtypes.AWSOrganizationsNotInUseException
	switch {
	case errors.As(err, &notInUse):
		if _, err := org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}); err != nil {
			return "", false, fmt.Errorf("creating the emulated organization: %w", err)
		}
		created = true
	case err != nil:
		return "", false, fmt.Errorf("reading the emulated organization: %w", err)
	}
	roots, err := org.ListRoots(ctx, &organizations.ListRootsInput{})
	if err != nil {
		return "", created, fmt.Errorf("listing the organization's roots: %w", err)
	}
	if len(roots.Roots) == 0 {
		return "", created, errors.New("the emulated organization has no root")
	}
	return aws.ToString(roots.Roots[0].Id), created, nil
}

// AccountsResult is what PrepareAccounts did.
type AccountsResult struct {
	// Vended are the accounts vended, per pool.
	Vended []accounts.Vended
	// Assigned is every pool-drawn account tenant's account, by tenant id;
	// Existing is true for those that had it already.
	Assigned []accounts.Assignment
	// Gaps are the emulator gaps the preparation applied.
	Gaps []gaps.Gap
}

// PrepareAccounts gives every account-model tenant whose file names no
// account id an account of its pool, through the account lifecycle: it vends
// what the pools lack (baselined, in the Workload OU, tagged) and assigns
// (STATUS=ACTIVE, TENANT_ID). Tenants that have their account keep it, so a
// second run vends and changes nothing. The Workload and Suspended OUs must
// exist (the platform stack creates them). The tiers' service quotas are not
// requested when the emulator has GapServiceQuotaIncrease.
func PrepareAccounts(ctx context.Context, cfg aws.Config, f *spec.Fleet, secret []byte, known gaps.Set) (*AccountsResult, error) {
	res := &AccountsResult{}
	var tenants []*spec.Tenant
	for _, t := range f.Tenants {
		if t.Model == spec.ModelAccount && (t.Account == nil || t.Account.ID == "") {
			tenants = append(tenants, t)
		}
	}
	if len(tenants) == 0 {
		return res, nil
	}
	settings := f.Settings
	if known.Has(gaps.ServiceQuotaIncrease) {
		settings.Tiers = withoutQuotas(f.Settings.Tiers)
		res.Gaps = append(res.Gaps, known[gaps.ServiceQuotaIncrease])
	}
	m, err := accounts.New(cfg, &settings, accounts.Options{ExternalIDSecret: secret, Gaps: known})
	if err != nil {
		return nil, err
	}
	depth, inv, err := m.Pools(ctx)
	if err != nil {
		return nil, err
	}
	ready := map[string]int{}
	for _, p := range depth {
		ready[p.Tier] = p.Ready
	}
	need := map[string]int{}
	for _, t := range tenants {
		if len(inv.Of(t.ID, accounts.StatusActive)) == 0 {
			need[poolOf(t)]++
		}
	}
	pools := make([]string, 0, len(need))
	for p := range need {
		pools = append(pools, p)
	}
	sort.Strings(pools)
	for _, p := range pools {
		if n := need[p] - ready[p]; n > 0 {
			v, err := m.Vend(ctx, p, n)
			if v != nil {
				res.Vended = append(res.Vended, v.Accounts...)
			}
			if err != nil {
				return res, fmt.Errorf("vending %d account(s) for pool %s: %w", n, p, err)
			}
		}
	}
	for _, t := range tenants {
		a, err := m.Assign(ctx, t)
		if err != nil {
			return res, err
		}
		res.Assigned = append(res.Assigned, *a)
	}
	return res, nil
}

// poolOf is the pool a tenant draws from: account.pool, else its tier.
func poolOf(t *spec.Tenant) string {
	if t.Account != nil && t.Account.Pool != "" {
		return t.Account.Pool
	}
	return t.Tier
}

// withoutQuotas copies the tiers with no service quota targets.
func withoutQuotas(tiers map[string]*spec.Tier) map[string]*spec.Tier {
	out := make(map[string]*spec.Tier, len(tiers))
	for name, t := range tiers {
		c := *t
		c.AccountPool.ServiceQuotas = nil
		out[name] = &c
	}
	return out
}
