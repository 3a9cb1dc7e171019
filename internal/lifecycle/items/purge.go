package items

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tenantctl/tenantctl/internal/backoff"
	"github.com/tenantctl/tenantctl/internal/ctxtime"
)

// batchWriteMax is BatchWriteItem's limit of requests per call.
const batchWriteMax = 25

// unprocessedAttempts bounds the calls that resend what DynamoDB left
// unprocessed (throttling: the table's throughput is exceeded) before Purge
// gives up; a later run picks up what is left.
const unprocessedAttempts = 8

// unprocessedBackoff waits between them, as AWS advises for UnprocessedItems.
var unprocessedBackoff = backoff.Exp{Base: 50 * time.Millisecond, Max: 5 * time.Second, Jitter: true}

func wait(ctx context.Context, attempt int, what string) error {
	if attempt >= unprocessedAttempts {
		return fmt.Errorf("%s: DynamoDB left requests unprocessed %d times (throughput exceeded); run the step again", what, attempt)
	}
	return ctxtime.Sleep(ctx, unprocessedBackoff.Delay(attempt))
}

// Purge deletes every item of the store, 25 keys per BatchWriteItem, resending
// the UnprocessedItems DynamoDB hands back, and returns how many it deleted.
// Deleting a key that is gone already is no error, so a purge run again
// after a crash deletes what is left.
func Purge(ctx context.Context, db DB, s Store) (int, error) {
	keys, err := keysOf(ctx, db, s)
	if err != nil {
		return 0, err
	}
	for start := 0; start < len(keys); start += batchWriteMax {
		var reqs []types.WriteRequest
		for _, k := range keys[start:min(start+batchWriteMax, len(keys))] {
			reqs = append(reqs, types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: k}})
		}
		pending := map[string][]types.WriteRequest{s.Table: reqs}
		for attempt := 1; len(pending) > 0; attempt++ {
			out, err := db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: pending})
			if err != nil {
				return start, fmt.Errorf("purging %s: %w", s, err)
			}
			pending = out.UnprocessedItems
			if len(pending) > 0 {
				if err := wait(ctx, attempt, "purging "+s.String()); err != nil {
					return start, err
				}
			}
		}
	}
	return len(keys), nil
}
