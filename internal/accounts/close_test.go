package accounts

import (
	"context"
	"testing"
	"time"

	"github.com/tenantctl/tenantctl/internal/spec"
)

// TestCloseAfterTheRetentionPeriod suspends two tenants' accounts 80 days
// apart and closes, 91 days after the first, only the first: the second is
// kept until its own retention runs out, and an account suspended without
// a recorded time is never closed on a guess.
func TestCloseAfterTheRetentionPeriod(t *testing.T) {
	o := newOrg(t)
	ctx := context.Background()
	t0 := time.Date(2026, 1, 10, 12, 0, 0, 0, time.UTC)
	at := func(now time.Time) func(*Options) {
		return func(op *Options) { op.Now = func() time.Time { return now } }
	}
	s := testSettings()
	m := o.manager(s, at(t0))
	o.vend(m, "enterprise", 3)
	ids := map[string]string{}
	for i, tenant := range []string{"globex", "hooli", "wonka"} {
		a, err := m.Assign(ctx, accountTenant(tenant))
		if err != nil {
			t.Fatal(err)
		}
		ids[tenant] = a.AccountID
		if _, err := m.Suspend(ctx, tenant); err != nil {
			t.Fatal(err)
		}
		if tenant == "wonka" {
			o.setTags(a.AccountID, "STATUS", "SUSPENDED") // by hand, before SUSPENDED_AT existed
			continue
		}
		done, err := o.manager(s, at(t0.Add(time.Duration(i)*80*24*time.Hour))).FinishSuspend(ctx, tenant)
		if err != nil || len(done) != 1 {
			t.Fatalf("finish %s: %v, %v", tenant, done, err)
		}
	}
	if got := o.tags(ids["globex"])[TagSuspendedAt]; got != "2026-01-10T12:00:00Z" {
		t.Errorf("globex SUSPENDED_AT = %q", got)
	}

	later := o.manager(s, at(t0.Add(91*24*time.Hour)))
	dry, err := later.Close(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(dry.Closed) != 1 || dry.Closed[0].ID != ids["globex"] || len(dry.Kept) != 1 || dry.Kept[0].ID != ids["hooli"] ||
		!dry.Kept[0].ClosableFrom.Equal(t0.Add(170*24*time.Hour)) || len(dry.Undated) != 1 || dry.Undated[0].ID != ids["wonka"] {
		t.Fatalf("dry run: %+v", dry)
	}
	inv, _ := later.Inventory(ctx)
	if n := len(inv.Closable(t0.Add(91*24*time.Hour), Retention(s))); n != 1 || inv.Account(ids["globex"]).State != stateActive {
		t.Fatalf("the dry run closed something: %d closable, globex %s", n, inv.Account(ids["globex"]).State)
	}

	res, err := later.Close(ctx, false)
	if err != nil || len(res.Closed) != 1 {
		t.Fatalf("close: %+v, %v", res, err)
	}
	inv, _ = later.Inventory(ctx)
	if st := inv.Account(ids["globex"]).State; st != stateClosed && st != statePendingClosure {
		t.Errorf("globex's Organizations state is %s after close", st)
	}
	if st := inv.Account(ids["hooli"]).State; st != stateActive {
		t.Errorf("hooli was closed inside its retention: %s", st)
	}
	if again, err := later.Close(ctx, false); err != nil || len(again.Closed) != 0 {
		t.Errorf("closing again: %+v, %v", again, err)
	}
	s.Organization.CloseAfterDays = 30
	if n := len(inv.Closable(t0.Add(111*24*time.Hour), Retention(s))); n != 1 {
		t.Errorf("a 30-day retention: %d closable 111 days on, want hooli", n)
	}
	if Retention(&spec.Settings{}) != 90*24*time.Hour {
		t.Errorf("default retention %s", Retention(&spec.Settings{}))
	}
}
