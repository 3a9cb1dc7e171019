package accounts

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tenantctl/tenantctl/internal/spec"
)

// ErrNoAccount is returned when a tenant has no account in the state an
// operation needs.
var ErrNoAccount = errors.New("no account")

// Suspend starts the end of a tenant's account: STATUS=SUSPENDING, then a move
// into the Suspended OU. The tenant's stack is destroyed next (the rollout's
// destroy, through the deploy role, which the Suspended OU's policies must
// still allow); FinishSuspend then marks the account SUSPENDED. The account
// never returns to the pool.
//
// It is idempotent: a tenant already SUSPENDING is returned as is, and one an
// interrupted suspend left SUSPENDING in the Workload OU is moved on.
func (m *Manager) Suspend(ctx context.Context, tenantID string) (*Account, error) {
	l, err := m.orgLayout(ctx)
	if err != nil {
		return nil, err
	}
	inv, err := m.Inventory(ctx)
	if err != nil {
		return nil, err
	}
	for _, a := range inv.Of(tenantID, "") {
		if a.Status == StatusSuspending && a.parentID == l.workloadID {
			// Our own interrupted suspend: its only problem is the OU.
			return a, m.finishMove(ctx, l, a)
		}
	}
	if err := tenantProblems(inv, tenantID, "suspend"); err != nil {
		return nil, err
	}
	active := inv.Of(tenantID, StatusActive)
	if len(active) == 0 {
		if s := inv.Of(tenantID, StatusSuspending); len(s) > 0 {
			return s[0], nil
		}
		return nil, fmt.Errorf("suspend %s: %w ACTIVE for the tenant (TENANT_ID=%s)", tenantID, ErrNoAccount, tenantID)
	}
	a := active[0]
	// The tag goes first: an interruption then leaves SUSPENDING in Workload,
	// which this command resumes, and at no moment does the account look like
	// an active one in the Suspended OU.
	if err := m.tag(ctx, a.ID, map[string]string{spec.TagAccountStatus: string(StatusSuspending)}); err != nil {
		return nil, err
	}
	a.Status = StatusSuspending
	return a, m.finishMove(ctx, l, a)
}

func (m *Manager) finishMove(ctx context.Context, l *orgLayout, a *Account) error {
	if err := m.move(ctx, a.ID, a.parentID, l.suspendedID); err != nil {
		return err
	}
	a.parentID, a.OU = l.suspendedID, l.ouName(l.suspendedID, m.settings)
	a.Problems = nil
	return nil
}

// FinishSuspend marks the tenant's SUSPENDING accounts SUSPENDED, once its
// stack is destroyed, and tags SUSPENDED_AT with the time: the retention
// period before `accounts close` starts then. Already SUSPENDED accounts are
// returned as they are.
func (m *Manager) FinishSuspend(ctx context.Context, tenantID string) ([]*Account, error) {
	inv, err := m.Inventory(ctx)
	if err != nil {
		return nil, err
	}
	if err := tenantProblems(inv, tenantID, "suspend --finish"); err != nil {
		return nil, err
	}
	suspending := inv.Of(tenantID, StatusSuspending)
	if len(suspending) == 0 {
		if done := inv.Of(tenantID, StatusSuspended); len(done) > 0 {
			return done, nil
		}
		return nil, fmt.Errorf("suspend --finish %s: %w SUSPENDING for the tenant; run `tenantctl accounts suspend %s` first", tenantID, ErrNoAccount, tenantID)
	}
	now := m.opts.Now().UTC().Truncate(time.Second)
	for _, a := range suspending {
		// One call: the status and the start of the retention period that
		// `accounts close` counts from.
		if err := m.tag(ctx, a.ID, map[string]string{spec.TagAccountStatus: string(StatusSuspended), TagSuspendedAt: now.Format(time.RFC3339)}); err != nil {
			return nil, err
		}
		a.Status, a.SuspendedAt = StatusSuspended, now
	}
	return suspending, nil
}

// tenantProblems refuses an operation on a tenant whose accounts are in a bad
// state.
func tenantProblems(inv *Inventory, tenantID, op string) error {
	var probs []string
	for _, a := range inv.Of(tenantID, "") {
		for _, p := range a.Problems {
			probs = append(probs, fmt.Sprintf("account %s (%s): %s", a.ID, a.Name, p))
		}
	}
	if len(probs) == 0 {
		return nil
	}
	return fmt.Errorf("%s %s refused: the tenant's accounts are in a bad state, and nothing is changed on a guess:\n  %s", op, tenantID, strings.Join(probs, "\n  "))
}
