package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/tenantctl/tenantctl/internal/awscfg"
	"github.com/tenantctl/tenantctl/internal/lifecycle/items"
	"github.com/tenantctl/tenantctl/internal/lifecycle/leftovers"
	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/internal/testutil/samplefleet"
	"github.com/tenantctl/tenantctl/models/datatable"
	"github.com/tenantctl/tenantctl/models/platform"
	"github.com/tenantctl/tenantctl/models/registry"
)

// simStacks stands in for the rollout driver and the engine: Up does to
// the emulator what a tenant's stack owns that the workflows look at — its
// registry item (model, status, data mode), its own data table (table mode,
// or kept while a migration is in flight), its user pool group (application
// model) — and Destroy removes them. Every call is noted in runs (a file, so
// that a killed child process's calls count too).
type simStacks struct {
	load  func() (*spec.Fleet, error)
	db    *dynamodb.Client
	users *cip.Client
	p     Platform
	runs  string
	// slow makes Destroy take that long (the kill -9 test's window).
	slow time.Duration

	mu sync.Mutex
}

func (s *simStacks) note(what string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := os.OpenFile(s.runs, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		panic(err)
	}
	defer f.Close()
	fmt.Fprintln(f, what)
}

func (s *simStacks) Up(ctx context.Context, id string) error {
	s.note("up " + id)
	f, err := s.load()
	if err != nil {
		return err
	}
	t := f.Tenant(id)
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.p.RegistryTable), Item: map[string]types.AttributeValue{
		platform.RegistryHashKey: str(id), registry.AttrModel: str(string(t.Model)), registry.AttrStatus: str(string(t.Status)),
		registry.AttrDataMode: str(string(t.Data.Mode)),
	}})
	if err != nil {
		return err
	}
	own := ownTable(&f.Settings, id)
	if t.Data.Mode == spec.DataTable || t.Migration != nil {
		err = createTable(ctx, s.db, own)
	} else {
		err = deleteTable(ctx, s.db, own)
	}
	if err != nil {
		return err
	}
	if t.Model == spec.ModelApplication {
		_, err = s.users.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String(s.p.UserPoolID), GroupName: aws.String(id)})
		var exists *ciptypes.GroupExistsException
		if errors.As(err, &exists) {
			err = nil
		}
		return err
	}
	return deleteGroup(ctx, s.users, s.p.UserPoolID, id)
}

func (s *simStacks) Destroy(ctx context.Context, id string) error {
	s.note("destroy " + id)
	if s.slow > 0 {
		time.Sleep(s.slow)
	}
	f, err := s.load()
	if err != nil {
		return err
	}
	if _, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(s.p.RegistryTable),
		Key: map[string]types.AttributeValue{platform.RegistryHashKey: str(id)}}); err != nil {
		return err
	}
	if err := deleteTable(ctx, s.db, ownTable(&f.Settings, id)); err != nil {
		return err
	}
	return deleteGroup(ctx, s.users, s.p.UserPoolID, id)
}

func str(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

func createTable(ctx context.Context, db *dynamodb.Client, name string) error {
	_, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName: aws.String(name), BillingMode: types.BillingModePayPerRequest,
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String(datatable.PartitionKey), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String(datatable.SortKey), KeyType: types.KeyTypeRange},
		},
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String(datatable.PartitionKey), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String(datatable.SortKey), AttributeType: types.ScalarAttributeTypeS},
		},
	})
	var exists *types.ResourceInUseException
	if errors.As(err, &exists) {
		return nil
	}
	return err
}

func deleteTable(ctx context.Context, db *dynamodb.Client, name string) error {
	_, err := db.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(name)})
	var missing *types.ResourceNotFoundException
	if errors.As(err, &missing) {
		return nil
	}
	return err
}

func deleteGroup(ctx context.Context, users *cip.Client, pool, name string) error {
	_, err := users.DeleteGroup(ctx, &cip.DeleteGroupInput{UserPoolId: aws.String(pool), GroupName: aws.String(name)})
	var missing *ciptypes.ResourceNotFoundException
	if errors.As(err, &missing) {
		return nil
	}
	return err
}

// world is a fleet on disk, the platform's resources in the emulator and an
// Env of the workflows over them.
type world struct {
	dir    string
	env    *Env
	stacks *simStacks
	db     *dynamodb.Client
	s3     *s3.Client
	users  *cip.Client
	p      Platform
	said   []string
}

// newWorld copies the sample fleet into dir (files overriding its files),
// creates the platform's tables, bucket and user pool in the emulator the
// environment points at (the first time only) and builds the Env.
func newWorld(t *testing.T, dir string, files map[string]string) *world {
	t.Helper()
	ctx := context.Background()
	if _, err := os.Stat(filepath.Join(dir, spec.SettingsFile)); err != nil {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		paths, _ := filepath.Glob(samplefleet.Dir() + "/*.yaml")
		for _, p := range paths {
			data, _ := os.ReadFile(p)
			writeFile(t, filepath.Join(dir, filepath.Base(p)), string(data))
		}
		for name, content := range files {
			writeFile(t, filepath.Join(dir, name), content)
		}
	}
	cfg, err := awscfg.Load(ctx, awscfg.Options{Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	w := &world{dir: dir, db: dynamodb.NewFromConfig(cfg), s3: s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }), users: cip.NewFromConfig(cfg)}
	load := func() (*spec.Fleet, error) { return spec.LoadDir(dir) }
	f, err := load()
	if err != nil {
		t.Fatal(err)
	}
	poolID := w.userPool(t, platform.UserPoolName(f.Settings.NamePrefix))
	w.p = PlatformOf(&f.Settings, "123456789012", poolID)
	for _, table := range []string{w.p.PoolTable} {
		if err := createTable(ctx, w.db, table); err != nil {
			t.Fatal(err)
		}
	}
	_, err = w.db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName: aws.String(w.p.RegistryTable), BillingMode: types.BillingModePayPerRequest,
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String(platform.RegistryHashKey), KeyType: types.KeyTypeHash}},
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String(platform.RegistryHashKey), AttributeType: types.ScalarAttributeTypeS}},
	})
	var exists *types.ResourceInUseException
	if err != nil && !errors.As(err, &exists) {
		t.Fatal(err)
	}
	if _, err := w.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(w.p.ArchiveBucket)}); err != nil && !strings.Contains(err.Error(), "BucketAlreadyOwnedByYou") {
		t.Fatal(err)
	}
	w.stacks = &simStacks{load: load, db: w.db, users: w.users, p: w.p, runs: filepath.Join(dir, "..", "runs")}
	w.env = &Env{
		Load: load, Stacks: w.stacks, Tables: w.db, Objects: w.s3, Users: w.users,
		Platform:  func(context.Context) (Platform, error) { return w.p, nil },
		Leftovers: leftovers.Finder{Cognito: w.users, UserPoolID: poolID, NamePrefix: f.Settings.NamePrefix},
		Say:       func(format string, args ...any) { w.said = append(w.said, fmt.Sprintf(format, args...)) },
	}
	return w
}

// userPool returns the id of the pool with the name, creating it.
func (w *world) userPool(t *testing.T, name string) string {
	t.Helper()
	ctx := context.Background()
	pools, err := w.users.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(60)})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pools.UserPools {
		if aws.ToString(p.Name) == name {
			return aws.ToString(p.Id)
		}
	}
	out, err := w.users.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.UserPool.Id)
}

func (w *world) putItems(t *testing.T, table, pk string, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		if _, err := w.db.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(table), Item: map[string]types.AttributeValue{
			datatable.PartitionKey: str(pk), datatable.SortKey: str(fmt.Sprintf("order-%03d", i)), "total": &types.AttributeValueMemberN{Value: fmt.Sprint(i * 10)},
		}}); err != nil {
			t.Fatal(err)
		}
	}
}

func (w *world) count(t *testing.T, s items.Store) int {
	t.Helper()
	n, err := items.Count(context.Background(), w.db, s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (w *world) file(t *testing.T, id string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(w.dir, id+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func (w *world) runs(t *testing.T) string {
	t.Helper()
	data, _ := os.ReadFile(w.stacks.runs)
	return strings.ReplaceAll(strings.TrimSpace(string(data)), "\n", ", ")
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
