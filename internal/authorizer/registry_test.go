package authorizer

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tenantctl/tenantctl/internal/naming"
)

// fakeRegistry answers GetItem from items by tenant id, counting calls.
type fakeRegistry struct {
	items map[string]map[string]types.AttributeValue
	calls []*dynamodb.GetItemInput
}

func (f *fakeRegistry) GetItem(_ context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	f.calls = append(f.calls, in)
	id := in.Key[naming.RegistryTenantID].(*types.AttributeValueMemberS).Value
	return &dynamodb.GetItemOutput{Item: f.items[id]}, nil
}

// The authorizer reads only the key attribute of the tenant's item, keeps it
// for the TTL, and refuses a tenant whose item holds no key.
func TestRegistryKeysReadTheKeyAttributeAndKeepIt(t *testing.T) {
	reg := &fakeRegistry{items: map[string]map[string]types.AttributeValue{
		"acme":   {naming.RegistryAPIKey: &types.AttributeValueMemberS{Value: "key-acme"}},
		"globex": {"name": &types.AttributeValueMemberS{Value: "Globex"}},
	}}
	now := time.Unix(1000, 0)
	keys := NewRegistryKeys(reg, "saas-platform-registry")
	keys.Now = func() time.Time { return now }
	ctx := context.Background()
	for range 2 {
		if k, err := keys.APIKey(ctx, "acme"); err != nil || k != "key-acme" {
			t.Fatalf("acme: %q, %v", k, err)
		}
	}
	if len(reg.calls) != 1 {
		t.Errorf("%d reads for two lookups within the TTL, want 1", len(reg.calls))
	}
	in := reg.calls[0]
	if aws.ToString(in.TableName) != "saas-platform-registry" || aws.ToString(in.ProjectionExpression) != "#key" || in.ExpressionAttributeNames["#key"] != naming.RegistryAPIKey {
		t.Errorf("read %+v, want the key attribute of the registry only", in)
	}
	now = now.Add(6 * time.Minute)
	if _, err := keys.APIKey(ctx, "acme"); err != nil || len(reg.calls) != 2 {
		t.Errorf("after the TTL: %v, %d reads", err, len(reg.calls))
	}
	for _, id := range []string{"globex", "nobody"} {
		if _, err := keys.APIKey(ctx, id); err == nil {
			t.Errorf("%s: no error for an item without a key", id)
		}
	}
}
