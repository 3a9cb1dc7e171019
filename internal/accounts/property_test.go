package accounts

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
)

// Random sequences of vend, assign (alone or two at once from separate
// Managers), suspend and suspend --finish; after every step the organization
// is read afresh and checked:
//   - an account's TENANT_ID, once set, never changes or disappears;
//   - an account's STATUS only moves forward (so nothing given to a tenant
//     ever returns to the pool);
//   - no tenant has two ACTIVE accounts, and list reports no problem (so no
//     tenant has two accounts of any status: assign refuses a suspended one);
//   - every successful assign names the account that carries its TENANT_ID.
//
// Seeds are fixed, so a failure replays; the step log says what happened.
func TestPropertyNoAccountServesTwoTenants(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			runLifecycleProperty(t, seed, 30)
		})
	}
}

func runLifecycleProperty(t *testing.T, seed uint64, steps int) {
	o := newOrg(t)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(seed, 0x7e4a47c7))
	tenants := []string{"acme", "globex", "hooli", "initech", "umbrella"}
	owner := map[string]string{}    // account → the tenant it was given to
	status := map[string]int{}      // account → index of its furthest status
	assigned := map[string]string{} // tenant → account its last assign returned
	tolerated := func(err error) bool {
		return err == nil || errors.Is(err, ErrPoolEmpty) || errors.Is(err, ErrNoAccount) || strings.Contains(err.Error(), "lost the race") || strings.Contains(err.Error(), "stayed claimed") ||
			strings.Contains(err.Error(), "gets no second account")
	}
	// pick chooses a tenant, mostly among those in the status (from the last
	// read), so that suspends and finishes mostly have something to do.
	last := map[Status][]string{}
	pick := func(st Status) string {
		if c := last[st]; len(c) > 0 && rng.IntN(5) > 0 {
			return c[rng.IntN(len(c))]
		}
		return tenants[rng.IntN(len(tenants))]
	}
	for step := range steps {
		var op string
		var err error
		switch k := rng.IntN(10); {
		case k < 2:
			n := 1 + rng.IntN(2)
			op = fmt.Sprintf("vend %d", n)
			_, err = o.manager(testSettings()).Vend(ctx, "enterprise", n)
		case k < 6:
			a, b := tenants[rng.IntN(len(tenants))], tenants[rng.IntN(len(tenants))]
			pair := []string{a}
			if k >= 4 && a != b {
				pair = append(pair, b)
			}
			op = "assign " + strings.Join(pair, " & ")
			var wg sync.WaitGroup
			res := make([]*Assignment, len(pair))
			errs := make([]error, len(pair))
			for i, tenant := range pair {
				m := o.manager(testSettings())
				wg.Add(1)
				go func() {
					defer wg.Done()
					res[i], errs[i] = m.Assign(ctx, accountTenant(tenant))
				}()
			}
			wg.Wait()
			var got []string
			for i, r := range res {
				if !tolerated(errs[i]) {
					err = errs[i]
				}
				if r != nil {
					assigned[r.TenantID] = r.AccountID
					got = append(got, r.TenantID+"→"+r.AccountID)
				} else {
					got = append(got, pair[i]+"→"+errs[i].Error())
				}
			}
			op += " (" + strings.Join(got, "; ") + ")"
		case k < 8:
			tenant := pick(StatusActive)
			op = "suspend " + tenant
			_, err = o.manager(testSettings()).Suspend(ctx, tenant)
			delete(assigned, tenant)
		default:
			tenant := pick(StatusSuspending)
			op = "suspend --finish " + tenant
			_, err = o.manager(testSettings()).FinishSuspend(ctx, tenant)
		}
		t.Logf("step %d: %s → %v", step, op, err)
		if !tolerated(err) {
			t.Fatalf("step %d (%s): %v", step, op, err)
		}

		inv, ierr := o.manager(testSettings()).Inventory(ctx)
		if ierr != nil {
			t.Fatal(ierr)
		}
		if p := inv.Problems(); len(p) > 0 {
			t.Fatalf("step %d (%s): problems %v", step, op, p)
		}
		active := map[string][]string{}
		last = map[Status][]string{}
		for _, a := range inv.Accounts {
			if a.TenantID != "" {
				last[a.Status] = append(last[a.Status], a.TenantID)
			}
			if prev, ok := owner[a.ID]; ok && a.TenantID != prev {
				t.Fatalf("step %d (%s): account %s belonged to %s and now carries TENANT_ID=%q", step, op, a.ID, prev, a.TenantID)
			}
			if a.TenantID != "" {
				owner[a.ID] = a.TenantID
			}
			idx := slices.Index(Statuses, a.Status)
			if idx < status[a.ID] {
				t.Fatalf("step %d (%s): account %s went back from %s to %s", step, op, a.ID, Statuses[status[a.ID]], a.Status)
			}
			status[a.ID] = idx
			if a.Status == StatusActive {
				active[a.TenantID] = append(active[a.TenantID], a.ID)
			}
			if len(a.Claims) > 0 {
				t.Fatalf("step %d (%s): account %s keeps claims %v", step, op, a.ID, a.Claims)
			}
		}
		for tenant, accs := range active {
			if len(accs) > 1 {
				t.Fatalf("step %d (%s): tenant %s has ACTIVE accounts %v", step, op, tenant, accs)
			}
			if want := assigned[tenant]; want != "" && want != accs[0] {
				t.Fatalf("step %d (%s): assign returned %s for %s, but its ACTIVE account is %s", step, op, want, tenant, accs[0])
			}
		}
	}
}
