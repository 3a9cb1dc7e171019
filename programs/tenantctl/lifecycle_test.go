package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/tenantctl/tenantctl/internal/awscfg"
	"github.com/tenantctl/tenantctl/internal/lifecycle/notify"
	"github.com/tenantctl/tenantctl/internal/rollout/auto"
	"github.com/tenantctl/tenantctl/internal/rollout/outcome"
	"github.com/tenantctl/tenantctl/internal/rollout/plan"
	"github.com/tenantctl/tenantctl/internal/rollout/rollouttest"
	"github.com/tenantctl/tenantctl/internal/rollout/runner"
	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/internal/testutil/moto"
	"github.com/tenantctl/tenantctl/internal/workflow"
	"github.com/tenantctl/tenantctl/models/datatable"
	"github.com/tenantctl/tenantctl/models/platform"
	"github.com/tenantctl/tenantctl/models/registry"
)

// registering is the simulated engine of the lifecycle commands: it runs
// like rollouttest.Sim and also does to the emulator what a tenant's stack
// owns that the workflows check — its registry item and, for the
// application model, its user pool group.
type registering struct {
	*rollouttest.Sim
	dir    string
	db     *dynamodb.Client
	users  *cip.Client
	poolID string
}

func (r *registering) Run(ctx context.Context, op plan.Op, stack string, s runner.Stream) (outcome.Changes, error) {
	ch, err := r.Sim.Run(ctx, op, stack, s)
	if err != nil {
		return ch, err
	}
	f, lerr := spec.LoadDir(r.dir)
	if lerr != nil {
		return ch, lerr
	}
	t := f.Tenant(stack)
	key := map[string]ddbtypes.AttributeValue{platform.RegistryHashKey: &ddbtypes.AttributeValueMemberS{Value: stack}}
	table := aws.String(platform.RegistryTableName(f.Settings.NamePrefix))
	if op == plan.OpDestroy {
		r.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: table, Key: key})
		r.users.DeleteGroup(ctx, &cip.DeleteGroupInput{UserPoolId: aws.String(r.poolID), GroupName: aws.String(stack)})
		return ch, nil
	}
	key[registry.AttrModel] = &ddbtypes.AttributeValueMemberS{Value: string(t.Model)}
	key[registry.AttrStatus] = &ddbtypes.AttributeValueMemberS{Value: string(t.Status)}
	key[registry.AttrDataMode] = &ddbtypes.AttributeValueMemberS{Value: string(t.Data.Mode)}
	if _, err := r.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: table, Item: key}); err != nil {
		return ch, err
	}
	if t.Model == spec.ModelApplication {
		r.users.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String(r.poolID), GroupName: aws.String(stack)})
	}
	return ch, nil
}

// lifecycleProject is a copy of the sample fleet with the platform's tables,
// bucket, user pool and lifecycle topic in a fresh emulator, a queue
// subscribed to the topic, and the lifecycle commands routed to registering.
type lifecycleProject struct {
	dir    string
	url    string
	sim    *rollouttest.Sim
	db     *dynamodb.Client
	queues *sqs.Client
	queue  *string
	poolID string
}

func newLifecycleProject(t *testing.T, files map[string]string) *lifecycleProject {
	t.Helper()
	s, err := moto.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	for k, v := range s.Env() {
		t.Setenv(k, v)
	}
	ctx := context.Background()
	cfg, err := awscfg.Load(ctx, awscfg.Options{Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	p := &lifecycleProject{dir: project(t), url: s.URL, sim: &rollouttest.Sim{}, db: dynamodb.NewFromConfig(cfg), queues: sqs.NewFromConfig(cfg)}
	for name, content := range files {
		writeFile(t, filepath.Join(p.dir, name), content)
	}
	users := cip.NewFromConfig(cfg)
	pool, err := users.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String(platform.UserPoolName("saas"))})
	if err != nil {
		t.Fatal(err)
	}
	p.poolID = aws.ToString(pool.UserPool.Id)
	for _, table := range []string{platform.PoolTableName("saas"), platform.RegistryTableName("saas")} {
		hash := datatable.PartitionKey
		keys := []ddbtypes.KeySchemaElement{{AttributeName: aws.String(hash), KeyType: ddbtypes.KeyTypeHash}, {AttributeName: aws.String(datatable.SortKey), KeyType: ddbtypes.KeyTypeRange}}
		attrs := []ddbtypes.AttributeDefinition{{AttributeName: aws.String(hash), AttributeType: ddbtypes.ScalarAttributeTypeS}, {AttributeName: aws.String(datatable.SortKey), AttributeType: ddbtypes.ScalarAttributeTypeS}}
		if table == platform.RegistryTableName("saas") {
			keys = []ddbtypes.KeySchemaElement{{AttributeName: aws.String(platform.RegistryHashKey), KeyType: ddbtypes.KeyTypeHash}}
			attrs = []ddbtypes.AttributeDefinition{{AttributeName: aws.String(platform.RegistryHashKey), AttributeType: ddbtypes.ScalarAttributeTypeS}}
		}
		if _, err := p.db.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String(table), BillingMode: ddbtypes.BillingModePayPerRequest, KeySchema: keys, AttributeDefinitions: attrs}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(platform.ArchiveBucketName("saas", "123456789012"))}); err != nil {
		t.Fatal(err)
	}
	topics := sns.NewFromConfig(cfg)
	topic, err := topics.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(platform.LifecycleTopicName("saas"))})
	if err != nil {
		t.Fatal(err)
	}
	q, err := p.queues.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("ops")})
	if err != nil {
		t.Fatal(err)
	}
	p.queue = q.QueueUrl
	arn, _ := p.queues.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if _, err := topics.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"),
		Endpoint: aws.String(arn.Attributes["QueueArn"]), Attributes: map[string]string{"RawMessageDelivery": "true"}}); err != nil {
		t.Fatal(err)
	}
	withSim(t, p.sim)
	newDeployer = func(context.Context, runner.Programs, auto.Options) (runner.Deployer, error) {
		return &registering{Sim: p.sim, dir: p.dir, db: p.db, users: users, poolID: p.poolID}, nil
	}
	return p
}

func (p *lifecycleProject) run(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	return runCLI(t, append(args, "--dir", p.dir, "--endpoint-url", p.url)...)
}

// messages reads the lifecycle notifications the queue received.
func (p *lifecycleProject) messages(t *testing.T, want int) []notify.Message {
	t.Helper()
	var got []notify.Message
	for deadline := time.Now().Add(10 * time.Second); len(got) < want && time.Now().Before(deadline); {
		out, err := p.queues.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: p.queue, MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range out.Messages {
			var msg notify.Message
			if err := json.Unmarshal([]byte(*m.Body), &msg); err != nil {
				t.Fatal(err)
			}
			got = append(got, msg)
		}
	}
	return got
}

const onboardProbe = `# a new customer
id: probe
name: Probe Inc
tier: standard
model: application
status: onboarding
costCenter: CC-9
owner: ops@probe.example.com
`

func TestOnboardCommand(t *testing.T) {
	p := newLifecycleProject(t, map[string]string{"probe.yaml": onboardProbe})
	out, errOut, code := p.run(t, "onboard", "probe")
	if code != ExitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"onboard probe: succeeded (workflow onboard-probe-", "validate        done", "activate        done"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	for _, want := range []string{"deploy: running", "deploy: done", "status set to active (commit the change)"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("progress lacks %q:\n%s", want, errOut)
		}
	}
	data, _ := os.ReadFile(filepath.Join(p.dir, "probe.yaml"))
	if !strings.HasPrefix(string(data), "# a new customer\n") || !strings.Contains(string(data), "status: active\n") {
		t.Errorf("the file:\n%s", data)
	}
	if p.sim.Ops(plan.OpUp) != 2 {
		t.Errorf("%d stack updates, want 2 (deploy, activate)", p.sim.Ops(plan.OpUp))
	}
	msgs := p.messages(t, 2)
	if len(msgs) != 2 || msgs[0].Status != "started" || msgs[1].Status != "succeeded" || msgs[1].Kind != "onboard" || msgs[1].Tenant != "probe" {
		t.Errorf("notifications %+v", msgs)
	}
	list, _, _ := runCLI(t, "workflows", "--dir", p.dir)
	if !strings.Contains(strings.Join(strings.Fields(list), " "), "onboard probe succeeded 5/5 1") {
		t.Errorf("workflows:\n%s", list)
	}
}

func TestOffboardCommandConfirmsFailsAndResumes(t *testing.T) {
	p := newLifecycleProject(t, nil)
	_, errOut, code := p.run(t, "offboard", "vandelay")
	if code != ExitUsage || !strings.Contains(errOut, "pass --yes to confirm") {
		t.Fatalf("without --yes: exit %d, %s", code, errOut)
	}
	p.sim.Fail = map[string]outcome.Class{"vandelay": outcome.ClassFailed}
	out, errOut, code := p.run(t, "offboard", "vandelay", "--yes", "-o", "json", "--attempts", "1")
	if code != ExitInvalid || !strings.Contains(errOut, "--resume offboard-vandelay-") {
		t.Fatalf("failing stack: exit %d\n%s\n%s", code, out, errOut)
	}
	var st workflow.State
	if err := json.Unmarshal([]byte(out), &st); err != nil || st.Status != workflow.StatusFailed || st.Steps[1].Name != "suspend" || st.Steps[1].Status != workflow.StepFailed {
		t.Fatalf("report %v: %+v", err, st)
	}
	p.sim.Fail = nil
	out, errOut, code = p.run(t, "offboard", "vandelay", "--resume", st.ID, "-o", "json")
	if code != ExitOK {
		t.Fatalf("resume: exit %d\n%s\n%s", code, out, errOut)
	}
	if err := json.Unmarshal([]byte(out), &st); err != nil || st.Status != workflow.StatusSucceeded || st.Runs != 2 {
		t.Fatalf("resumed report %v: %+v", err, st)
	}
	if p.sim.Ops(plan.OpDestroy) != 1 {
		t.Errorf("%d destroys", p.sim.Ops(plan.OpDestroy))
	}
	if _, errOut, code := p.run(t, "onboard", "vandelay", "--resume", st.ID); code != ExitUsage || !strings.Contains(errOut, "is the offboard workflow of tenant vandelay") {
		t.Errorf("resuming as another kind: exit %d, %s", code, errOut)
	}
}

func TestMigrateCommand(t *testing.T) {
	data, _ := os.ReadFile(filepath.Join(sampleDir, "vandelay.yaml"))
	head, _, _ := strings.Cut(string(data), "limits:")
	moved := strings.Replace(head, "model: application", "model: container\nmigration: {from: application, to: container}\nservice: {listenerPriority: 977}", 1)
	p := newLifecycleProject(t, nil)
	// vandelay deployed on the application model, 12 items in the pool.
	if _, _, code := p.run(t, "onboard", "vandelay", "--no-notify"); code != ExitOK {
		t.Fatal("deploying vandelay")
	}
	for i := 0; i < 12; i++ {
		p.db.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(platform.PoolTableName("saas")), Item: map[string]ddbtypes.AttributeValue{
			"pk": &ddbtypes.AttributeValueMemberS{Value: "vandelay"}, "sk": &ddbtypes.AttributeValueMemberS{Value: string(rune('a' + i))}}})
	}
	// The stack's table of its own, which the simulated engine does not make.
	p.db.CreateTable(context.Background(), &dynamodb.CreateTableInput{TableName: aws.String("saas-vandelay-data"), BillingMode: ddbtypes.BillingModePayPerRequest,
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash}, {AttributeName: aws.String("sk"), KeyType: ddbtypes.KeyTypeRange}},
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS}, {AttributeName: aws.String("sk"), AttributeType: ddbtypes.ScalarAttributeTypeS}}})
	if _, errOut, code := p.run(t, "migrate", "vandelay"); code != ExitUsage || !strings.Contains(errOut, "migrate needs --to") {
		t.Fatalf("without --to: %d %s", code, errOut)
	}
	writeFile(t, filepath.Join(p.dir, "vandelay.yaml"), moved)
	out, errOut, code := p.run(t, "migrate", "vandelay", "--to", "container", "--no-notify")
	if code != ExitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"migrate vandelay: succeeded", "items.before: 12", "items.after: 12", "source: pooled", "destination: table"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	data, _ = os.ReadFile(filepath.Join(p.dir, "vandelay.yaml"))
	if strings.Contains(string(data), "migration:") {
		t.Errorf("the marker is still in the file:\n%s", data)
	}
}
