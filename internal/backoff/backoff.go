// Package backoff is the one exponential backoff of tenantctl: the rollout's
// retries of transient stack failures and the account manager's polls of AWS
// Organizations both wait through it.
package backoff

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/tenantctl/tenantctl/internal/ctxtime"
)

// Exp waits Base after the first attempt, doubling per attempt up to Max
// (Max ≤ 0: no growth). With Jitter the wait is equal-jittered (half fixed,
// half random), so callers that failed together do not retry in lockstep
// against the same throttle.
type Exp struct {
	Base, Max time.Duration
	Jitter    bool
	// Rand returns a number in [0, 1); math/rand when nil.
	Rand func() float64
}

// Delay is the wait after attempt n (n ≥ 1) before the next one.
func (b Exp) Delay(n int) time.Duration {
	d := b.Base
	for i := 1; i < n && d < b.Max; i++ {
		d *= 2
	}
	if b.Max > 0 && d > b.Max {
		d = b.Max
	}
	if !b.Jitter {
		return d
	}
	f := rand.Float64
	if b.Rand != nil {
		f = b.Rand
	}
	return d/2 + time.Duration(f()*float64(d/2))
}

// Until calls try, waiting b.Delay(n) after the nth attempt, until try reports
// done or fails, ctx is cancelled, or the next wait would end past timeout
// from the start; what names the wait in those errors.
func Until(ctx context.Context, b Exp, timeout time.Duration, what string, try func() (done bool, err error)) error {
	deadline := time.Now().Add(timeout)
	for n := 1; ; n++ {
		done, err := try()
		if err != nil || done {
			return err
		}
		delay := b.Delay(n)
		if time.Now().Add(delay).After(deadline) {
			return fmt.Errorf("%s: still not done after %s", what, timeout)
		}
		if err := ctxtime.Sleep(ctx, delay); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
	}
}
