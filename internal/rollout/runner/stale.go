package runner

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tenantctl/tenantctl/internal/rollout/journal"
	"github.com/tenantctl/tenantctl/internal/rollout/outcome"
)

// ErrStacksLocked marks a resume refused because an engine lock on one of its
// stacks is not provably its dead run's own: the command exits as locked.
var ErrStacksLocked = errors.New("stacks locked")

// LockClearer is a Deployer that can recognise the engine's stack locks a dead
// run of a rollout left behind (the process was killed, the CI runner lost)
// and clear them, so a resume re-runs those stacks instead of failing them as
// concurrent updates.
type LockClearer interface {
	// ClearStaleLocks gets the stacks a journal shows started and never
	// finished, each with when its last run started. It clears the locks whose
	// holder is provably gone and that run's own, and returns what it cleared;
	// any other lock on them is an error naming its holder (wrapping
	// ErrStacksLocked), and then it clears none and nothing may run.
	ClearStaleLocks(ctx context.Context, started map[string]time.Time) ([]string, error)
}

// clearStaleLocks asks the deployer to clear the locks of the stacks prior
// shows interrupted (started, no result). It returns a note for the journal's
// resume record, empty when nothing was cleared.
func clearStaleLocks(ctx context.Context, d Deployer, prior *journal.State) (string, error) {
	lc, ok := d.(LockClearer)
	if !ok {
		return "", nil
	}
	started := map[string]time.Time{}
	for s, row := range prior.Rows {
		if row.Result == outcome.ResultInterrupted {
			started[s] = row.Started
		}
	}
	if len(started) == 0 {
		return "", nil
	}
	cleared, err := lc.ClearStaleLocks(ctx, started)
	if err != nil {
		return "", err
	}
	if len(cleared) == 0 {
		return "", nil
	}
	return fmt.Sprintf("; cleared %d engine locks its dead run left: %s", len(cleared), strings.Join(cleared, ", ")), nil
}
