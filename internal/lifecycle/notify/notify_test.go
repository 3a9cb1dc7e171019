package notify

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/tenantctl/tenantctl/internal/awscfg"
	"github.com/tenantctl/tenantctl/internal/testutil/moto"
	"github.com/tenantctl/tenantctl/internal/workflow"
)

func TestMain(m *testing.M) { os.Exit(moto.Main(m)) }

// TestWorkflowEventsArriveOnASubscribedQueue runs a workflow whose second
// step fails once transiently, with the SNS notifier on a topic an SQS
// queue subscribes to, and reads the messages back from the queue.
func TestWorkflowEventsArriveOnASubscribedQueue(t *testing.T) {
	moto.Shared(t)
	ctx := context.Background()
	cfg, err := awscfg.Load(ctx, awscfg.Options{Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	topics, queues := sns.NewFromConfig(cfg), sqs.NewFromConfig(cfg)
	topic, err := topics.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("saas-lifecycle")})
	if err != nil {
		t.Fatal(err)
	}
	q, err := queues.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("ops")})
	if err != nil {
		t.Fatal(err)
	}
	arn, err := queues.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := topics.Subscribe(ctx, &sns.SubscribeInput{
		TopicArn: topic.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(arn.Attributes["QueueArn"]),
		Attributes: map[string]string{"RawMessageDelivery": "true"},
	}); err != nil {
		t.Fatal(err)
	}

	flaky := 1
	def := workflow.Definition{Kind: "offboard", Steps: []workflow.Step{
		{Name: "suspend", Do: func(context.Context, workflow.Values) error { return nil }},
		{Name: "export", Do: func(context.Context, workflow.Values) error {
			if flaky > 0 {
				flaky--
				return workflow.Transient(errors.New("throttled"))
			}
			return nil
		}},
	}}
	var notifyErrs []error
	st, err := workflow.Start(ctx, def, "hooli", nil, workflow.Options{
		Dir: t.TempDir(), Attempts: 2, Notifier: &SNS{Client: topics, TopicArn: *topic.TopicArn},
		NotifyErrors: func(err error) { notifyErrs = append(notifyErrs, err) },
	})
	if err != nil || len(notifyErrs) > 0 {
		t.Fatalf("workflow: %v; notifications: %v", err, notifyErrs)
	}

	var got []Message
	deadline := time.Now().Add(10 * time.Second)
	for len(got) < 3 && time.Now().Before(deadline) {
		out, err := queues.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range out.Messages {
			var msg Message
			if err := json.Unmarshal([]byte(*m.Body), &msg); err != nil {
				t.Fatalf("not a lifecycle message: %v: %s", err, *m.Body)
			}
			got = append(got, msg)
		}
	}
	if len(got) != 3 {
		t.Fatalf("%d messages: %+v", len(got), got)
	}
	want := []Message{
		{Workflow: st.ID, Kind: "offboard", Tenant: "hooli", Status: "started"},
		{Workflow: st.ID, Kind: "offboard", Tenant: "hooli", Status: "retrying", Step: "export", Attempt: 1, Error: "throttled"},
		{Workflow: st.ID, Kind: "offboard", Tenant: "hooli", Status: "succeeded"},
	}
	for i, w := range want {
		g := got[i]
		if _, err := time.Parse(time.RFC3339, g.Time); err != nil {
			t.Errorf("message %d: time %q: %v", i, g.Time, err)
		}
		g.Time = ""
		if g != w {
			t.Errorf("message %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
}
