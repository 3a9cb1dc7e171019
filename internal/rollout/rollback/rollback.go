// Package rollback plans the rollback of a rollout: every stack the rollout
// deployed successfully redeploys the release it ran before (from the
// ledger), wave by wave in reverse order, so the last stacks changed are the
// first restored and the platform, which went first, goes last.
package rollback

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/tenantctl/tenantctl/internal/rollout/journal"
	"github.com/tenantctl/tenantctl/internal/rollout/ledger"
	"github.com/tenantctl/tenantctl/internal/rollout/outcome"
	"github.com/tenantctl/tenantctl/internal/rollout/plan"
	"github.com/tenantctl/tenantctl/internal/rollout/release"
)

// Error is a rollback that cannot be planned, and why; nothing was started.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

func refuse(format string, args ...any) error { return &Error{Msg: fmt.Sprintf(format, args...)} }

// Plan is the rollback of the rollout st journals, as rollout id at now.
//
// It refuses, with an *Error: anything but a rollout (op up); a rollout that
// finished no stack; a stack whose earlier release the ledger does not hold,
// or holds as unknown; and a stack another rollout has deployed since (roll
// that one back first, or resume the rollback that did). Whether each
// release is in git is the caller's to check, with release.Resolve.
func Plan(l *ledger.Ledger, st *journal.State, id string, now time.Time) (*plan.Plan, error) {
	r := st.Plan
	if r.Op != plan.OpUp {
		if r.Op == plan.OpRollback {
			return nil, refuse("%s is itself a rollback (of %s); to undo it, roll out the release you want", r.ID, r.RollbackOf)
		}
		return nil, refuse("%s is a %s, not a rollout; only a rollout can be rolled back", r.ID, r.Op)
	}
	if len(l.Unreadable) > 0 {
		var ids []string
		for jid := range l.Unreadable {
			ids = append(ids, jid)
		}
		sort.Strings(ids)
		return nil, refuse("the journal of %s cannot be read (%v), so the releases the stacks ran before %s are not known", ids[0], l.Unreadable[ids[0]], r.ID)
	}
	p := &plan.Plan{ID: id, Op: plan.OpRollback, RollbackOf: r.ID, Created: now.UTC(), Fleet: r.Fleet, Backend: r.Backend,
		Selection: "rollback of " + r.ID, Releases: map[string]string{}}
	var problems []string
	for i := len(r.Waves) - 1; i >= 0; i-- {
		w := r.Waves[i]
		var stacks []string
		for _, s := range w.Stacks {
			if row := st.Rows[s]; row == nil || row.Result != outcome.ResultSucceeded {
				continue
			}
			prev, ok := l.Before(s, r.ID)
			switch {
			case !ok:
				problems = append(problems, fmt.Sprintf("%s: no earlier release in the journals (it was first deployed by %s)", s, r.ID))
				continue
			case prev.Release == release.Unknown:
				problems = append(problems, fmt.Sprintf("%s: its earlier release, deployed by %s, is unknown", s, prev.Rollout))
				continue
			}
			if since, ok := l.DeployedSince(s, r.ID); ok {
				problems = append(problems, fmt.Sprintf("%s: deployed since by %s %s (release %s); roll that back first, or resume it", s, since.Op, since.Rollout, since.Release))
				continue
			}
			stacks = append(stacks, s)
			p.Releases[s] = prev.Release
		}
		if len(stacks) == 0 {
			continue
		}
		p.Waves = append(p.Waves, plan.Wave{Index: len(p.Waves) + 1, Name: w.Name, Stacks: stacks,
			MaxConcurrency: w.MaxConcurrency, Tolerance: w.Tolerance, Mode: w.Mode})
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return nil, refuse("rollout %s cannot be rolled back:\n  %s", r.ID, strings.Join(problems, "\n  "))
	}
	if len(p.Waves) == 0 {
		return nil, refuse("rollout %s finished no stack, so there is nothing to roll back", r.ID)
	}
	p.Release = common(p.Releases)
	if err := p.Check(); err != nil {
		return nil, fmt.Errorf("the rollback plan of %s: %w", r.ID, err)
	}
	return p, nil
}

// common is the one release every stack goes back to, or "" when they differ.
func common(releases map[string]string) string {
	one := ""
	for _, r := range releases {
		if one != "" && r != one {
			return ""
		}
		one = r
	}
	return one
}

// IsRefused reports whether err is a rollback Plan refused.
func IsRefused(err error) bool {
	var e *Error
	return errors.As(err, &e)
}
