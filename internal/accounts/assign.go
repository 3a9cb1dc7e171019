package accounts

import (
	"context"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/tenantctl/tenantctl/internal/ctxtime"
	"github.com/tenantctl/tenantctl/internal/spec"
)

// Assignment is a tenant's account.
type Assignment struct {
	TenantID  string `json:"tenantId"`
	AccountID string `json:"accountId"`
	Name      string `json:"name"`
	Pool      string `json:"pool"`
	// Existing is true when the tenant already had the account (assign is
	// idempotent) and false when this call took it from the pool.
	Existing bool `json:"existing"`
}

// maxClaimRounds bounds how often one assign tries another account after
// losing a race for one (or waits for claims in flight to settle).
const maxClaimRounds = 8

// lowestPatience is how many more reads the lowest claimant makes, waiting
// for the others to withdraw, before it withdraws too.
const lowestPatience = 5

// Assign gives the tenant an account of its pool, or returns the one it has.
//
// Organizations has no conditional write: TagResource cannot say "only if
// TENANT_ID is unset". Tagging TENANT_ID and reading it back does not make a
// lock either, because two writes to one key overwrite each other: A writes
// a, reads a; B writes b, reads b; both believe they won. So every assign
// writes a key of its own, CLAIM_<tenant>, and reads the account's tags back
// (one ListTagsForResource, a single snapshot of all keys):
//
//   - it wins only when that read shows its claim alone, the account still
//     BASELINED and without TENANT_ID. It then tags STATUS=ACTIVE and
//     TENANT_ID in one call and only afterwards removes its claim.
//   - if it sees another claim, the lowest tenant id keeps its claim and reads
//     again a few times (the others are withdrawing); everyone else withdraws
//     (removes its claim) and tries another account, so a race always ends.
//
// Two assigns can never both win one account: of two claim writes, the later
// one's read sees the earlier claim (claims are removed only by losers and
// only after the winner's ACTIVE tag is in place), so at most one read shows a
// lone claim. This needs Organizations' reads to see earlier writes, which
// Options.ClaimSettle waits for; a final read after the ACTIVE tag checks the
// outcome and fails loudly if it ever finds another tenant there.
//
// Within one process assignMu serialises assigns, so goroutines sharing a
// Manager do not even race. Two processes assigning the same tenant at once
// normally claim the same account (the starting pick depends only on the
// tenant and the pool); should their inventories differ and each win a
// different account, the tenant has two ACTIVE accounts, which list reports
// and every later assign refuses: detected, not silent. Pipelines run one
// assign per tenant. An assign interrupted after its claim leaves
// CLAIM_<tenant> on the account: `list` shows it, other tenants skip the
// account, and running assign for the tenant again finishes it.
//
// Assign refuses to take an account while the inventory shows a bad state
// (list's problems): an account without STATUS, or one whose STATUS
// contradicts its OU, may be this very tenant's, and handing out another
// would give the tenant two. A tenant that has its one ACTIVE account gets
// it back all the same (that changes nothing), unless its own accounts are
// in a bad state.
//
// A suspended tenant gets no account: neither one whose file says
// `status: suspended`, nor one whose account is SUSPENDING or SUSPENDED
// (suspension is one-way; a new account would make the tenant two).
func (m *Manager) Assign(ctx context.Context, t *spec.Tenant) (*Assignment, error) {
	pool, err := m.poolOf(t)
	if err != nil {
		return nil, err
	}
	if t.Status == spec.StatusSuspended {
		return nil, fmt.Errorf("%s: tenant %s has status: suspended; assign gives accounts to active tenants only (a suspended tenant's account stays in the Suspended OU: run `tenantctl accounts suspend %s` if it is not there yet)", sourceFile(t), t.ID, t.ID)
	}
	m.assignMu.Lock()
	defer m.assignMu.Unlock()
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), hash(t.ID)))
	var lastClaims []string
	for round := 0; round < maxClaimRounds; round++ {
		lastClaims = nil
		inv, err := m.Inventory(ctx)
		if err != nil {
			return nil, err
		}
		if err := tenantProblems(inv, t.ID, "assign"); err != nil {
			return nil, err
		}
		if err := refuseSuspended(inv, t.ID); err != nil {
			return nil, err
		}
		if active := inv.Of(t.ID, StatusActive); len(active) == 1 {
			a := active[0]
			if _, leftover := a.Claims[t.ID]; leftover {
				if err := m.untag(ctx, a.ID, claimKey(t.ID)); err != nil {
					return nil, err
				}
			}
			return &Assignment{TenantID: t.ID, AccountID: a.ID, Name: a.Name, Pool: a.Tier, Existing: true}, nil
		}
		// Returning the tenant's account changes nothing; taking a new one
		// waits until no account anywhere is in doubt.
		if probs := inv.Problems(); len(probs) > 0 {
			return nil, fmt.Errorf("assign %s refused: the accounts are in a bad state, and nothing is changed on a guess; fix these first (see `tenantctl accounts list`):\n  %s", t.ID, strings.Join(probs, "\n  "))
		}
		target := ownClaim(inv, t.ID)
		if target == nil {
			candidates := pooled(inv, pool)
			if len(candidates) == 0 {
				claimed := claimedByOthers(inv, pool, t.ID)
				if len(claimed) == 0 {
					return nil, fmt.Errorf("assign %s: pool %q: %w: vend more with `tenantctl accounts vend --tier %s --count N` or `tenantctl accounts pool --top-up`", t.ID, pool, ErrPoolEmpty, pool)
				}
				// Every ready account is claimed by assigns in flight; losers
				// will withdraw. Wait for them rather than call the pool empty.
				lastClaims = claimed
				if err := ctxtime.Sleep(ctx, m.opts.ClaimSettle+time.Duration(rng.Int64N(int64(m.opts.ClaimSettle)+1))); err != nil {
					return nil, err
				}
				continue
			}
			// Start at a place that depends on the tenant, so concurrent
			// assigns mostly go for different accounts.
			target = candidates[(int(hash(t.ID)%uint64(len(candidates)))+round)%len(candidates)]
			if err := m.tag(ctx, target.ID, map[string]string{claimKey(t.ID): m.opts.Now().UTC().Format(time.RFC3339)}); err != nil {
				return nil, err
			}
		}
		won, err := m.settleClaim(ctx, target.ID, t.ID)
		if err != nil {
			return nil, err
		}
		if !won {
			if err := m.untag(ctx, target.ID, claimKey(t.ID)); err != nil {
				return nil, err
			}
			// Jitter, so that two losers do not meet again in step.
			if err := ctxtime.Sleep(ctx, time.Duration(rng.Int64N(int64(m.opts.ClaimSettle)+1))); err != nil {
				return nil, err
			}
			continue
		}
		if err := m.activate(ctx, target.ID, t.ID); err != nil {
			return nil, err
		}
		return &Assignment{TenantID: t.ID, AccountID: target.ID, Name: target.Name, Pool: pool}, nil
	}
	if len(lastClaims) > 0 {
		return nil, fmt.Errorf("assign %s: every ready account of pool %q stayed claimed by other assigns (%s); run it again, and if a claim is stale (an interrupted assign), run assign for that tenant to finish it", t.ID, pool, strings.Join(lastClaims, ", "))
	}
	return nil, fmt.Errorf("assign %s: lost the race for an account of pool %q %d times to concurrent assigns; run it again", t.ID, pool, maxClaimRounds)
}

// refuseSuspended refuses to assign a tenant whose account is being, or has
// been, suspended: accounts only move forward, so it can have no other.
func refuseSuspended(inv *Inventory, tenantID string) error {
	var gone []string
	for _, st := range []Status{StatusSuspending, StatusSuspended} {
		for _, a := range inv.Of(tenantID, st) {
			gone = append(gone, fmt.Sprintf("%s (%s) is %s", a.ID, a.Name, a.Status))
		}
	}
	if len(gone) == 0 {
		return nil
	}
	return fmt.Errorf("assign %s refused: the tenant's account %s; a suspended tenant gets no second account (set status: suspended in its file, or finish with `tenantctl accounts suspend %s`)", tenantID, strings.Join(gone, ", "), tenantID)
}

// sourceFile is the tenant's file as errors name it.
func sourceFile(t *spec.Tenant) string {
	if t.Source.File != "" {
		return t.Source.File
	}
	return t.ID + ".yaml"
}

// claimedByOthers lists the pool's ready accounts that only other tenants'
// claims keep from being taken, as "account by tenant".
func claimedByOthers(inv *Inventory, pool, tenant string) []string {
	var out []string
	for _, a := range inv.Accounts {
		if a.Tier != pool || a.Status != StatusBaselined || a.TenantID != "" || len(a.Problems) > 0 || len(a.Claims) == 0 {
			continue
		}
		var by []string
		for c := range a.Claims {
			if c != tenant {
				by = append(by, c)
			}
		}
		sort.Strings(by)
		out = append(out, a.ID+" by "+strings.Join(by, "+"))
	}
	return out
}

// poolOf is the pool the tenant draws from: account.pool, or its tier.
func (m *Manager) poolOf(t *spec.Tenant) (string, error) {
	file := sourceFile(t)
	if t.Model != spec.ModelAccount {
		return "", fmt.Errorf("%s: tenant %s uses the %q model; only account-model tenants get an account (set model: account)", file, t.ID, t.Model)
	}
	pool := t.Tier
	if t.Account != nil {
		if t.Account.ID != "" {
			return "", fmt.Errorf("%s: account.id pins tenant %s to account %s; assign draws from a pool only for tenants whose file gives no id (remove account.id to use the pool)", file, t.ID, t.Account.ID)
		}
		if t.Account.Pool != "" {
			pool = t.Account.Pool
		}
	}
	if m.settings.Tiers[pool] == nil {
		return "", fmt.Errorf("%s: account.pool %q is not a tier of fleet.yaml (%v)", file, pool, tierNames(m.settings))
	}
	return pool, nil
}

// settleClaim waits, then reads the account's tags and decides whether the
// tenant's claim won (see Assign).
func (m *Manager) settleClaim(ctx context.Context, accountID, tenant string) (bool, error) {
	for attempt := 0; ; attempt++ {
		if err := ctxtime.Sleep(ctx, m.opts.ClaimSettle); err != nil {
			return false, err
		}
		tags, err := m.tagsOf(ctx, accountID)
		if err != nil {
			return false, err
		}
		if Status(tags[spec.TagAccountStatus]) != StatusBaselined || tags[spec.TagAccountTenantID] != "" {
			// Taken meanwhile: by another tenant, or by another assign of this
			// one (the next inventory then finds it ACTIVE for the tenant).
			return false, nil
		}
		if _, mine := tags[claimKey(tenant)]; !mine {
			return false, fmt.Errorf("assign %s: its claim on account %s disappeared (removed by hand?); run it again", tenant, accountID)
		}
		others := otherClaims(tags, tenant)
		if len(others) == 0 {
			return true, nil
		}
		// Lowest tenant keeps its claim and waits for the others to withdraw;
		// the rest withdraw at once.
		if tenant > others[0] || attempt >= lowestPatience {
			return false, nil
		}
	}
}

// activate makes the account the tenant's, removes the claim and checks.
func (m *Manager) activate(ctx context.Context, accountID, tenant string) error {
	if err := m.tag(ctx, accountID, map[string]string{spec.TagAccountStatus: string(StatusActive), spec.TagAccountTenantID: tenant}); err != nil {
		return err
	}
	if err := m.untag(ctx, accountID, claimKey(tenant)); err != nil {
		return err
	}
	tags, err := m.tagsOf(ctx, accountID)
	if err != nil {
		return err
	}
	if got := tags[spec.TagAccountTenantID]; got != tenant || Status(tags[spec.TagAccountStatus]) != StatusActive {
		return fmt.Errorf("assign %s: account %s reads STATUS=%s TENANT_ID=%s right after this assign tagged it: two assigns raced through the claim (Organizations served a stale read); check both tenants with `tenantctl accounts list` before deploying", tenant, accountID, tags[spec.TagAccountStatus], got)
	}
	return nil
}

// pooled returns the accounts assign may take from the pool, oldest first.
func pooled(inv *Inventory, pool string) []*Account {
	var out []*Account
	for _, a := range inv.Accounts {
		if a.Tier == pool && available(a) {
			out = append(out, a)
		}
	}
	return out
}

// ownClaim returns the BASELINED account an interrupted assign of the tenant
// claimed, if any.
func ownClaim(inv *Inventory, tenant string) *Account {
	for _, a := range inv.Accounts {
		if _, ok := a.Claims[tenant]; ok && a.Status == StatusBaselined && a.TenantID == "" {
			return a
		}
	}
	return nil
}

func otherClaims(tags map[string]string, tenant string) []string {
	var out []string
	for k := range tags {
		if c, ok := strings.CutPrefix(k, claimPrefix); ok && c != tenant {
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return out
}

func claimKey(tenant string) string { return claimPrefix + tenant }

func hash(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}
