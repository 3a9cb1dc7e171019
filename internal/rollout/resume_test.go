package rollout_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tenantctl/tenantctl/internal/rollout"
	"github.com/tenantctl/tenantctl/internal/rollout/journal"
	"github.com/tenantctl/tenantctl/internal/rollout/outcome"
	"github.com/tenantctl/tenantctl/internal/rollout/rollouttest"
	"github.com/tenantctl/tenantctl/internal/spec"
)

// A journal is input: CheckResume refuses one of another rollout, fleet or
// backend, or that still has to run a tenant the fleet no longer holds, and
// loads the fleet only once the journal itself has passed.
func TestCheckResume(t *testing.T) {
	state := t.TempDir()
	p := newPlan(t, 4)
	w := &with{sim: &rollouttest.Sim{Fail: map[string]outcome.Class{"s2": outcome.ClassFailed}}}
	rep, err := rollout.Execute(context.Background(), rollout.Request{Plan: p, StateDir: state}, w.deps())
	if err != nil {
		t.Fatal(err)
	}
	recs, err := journal.Read(rep.Journal)
	if err != nil {
		t.Fatal(err)
	}
	st := journal.Fold(recs)
	fleetOf := func(ids ...string) func() (*spec.Fleet, error) {
		return func() (*spec.Fleet, error) {
			f := &spec.Fleet{Dir: p.Fleet}
			for _, id := range ids {
				f.Tenants = append(f.Tenants, &spec.Tenant{ID: id})
			}
			return f, nil
		}
	}
	unread := func() (*spec.Fleet, error) { return nil, errors.New("the fleet was read") }
	for _, c := range []struct {
		name, id, fleet, backend string
		load                     func() (*spec.Fleet, error)
		want                     string
	}{
		{"another rollout", "20990101T000000Z-abcdef", p.Fleet, p.Backend, unread, "cannot be resumed as 20990101T000000Z-abcdef"},
		{"another fleet", p.ID, t.TempDir(), p.Backend, unread, "is of the fleet in"},
		{"another backend", p.ID, p.Fleet, "file://" + t.TempDir(), unread, "ran against backend"},
		{"a tenant gone", p.ID, p.Fleet, p.Backend, fleetOf("s0", "s1", "s3"), "planned tenant s2, which is no longer in"},
		{"the same fleet", p.ID, p.Fleet, p.Backend, fleetOf("s0", "s1", "s2", "s3"), ""},
	} {
		f, err := rollout.CheckResume(st, c.id, rep.Journal, c.fleet, c.backend, c.load)
		switch {
		case c.want == "" && (err != nil || f == nil):
			t.Errorf("%s: %v", c.name, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}
