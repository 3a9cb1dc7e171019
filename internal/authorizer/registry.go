package authorizer

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tenantctl/tenantctl/internal/naming"
)

// EnvRegistryTable names the tenant registry the authorizer reads keys from;
// the platform stack sets it on the function.
const EnvRegistryTable = "REGISTRY_TABLE"

// GetItemAPI is the DynamoDB call RegistryKeys makes.
type GetItemAPI interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
}

// RegistryKeys is a KeyLookup over the platform's tenant registry: an
// application tenant's stack writes its API key's value into its item
// (naming.RegistryAPIKey), and the authorizer reads that one attribute,
// which is all its role may read. A key found is kept for TTL, so a warm
// authorizer makes one read per tenant per TTL, not one per token.
type RegistryKeys struct {
	client GetItemAPI
	table  string
	// TTL is how long a key is kept; five minutes when zero. A tenant
	// suspended meanwhile is refused all the same: its key is disabled.
	TTL time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time

	mu    sync.Mutex
	cache map[string]cachedKey
}

type cachedKey struct {
	value   string
	expires time.Time
}

// NewRegistryKeys reads keys from table through client.
func NewRegistryKeys(client GetItemAPI, table string) *RegistryKeys {
	return &RegistryKeys{client: client, table: table, cache: map[string]cachedKey{}}
}

// APIKey is the tenant's key, an error when its item holds none.
func (r *RegistryKeys) APIKey(ctx context.Context, tenantID string) (string, error) {
	now, ttl := time.Now, 5*time.Minute
	if r.Now != nil {
		now = r.Now
	}
	if r.TTL != 0 {
		ttl = r.TTL
	}
	r.mu.Lock()
	c, ok := r.cache[tenantID]
	r.mu.Unlock()
	if ok && now().Before(c.expires) {
		return c.value, nil
	}
	out, err := r.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:                aws.String(r.table),
		Key:                      map[string]types.AttributeValue{naming.RegistryTenantID: &types.AttributeValueMemberS{Value: tenantID}},
		ProjectionExpression:     aws.String("#key"),
		ExpressionAttributeNames: map[string]string{"#key": naming.RegistryAPIKey},
	})
	if err != nil {
		return "", fmt.Errorf("authorizer: tenant %s's API key: %w", tenantID, err)
	}
	v, ok := out.Item[naming.RegistryAPIKey].(*types.AttributeValueMemberS)
	if !ok || v.Value == "" {
		return "", fmt.Errorf("authorizer: no API key for tenant %q in the registry", tenantID)
	}
	r.mu.Lock()
	r.cache[tenantID] = cachedKey{value: v.Value, expires: now().Add(ttl)}
	r.mu.Unlock()
	return v.Value, nil
}
