// Package ctxtime holds waiting that a context can cut short, shared by every
// retry and poll loop (the rollout's retries, the account lifecycle's polls).
package ctxtime

import (
	"context"
	"time"
)

// Sleep waits d or until ctx ends, and returns ctx's error when it ended first.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
