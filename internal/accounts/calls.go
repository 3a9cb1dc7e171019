package accounts

import (
	"context"
	"sort"
	"sync"
	"sync/atomic"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"
)

// CallCounter counts the requests the Organizations client sends, by
// operation. Organizations throttles per organization and at low rates, so the
// number of calls per vended account is the figure to keep small.
//
// It counts in the finalize step after the SDK's retry middleware, so every
// attempt (a throttled call retried three times is four requests) is counted.
type CallCounter struct {
	mu   sync.Mutex
	byOp map[string]int
}

// Calls is a snapshot of a CallCounter.
type Calls struct {
	Total       int            `json:"total"`
	ByOperation map[string]int `json:"byOperation"`
}

// Snapshot returns the counts so far.
func (c *CallCounter) Snapshot() Calls {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := Calls{ByOperation: make(map[string]int, len(c.byOp))}
	for op, n := range c.byOp {
		s.ByOperation[op] = n
		s.Total += n
	}
	return s
}

// Operations returns the operation names counted, sorted.
func (s Calls) Operations() []string {
	ops := make([]string, 0, len(s.ByOperation))
	for op := range s.ByOperation {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	return ops
}

// tally counts the calls made on behalf of one account (a vend job), carried
// in the context of that job's requests.
type tally struct{ n atomic.Int64 }

type tallyKey struct{}

func withTally(ctx context.Context) (context.Context, *tally) {
	t := &tally{}
	return context.WithValue(ctx, tallyKey{}, t), t
}

// addTo installs the counting middleware on an Organizations client's stack.
func (c *CallCounter) addTo(stack *middleware.Stack) error {
	return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("tenantctlCallCounter",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			op := awsmiddleware.GetOperationName(ctx)
			c.mu.Lock()
			if c.byOp == nil {
				c.byOp = map[string]int{}
			}
			c.byOp[op]++
			c.mu.Unlock()
			if t, ok := ctx.Value(tallyKey{}).(*tally); ok {
				t.n.Add(1)
			}
			return next.HandleFinalize(ctx, in)
		}), middleware.After)
}
