// Package lifecycle defines the tenant lifecycle workflows — onboard,
// offboard and migrate — as internal/workflow definitions: lists of
// idempotent steps the workflow engine journals, retries and resumes. The
// steps themselves are small calls into the packages of each concern
// (items: DynamoDB data; identity: Cognito; leftovers: what is left tagged;
// tenantfile: the tenant's YAML; accounts: Organizations) and into the
// rollout driver for the tenant's stack (Stacks). Nothing here prints or
// exits; programs/tenantctl wires the real clients in and reports.
package lifecycle

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tenantctl/tenantctl/internal/accounts"
	"github.com/tenantctl/tenantctl/internal/lifecycle/identity"
	"github.com/tenantctl/tenantctl/internal/lifecycle/items"
	"github.com/tenantctl/tenantctl/internal/lifecycle/leftovers"
	"github.com/tenantctl/tenantctl/internal/naming"
	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/internal/workflow"
	"github.com/tenantctl/tenantctl/models/platform"
)

// Workflow kinds.
const (
	KindOnboard  = "onboard"
	KindOffboard = "offboard"
	KindMigrate  = "migrate"
)

// Stacks runs one tenant's stack: an update or a destroy of that stack
// alone, through the same rollout driver (journal, lock, engine) as
// `tenantctl rollout` and `destroy`. Up deploys the tenant as its file says
// at the time of the call.
type Stacks interface {
	Up(ctx context.Context, tenant string) error
	Destroy(ctx context.Context, tenant string) error
}

// Accounts is the account lifecycle of account-model tenants (*accounts.Manager).
type Accounts interface {
	Assign(ctx context.Context, t *spec.Tenant) (*accounts.Assignment, error)
	TenantAccount(ctx context.Context, tenantID string) (string, error)
	Suspend(ctx context.Context, tenantID string) (*accounts.Account, error)
	FinishSuspend(ctx context.Context, tenantID string) ([]*accounts.Account, error)
}

// Tables is the part of the DynamoDB API the workflows use: the items
// package's, and GetItem for the tenant registry.
type Tables interface {
	items.DB
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
}

// Platform is where the platform's shared resources are, in its account and
// region.
type Platform struct {
	PoolTable     string `json:"poolTable"`
	RegistryTable string `json:"registryTable"`
	UserPoolID    string `json:"userPoolId"`
	ArchiveBucket string `json:"archiveBucket"`
}

// PlatformOf is the platform of the fleet in the account, by the names the
// platform stack gives its resources; the user pool's id is AWS's, found by
// its name (userPoolID).
func PlatformOf(s *spec.Settings, accountID, userPoolID string) Platform {
	p := s.NamePrefix
	return Platform{
		PoolTable: platform.PoolTableName(p), RegistryTable: platform.RegistryTableName(p),
		UserPoolID: userPoolID, ArchiveBucket: platform.ArchiveBucketName(p, accountID),
	}
}

// Env is what the workflows run with. Clients reach the platform's account
// and region.
type Env struct {
	// Load reads and validates the fleet as it is on disk now: steps read it
	// afresh, since earlier steps edit the tenant's file.
	Load func() (*spec.Fleet, error)
	// Previous is the fleet a migration is compared with (validate
	// --against); nil compares with nothing.
	Previous func(ctx context.Context) (*spec.Fleet, error)
	Stacks   Stacks
	// Accounts is called only for account-model tenants.
	Accounts func(ctx context.Context) (Accounts, error)
	// Platform finds the platform's resources.
	Platform func(ctx context.Context) (Platform, error)
	Tables   Tables
	Objects  items.Objects
	Users    identity.Pool
	// AccountTables reaches the tables of a tenant's own account (account
	// model: its data table lives there); nil refuses such tenants' data steps.
	AccountTables func(ctx context.Context, accountID string) (items.DB, error)
	// Leftovers finds what is left of a tenant (offboard's verify).
	Leftovers leftovers.Finder
	// Say tells the user something a step did (a file edited, counts).
	Say func(format string, args ...any)
}

func (e *Env) say(format string, args ...any) {
	if e.Say != nil {
		e.Say(format, args...)
	}
}

// Values a workflow keeps (workflow.Values), by key.
const (
	ValStarted     = "started"     // the run's start (input), which names its exports
	ValTo          = "to"          // migrate: the model moved to (input)
	ValFrom        = "from"        // migrate: the model left
	ValModel       = "model"       // the tenant's model
	ValAccount     = "account"     // account model: the tenant's account
	ValSource      = "source"      // migrate: the store the items leave ("pooled" or "table")
	ValDestination = "destination" // migrate: the store they move to
	ValExport      = "export"      // s3://bucket/key of the export
	ValExported    = "exported"    // items exported
	ValBefore      = "items.before"
	ValAfter       = "items.after"
	ValPurged      = "items.purged"
	ValUsers       = "users.deleted"
)

// tenant loads the fleet and finds the tenant in it.
func (e *Env) tenant(id string) (*spec.Fleet, *spec.Tenant, error) {
	f, err := e.Load()
	if err != nil {
		return nil, nil, err
	}
	t := f.Tenant(id)
	if t == nil {
		return nil, nil, fmt.Errorf("no tenant %s in %s (no %s.yaml)", id, f.Dir, id)
	}
	return f, t, nil
}

// ownTable is the name of a tenant's own data table (models/tenant's).
func ownTable(s *spec.Settings, tenant string) string {
	return naming.Name(s.NamePrefix, tenant, "data", 255)
}

// store is where a tenant's items are in a data mode.
func store(s *spec.Settings, p Platform, tenant string, mode spec.DataMode) items.Store {
	if mode == spec.DataPooled {
		return items.Pooled(p.PoolTable, tenant)
	}
	return items.Own(ownTable(s, tenant))
}

// registryItem reads the tenant's registry item, nil when it has none.
func registryItem(ctx context.Context, db Tables, p Platform, tenant string) (map[string]string, error) {
	out, err := db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(p.RegistryTable),
		Key:            map[string]types.AttributeValue{platform.RegistryHashKey: &types.AttributeValueMemberS{Value: tenant}},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("reading tenant %s's registry item in %s: %w", tenant, p.RegistryTable, err)
	}
	if out.Item == nil {
		return nil, nil
	}
	m := map[string]string{}
	for k, v := range out.Item {
		if s, ok := v.(*types.AttributeValueMemberS); ok {
			m[k] = s.Value
		}
	}
	return m, nil
}

// exportKey names a run's export: the tenant, the workflow kind and the run's
// start, so an export the run writes again (a resumed step) lands on the
// same key.
func exportKey(tenant, kind string, v workflow.Values) string {
	return fmt.Sprintf("tenants/%s/%s-%s.jsonl", tenant, kind, v[ValStarted])
}

// dataOf reaches the table a store lives in: the platform account's, or for
// an account-model tenant's own table its account's.
func (e *Env) dataOf(ctx context.Context, t *spec.Tenant, v workflow.Values) (items.DB, error) {
	if t.Model != spec.ModelAccount {
		return e.Tables, nil
	}
	if e.AccountTables == nil {
		return nil, errors.New("the account model's table is in the tenant's account, which this run cannot reach")
	}
	return e.AccountTables(ctx, v[ValAccount])
}

var errRegistryMissing = errors.New("no registry item")

// checkRegistry checks the tenant's registry item: present, and with want's
// attributes (registry.AttrStatus, registry.AttrModel, ...).
func checkRegistry(ctx context.Context, db Tables, p Platform, tenant string, want map[string]string) error {
	it, err := registryItem(ctx, db, p, tenant)
	if err != nil {
		return err
	}
	if it == nil {
		return fmt.Errorf("tenant %s: %w in %s; its stack writes it (registry.New): was the stack deployed?", tenant, errRegistryMissing, p.RegistryTable)
	}
	for k, w := range want {
		if it[k] != w {
			return fmt.Errorf("tenant %s's registry item says %s=%q, want %q", tenant, k, it[k], w)
		}
	}
	return nil
}
