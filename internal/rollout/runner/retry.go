package runner

import (
	"time"

	"github.com/tenantctl/tenantctl/internal/backoff"
)

// Retry bounds how transient failures are retried: exponential backoff from
// Base, capped at Max, with equal jitter (half fixed, half random) so stacks
// that failed together do not retry in lockstep against the same throttle.
type Retry struct {
	// Attempts is the most times one stack's operation runs (1: no retries).
	Attempts int
	Base     time.Duration
	Max      time.Duration
	// Rand returns a number in [0, 1); math/rand when nil.
	Rand func() float64
}

// DefaultRetry is 4 attempts, backing off 5s, 10s, 20s (±50%).
var DefaultRetry = Retry{Attempts: 4, Base: 5 * time.Second, Max: 2 * time.Minute}

// Delay is the wait before attempt n+1 after attempt n failed (n ≥ 1).
func (r Retry) Delay(n int) time.Duration {
	return backoff.Exp{Base: r.Base, Max: r.Max, Jitter: true, Rand: r.Rand}.Delay(n)
}
