package accounts

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/tenantctl/tenantctl/internal/spec"
)

// TagSuspendedAt records when an account became SUSPENDED (RFC 3339, UTC): the
// start of its retention period, after which close closes it.
const TagSuspendedAt = "SUSPENDED_AT"

// Organizations' own states of an account (Account.State).
const (
	stateActive         = "ACTIVE"
	statePendingClosure = "PENDING_CLOSURE"
	stateClosed         = "SUSPENDED"
)

// Retention is how long a SUSPENDED account is kept before it may be closed:
// organization.closeAfterDays (spec.DefaultCloseAfterDays when unset).
func Retention(s *spec.Settings) time.Duration {
	days := s.Organization.CloseAfterDays
	if days <= 0 {
		days = spec.DefaultCloseAfterDays
	}
	return time.Duration(days) * 24 * time.Hour
}

// Closable returns the accounts whose retention has run out at now: SUSPENDED
// since at least retention ago by their SUSPENDED_AT tag, and not closed
// (or closing) yet.
func (inv *Inventory) Closable(now time.Time, retention time.Duration) []*Account {
	var out []*Account
	for _, a := range inv.Accounts {
		if a.Status == StatusSuspended && a.State == stateActive && !a.SuspendedAt.IsZero() && !now.Before(a.SuspendedAt.Add(retention)) {
			out = append(out, a)
		}
	}
	return out
}

// CloseResult is what a close did.
type CloseResult struct {
	// Closed are the accounts closed (or, with dry run, that would be).
	Closed []*Account `json:"closed"`
	// Kept are SUSPENDED accounts whose retention has not run out, with the
	// day it does; Undated are SUSPENDED accounts without a SUSPENDED_AT tag
	// (suspended before tenantctl recorded the time), which close never
	// closes on a guess.
	Kept    []KeptAccount `json:"kept"`
	Undated []*Account    `json:"undated"`
	DryRun  bool          `json:"dryRun"`
}

// KeptAccount is a SUSPENDED account still in its retention period.
type KeptAccount struct {
	*Account
	ClosableFrom time.Time `json:"closableFrom"`
}

// Close closes (CloseAccount) every SUSPENDED account whose retention period
// (organization.closeAfterDays) has run out; dryRun only says which. A
// closed account leaves the organization's account count once AWS finishes
// (PENDING_CLOSURE, then SUSPENDED in Organizations' own state) and is gone
// for good after 90 days: close is the one step of the lifecycle that cannot
// be undone after that, which is why the retention period comes first.
//
// AWS lets an organization close only 10 % of its member accounts in 30
// days; past that CloseAccount answers a constraint violation, and Close
// stops there with what it closed so far (run it again later).
func (m *Manager) Close(ctx context.Context, dryRun bool) (*CloseResult, error) {
	inv, err := m.Inventory(ctx)
	if err != nil {
		return nil, err
	}
	now, retention := m.opts.Now(), Retention(m.settings)
	res := &CloseResult{DryRun: dryRun, Closed: []*Account{}, Kept: []KeptAccount{}, Undated: []*Account{}}
	for _, a := range inv.Accounts {
		if a.Status != StatusSuspended || a.State != stateActive {
			continue
		}
		switch {
		case a.SuspendedAt.IsZero():
			res.Undated = append(res.Undated, a)
		case now.Before(a.SuspendedAt.Add(retention)):
			res.Kept = append(res.Kept, KeptAccount{a, a.SuspendedAt.Add(retention)})
		}
	}
	for _, a := range inv.Closable(now, retention) {
		if !dryRun {
			_, err := m.org.CloseAccount(ctx, &organizations.CloseAccountInput{AccountId: aws.String(a.ID)})
			var closed *types.AccountAlreadyClosedException
			if err != nil && !errors.As(err, &closed) {
				return res, orgError(fmt.Sprintf("closing account %s (%s)", a.ID, a.Name), err)
			}
			a.State = statePendingClosure
		}
		res.Closed = append(res.Closed, a)
	}
	return res, nil
}
