// Package notify tells the world how lifecycle workflows go: an SNS topic
// (the platform's lifecycle topic) receives one JSON message per start,
// retry, success and failure of a workflow, for a chat integration, an
// on-call pager or an audit trail to subscribe to.
package notify

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/tenantctl/tenantctl/internal/workflow"
)

// Publisher is the part of the SNS API the notifier uses.
type Publisher interface {
	Publish(ctx context.Context, in *sns.PublishInput, opts ...func(*sns.Options)) (*sns.PublishOutput, error)
}

// SNS publishes workflow events to a topic. It implements workflow.Notifier.
type SNS struct {
	Client   Publisher
	TopicArn string
}

// Message is what each notification's body holds (JSON): the schema the
// README documents for subscribers.
type Message struct {
	// Workflow is the run's id (`tenantctl <kind> --resume <id>`).
	Workflow string `json:"workflow"`
	// Kind is onboard, offboard or migrate.
	Kind   string `json:"kind"`
	Tenant string `json:"tenant"`
	// Status is started, retrying, succeeded or failed.
	Status string `json:"status"`
	// Step is the step that is retried or failed; empty for started and succeeded.
	Step string `json:"step,omitempty"`
	// Attempt is the attempt of the step that failed transiently (retrying).
	Attempt int `json:"attempt,omitempty"`
	// Error is the step's error (retrying, failed).
	Error string `json:"error,omitempty"`
	// Time is when it happened, RFC 3339 in UTC.
	Time string `json:"time"`
}

// MessageOf is the message of an event.
func MessageOf(e workflow.Event) Message {
	return Message{Workflow: e.Workflow, Kind: e.Kind, Tenant: e.Tenant, Status: e.Status, Step: e.Step,
		Attempt: e.Attempt, Error: e.Error, Time: e.Time.UTC().Format("2006-01-02T15:04:05.000Z07:00")}
}

// Notify publishes the event. The message attributes kind, tenant and status
// repeat the body's fields so that a subscription's filter policy can pick
// (say) failures only, without parsing the body.
func (n *SNS) Notify(ctx context.Context, e workflow.Event) error {
	m := MessageOf(e)
	body, err := json.Marshal(m)
	if err != nil {
		return err
	}
	attr := func(v string) types.MessageAttributeValue {
		return types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
	}
	subject := fmt.Sprintf("tenantctl %s %s %s", m.Kind, m.Tenant, m.Status)
	if len(subject) > 100 { // SNS's limit on subjects
		subject = subject[:100]
	}
	_, err = n.Client.Publish(ctx, &sns.PublishInput{
		TopicArn: aws.String(n.TopicArn),
		Subject:  aws.String(subject),
		Message:  aws.String(string(body)),
		MessageAttributes: map[string]types.MessageAttributeValue{
			"kind": attr(m.Kind), "tenant": attr(m.Tenant), "status": attr(m.Status),
		},
	})
	if err != nil {
		return fmt.Errorf("publishing to %s: %w", n.TopicArn, err)
	}
	return nil
}
