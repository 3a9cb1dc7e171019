package accounts

import (
	"context"
	"strings"
	"testing"
)

// Each bad state is reported by Inventory (list) and refuses assign without
// changing anything.
func TestBadStatesAreReportedAndRefused(t *testing.T) {
	cases := []struct {
		name string
		// make puts one pool account (vended, BASELINED in Workload) into the
		// bad state; other is a second vended account.
		make    func(o *org, id, other string)
		problem string
	}{
		{
			name:    "no STATUS",
			make:    func(o *org, id, _ string) { o.untagAll(id) },
			problem: "no STATUS tag in OU Workload: tenantctl cannot tell whether it is a pool account or a tenant's",
		},
		{
			name:    "unknown STATUS",
			make:    func(o *org, id, _ string) { o.setTags(id, "STATUS", "RETIRED") },
			problem: `STATUS="RETIRED" is not a lifecycle status`,
		},
		{
			name:    "BASELINED in Suspended",
			make:    func(o *org, id, _ string) { o.move(id, o.workloadID, o.suspendedID) },
			problem: "STATUS=BASELINED contradicts its OU: it is in OU Suspended, BASELINED accounts belong in OU Workload",
		},
		{
			name: "ACTIVE in the root",
			make: func(o *org, id, _ string) {
				o.setTags(id, "STATUS", "ACTIVE", "TENANT_ID", "hooli")
				o.move(id, o.workloadID, o.rootID)
			},
			problem: "STATUS=ACTIVE contradicts its OU: it is in the root",
		},
		{
			name:    "SUSPENDED in Workload",
			make:    func(o *org, id, _ string) { o.setTags(id, "STATUS", "SUSPENDED", "TENANT_ID", "hooli") },
			problem: "STATUS=SUSPENDED contradicts its OU: it is in OU Workload, SUSPENDED accounts belong in OU Suspended",
		},
		{
			name: "tenant with two ACTIVE accounts",
			make: func(o *org, id, other string) {
				o.setTags(id, "STATUS", "ACTIVE", "TENANT_ID", "hooli")
				o.setTags(other, "STATUS", "ACTIVE", "TENANT_ID", "hooli")
			},
			problem: "tenant hooli has 2 ACTIVE accounts",
		},
		{
			name: "tenant with an ACTIVE and a SUSPENDED account",
			make: func(o *org, id, other string) {
				o.setTags(id, "STATUS", "ACTIVE", "TENANT_ID", "hooli")
				o.setTags(other, "STATUS", "SUSPENDED", "TENANT_ID", "hooli")
				o.move(other, o.workloadID, o.suspendedID)
			},
			problem: "tenant hooli has 2 accounts (",
		},
		{
			name:    "ACTIVE without TENANT_ID",
			make:    func(o *org, id, _ string) { o.setTags(id, "STATUS", "ACTIVE") },
			problem: "ACTIVE without a TENANT_ID tag",
		},
		{
			name:    "pool account carrying a TENANT_ID",
			make:    func(o *org, id, _ string) { o.setTags(id, "TENANT_ID", "hooli") },
			problem: "BASELINED but carries TENANT_ID=hooli: an account once given to a tenant never goes back to the pool",
		},
		{
			name:    "pool account of an unknown tier",
			make:    func(o *org, id, _ string) { o.setTags(id, "TIER", "platinum") },
			problem: "TIER=platinum is not a tier of fleet.yaml",
		},
		{
			name: "lifecycle tags in a foreign OU",
			make: func(o *org, id, _ string) {
				sandbox := o.createOU("Sandbox")
				o.move(id, o.workloadID, sandbox)
			},
			problem: "STATUS=BASELINED contradicts its OU: it is in OU ou-",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := newOrg(t)
			ctx := context.Background()
			m := o.manager(testSettings())
			res := o.vend(m, "enterprise", 3)
			id, other := res.Accounts[0].AccountID, res.Accounts[1].AccountID
			c.make(o, id, other)

			inv, err := m.Inventory(ctx)
			if err != nil {
				t.Fatal(err)
			}
			probs := strings.Join(inv.Problems(), "\n")
			if !strings.Contains(probs, "account "+id) || !strings.Contains(probs, c.problem) {
				t.Fatalf("problems = %q, want one for %s containing %q", probs, id, c.problem)
			}

			before := o.snapshot()
			_, err = m.Assign(ctx, accountTenant("globex"))
			if err == nil || !strings.Contains(err.Error(), "assign globex refused") || !strings.Contains(err.Error(), c.problem) {
				t.Fatalf("assign error = %v, want a refusal naming %q", err, c.problem)
			}
			if after := o.snapshot(); after != before {
				t.Errorf("a refused assign changed the organization:\n%s\n%s", before, after)
			}
		})
	}
}

func TestSuspendAndResolveRefuseATenantInABadState(t *testing.T) {
	o := newOrg(t)
	ctx := context.Background()
	m := o.manager(testSettings())
	res := o.vend(m, "enterprise", 2)
	for _, v := range res.Accounts {
		o.setTags(v.AccountID, "STATUS", "ACTIVE", "TENANT_ID", "hooli")
	}
	before := o.snapshot()
	if _, err := m.Suspend(ctx, "hooli"); err == nil || !strings.Contains(err.Error(), "suspend hooli refused") {
		t.Errorf("suspend error = %v", err)
	}
	if _, err := m.FinishSuspend(ctx, "hooli"); err == nil || !strings.Contains(err.Error(), "refused") {
		t.Errorf("finish error = %v", err)
	}
	if _, err := m.TenantAccount(ctx, "hooli"); err == nil || !strings.Contains(err.Error(), "2 ACTIVE accounts") {
		t.Errorf("resolve error = %v", err)
	}
	if after := o.snapshot(); after != before {
		t.Errorf("refused commands changed the organization")
	}
}

// An interrupted suspend (tagged SUSPENDING, not moved) is a contradiction
// for list, and suspend finishes it.
func TestSuspendResumesAnInterruptedSuspend(t *testing.T) {
	o := newOrg(t)
	ctx := context.Background()
	m := o.manager(testSettings())
	o.vend(m, "enterprise", 1)
	a, err := m.Assign(ctx, accountTenant("globex"))
	if err != nil {
		t.Fatal(err)
	}
	o.setTags(a.AccountID, "STATUS", "SUSPENDING")
	inv, err := m.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if p := strings.Join(inv.Problems(), "\n"); !strings.Contains(p, "an interrupted suspend: rerun `tenantctl accounts suspend globex`") {
		t.Errorf("problems = %q", p)
	}
	if _, err := m.Suspend(ctx, "globex"); err != nil {
		t.Fatal(err)
	}
	if o.parent(a.AccountID) != o.suspendedID {
		t.Errorf("not moved to Suspended")
	}
	inv, err = m.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if p := inv.Problems(); len(p) != 0 {
		t.Errorf("problems after resuming: %v", p)
	}
}

func TestSuspendWithoutAnAccount(t *testing.T) {
	o := newOrg(t)
	m := o.manager(testSettings())
	if _, err := m.Suspend(context.Background(), "nobody"); err == nil || !strings.Contains(err.Error(), "no account ACTIVE for the tenant") {
		t.Errorf("suspend error = %v", err)
	}
	if _, err := m.FinishSuspend(context.Background(), "nobody"); err == nil || !strings.Contains(err.Error(), "run `tenantctl accounts suspend nobody` first") {
		t.Errorf("finish error = %v", err)
	}
}

func (o *org) untagAll(accountID string) {
	o.t.Helper()
	var keys []string
	for k := range o.tags(accountID) {
		keys = append(keys, k)
	}
	m := o.manager(testSettings())
	if err := m.untag(context.Background(), accountID, keys...); err != nil {
		o.t.Fatal(err)
	}
}

// A tenant holding its account gets it back despite a stray account
// elsewhere; a new assign is refused.
func TestAssignReturnsAnExistingAccountDespiteUnrelatedProblems(t *testing.T) {
	o := newOrg(t)
	ctx := context.Background()
	m := o.manager(testSettings())
	res := o.vend(m, "enterprise", 3)
	a, err := m.Assign(ctx, accountTenant("globex"))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range res.Accounts {
		if v.AccountID != a.AccountID {
			o.untagAll(v.AccountID)
			break
		}
	}
	again, err := m.Assign(ctx, accountTenant("globex"))
	if err != nil || again.AccountID != a.AccountID || !again.Existing {
		t.Errorf("assign globex again = %+v, %v; want its account %s", again, err, a.AccountID)
	}
	if _, err := m.Assign(ctx, accountTenant("hooli")); err == nil || !strings.Contains(err.Error(), "assign hooli refused") {
		t.Errorf("assign hooli = %v, want a refusal", err)
	}
}
