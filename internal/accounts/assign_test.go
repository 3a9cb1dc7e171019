package accounts

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/tenantctl/tenantctl/internal/spec"
)

// Concurrent assigns, each on its own Manager (as separate processes would
// be, so the in-process mutex does not help), never share an account.
func TestConcurrentAssignsGetDistinctAccounts(t *testing.T) {
	for _, c := range []struct {
		name              string
		accounts, tenants int
	}{
		{"as many tenants as accounts", 6, 6},
		{"more tenants than accounts", 3, 7},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := newOrg(t)
			ctx := context.Background()
			if _, err := o.manager(testSettings()).Vend(ctx, "enterprise", c.accounts); err != nil {
				t.Fatal(err)
			}
			results := make([]*Assignment, c.tenants)
			errs := make([]error, c.tenants)
			var wg sync.WaitGroup
			for i := range c.tenants {
				m := o.manager(testSettings())
				wg.Add(1)
				go func() {
					defer wg.Done()
					results[i], errs[i] = m.Assign(ctx, accountTenant(fmt.Sprintf("tenant-%02d", i)))
				}()
			}
			wg.Wait()
			owner := map[string]string{}
			won := 0
			for i, r := range results {
				if errs[i] != nil {
					if !errors.Is(errs[i], ErrPoolEmpty) && !strings.Contains(errs[i].Error(), "lost the race") && !strings.Contains(errs[i].Error(), "stayed claimed") {
						t.Errorf("tenant-%02d: unexpected error %v", i, errs[i])
					}
					continue
				}
				won++
				if prev, dup := owner[r.AccountID]; dup {
					t.Errorf("account %s given to %s and %s", r.AccountID, prev, r.TenantID)
				}
				owner[r.AccountID] = r.TenantID
				if tags := o.tags(r.AccountID); tags["STATUS"] != "ACTIVE" || tags["TENANT_ID"] != r.TenantID {
					t.Errorf("account %s tags %v, want ACTIVE for %s", r.AccountID, tags, r.TenantID)
				}
			}
			if want := min(c.accounts, c.tenants); won != want {
				t.Errorf("%d assigns succeeded, want %d (errors: %v)", won, want, errs)
			}
			inv, err := o.manager(testSettings()).Inventory(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range inv.Accounts {
				if len(a.Claims) != 0 {
					t.Errorf("account %s keeps claims %v after the race", a.ID, a.Claims)
				}
			}
			if p := inv.Problems(); len(p) != 0 {
				t.Errorf("problems after concurrent assigns: %v", p)
			}
		})
	}
}

// Goroutines sharing one Manager are serialised by its mutex.
func TestConcurrentAssignsOnOneManager(t *testing.T) {
	o := newOrg(t)
	ctx := context.Background()
	m := o.manager(testSettings())
	o.vend(m, "enterprise", 4)
	var wg sync.WaitGroup
	got := make([]*Assignment, 4)
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a, err := m.Assign(ctx, accountTenant(fmt.Sprintf("t%d", i)))
			if err != nil {
				t.Error(err)
			}
			got[i] = a
		}()
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, a := range got {
		if a == nil {
			continue
		}
		if seen[a.AccountID] {
			t.Errorf("account %s assigned twice", a.AccountID)
		}
		seen[a.AccountID] = true
	}
	if len(seen) != 4 {
		t.Errorf("%d distinct accounts assigned, want 4", len(seen))
	}
}

// The race itself, played out step by step on one account: two claims seen
// together, the lowest tenant wins, the other withdraws and never activates.
func TestClaimRaceLowestTenantWins(t *testing.T) {
	o := newOrg(t)
	ctx := context.Background()
	m := o.manager(testSettings())
	res := o.vend(m, "enterprise", 1)
	id := res.Accounts[0].AccountID
	// Both claims are on the account when each side reads.
	o.setTags(id, "CLAIM_alpha", "2026-01-01T00:00:00Z", "CLAIM_beta", "2026-01-01T00:00:00Z")
	won, err := m.settleClaim(ctx, id, "beta")
	if err != nil || won {
		t.Fatalf("beta: won=%v err=%v, want it to lose to alpha", won, err)
	}
	if err := m.untag(ctx, id, claimKey("beta")); err != nil {
		t.Fatal(err)
	}
	won, err = m.settleClaim(ctx, id, "alpha")
	if err != nil || !won {
		t.Fatalf("alpha: won=%v err=%v, want it to win once beta withdrew", won, err)
	}
	// A claim read after the account turned ACTIVE loses.
	if err := m.activate(ctx, id, "alpha"); err != nil {
		t.Fatal(err)
	}
	o.setTags(id, "CLAIM_aaa", "2026-01-01T00:00:00Z")
	if won, err := m.settleClaim(ctx, id, "aaa"); err != nil || won {
		t.Errorf("a claim on an ACTIVE account: won=%v err=%v", won, err)
	}
	// The lowest tenant does not wait forever for a claim that stays.
	res = o.vend(m, "enterprise", 1)
	id2 := res.Accounts[0].AccountID
	o.setTags(id2, "CLAIM_a", "x", "CLAIM_zzz-crashed", "x")
	if won, err := m.settleClaim(ctx, id2, "a"); err != nil || won {
		t.Errorf("lowest claim beside a stale one: won=%v err=%v, want a withdrawal", won, err)
	}
}

// An assign interrupted after its claim is finished by the next assign of
// the same tenant; other tenants skip the claimed account.
func TestAssignFinishesItsInterruptedClaim(t *testing.T) {
	o := newOrg(t)
	ctx := context.Background()
	m := o.manager(testSettings())
	res := o.vend(m, "enterprise", 2)
	claimed := res.Accounts[1].AccountID
	o.setTags(claimed, "CLAIM_globex", "2026-01-01T00:00:00Z")
	other, err := m.Assign(ctx, accountTenant("hooli"))
	if err != nil {
		t.Fatal(err)
	}
	if other.AccountID == claimed {
		t.Fatalf("hooli took the account globex claimed")
	}
	got, err := m.Assign(ctx, accountTenant("globex"))
	if err != nil {
		t.Fatal(err)
	}
	if got.AccountID != claimed || got.Existing {
		t.Errorf("globex = %+v, want its claimed account %s", got, claimed)
	}
	if tags := o.tags(claimed); tags["CLAIM_globex"] != "" || tags["TENANT_ID"] != "globex" {
		t.Errorf("tags = %v", tags)
	}
}

func TestAssignRefusals(t *testing.T) {
	o := newOrg(t)
	ctx := context.Background()
	m := o.manager(testSettings())
	pinned := accountTenant("acme-corp")
	pinned.Account = &spec.AccountSpec{ID: "210987654321"}
	vpc := accountTenant("initech")
	vpc.Model = spec.ModelVPC
	badPool := accountTenant("wonka")
	badPool.Account.Pool = "platinum"
	cases := []struct {
		tenant *spec.Tenant
		want   string
	}{
		{pinned, "tenants/acme-corp.yaml: account.id pins tenant acme-corp to account 210987654321"},
		{vpc, `tenants/initech.yaml: tenant initech uses the "vpc" model`},
		{badPool, `tenants/wonka.yaml: account.pool "platinum" is not a tier of fleet.yaml ([enterprise free premium])`},
		{accountTenant("globex"), "assign globex: pool \"enterprise\": no BASELINED account is ready: vend more with `tenantctl accounts vend --tier enterprise --count N`"},
	}
	for _, c := range cases {
		_, err := m.Assign(ctx, c.tenant)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("assign %s: error %v, want %q", c.tenant.ID, err, c.want)
		}
	}
	// A pool of another tier is not drawn from.
	o.vend(m, "premium", 1)
	if _, err := m.Assign(ctx, accountTenant("globex")); !errors.Is(err, ErrPoolEmpty) {
		t.Errorf("enterprise tenant with only a premium account: %v", err)
	}
}

// A pool whose only ready account is claimed by another tenant is not called
// empty: assign waits for the claim, then names it.
func TestAssignWaitsForClaimsInFlight(t *testing.T) {
	o := newOrg(t)
	ctx := context.Background()
	m := o.manager(testSettings())
	res := o.vend(m, "enterprise", 1)
	id := res.Accounts[0].AccountID
	o.setTags(id, "CLAIM_zzz", "2026-01-01T00:00:00Z")
	_, err := m.Assign(ctx, accountTenant("globex"))
	if err == nil || errors.Is(err, ErrPoolEmpty) || !strings.Contains(err.Error(), "every ready account of pool \"enterprise\" stayed claimed by other assigns ("+id+" by zzz)") {
		t.Fatalf("error = %v", err)
	}
	if tags := o.tags(id); tags["STATUS"] != "BASELINED" || tags["TENANT_ID"] != "" || tags["CLAIM_globex"] != "" {
		t.Errorf("tags after waiting = %v", tags)
	}
}

// A suspended tenant gets no second account: not when its file says
// status: suspended, and not when its account is SUSPENDING or SUSPENDED
// (before, assign drew a fresh account from the pool for it). The pool keeps
// its account.
func TestAssignRefusesASuspendedTenant(t *testing.T) {
	o := newOrg(t)
	ctx := context.Background()
	m := o.manager(testSettings())
	o.vend(m, "enterprise", 2)
	first, err := m.Assign(ctx, accountTenant("globex"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Suspend(ctx, "globex"); err != nil {
		t.Fatal(err)
	}
	for _, finish := range []bool{false, true} {
		if finish {
			if _, err := m.FinishSuspend(ctx, "globex"); err != nil {
				t.Fatal(err)
			}
		}
		before := o.snapshot()
		_, err := m.Assign(ctx, accountTenant("globex"))
		want := "assign globex refused: the tenant's account " + first.AccountID
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "gets no second account") {
			t.Fatalf("assign after suspend (finished %v): %v, want %q", finish, err, want)
		}
		if after := o.snapshot(); after != before {
			t.Errorf("a refused assign changed the organization:\n%s\n%s", before, after)
		}
	}
	suspended := accountTenant("hooli")
	suspended.Status = spec.StatusSuspended
	before := o.snapshot()
	if _, err := m.Assign(ctx, suspended); err == nil || !strings.Contains(err.Error(), "tenants/hooli.yaml: tenant hooli has status: suspended") {
		t.Fatalf("assign of a tenant whose file says suspended: %v", err)
	}
	if after := o.snapshot(); after != before {
		t.Errorf("a refused assign changed the organization")
	}
	// The ready account is still there for an active tenant.
	if _, err := m.Assign(ctx, accountTenant("hooli")); err != nil {
		t.Errorf("an active tenant after the refusals: %v", err)
	}
	inv, err := m.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if p := inv.Problems(); len(p) != 0 {
		t.Errorf("problems: %v", p)
	}
}
