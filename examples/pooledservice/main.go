// Command pooledservice is a sample pooled service: what a SaaS service behind
// the pooled API does with pkg/tenantcontext and pkg/metering. It runs as the
// platform's pooled service role (ECS task or Lambda), with the platform
// stack's pooledServiceEnv output as its environment —
//
//	TENANT_TOKEN_ISSUER    the user pool's issuer URL
//	TENANT_TOKEN_AUDIENCE  the app client the id tokens are issued to
//	TENANT_DATA_ROLE_ARN   the data role pooled tenants share
//
// — and POOL_TABLE, the platform's poolTableName output. For each request it
// verifies the caller's token, logs with the caller's tenant, reads the
// tenant's item with credentials scoped to the tenant by session tags, and
// emits the request's usage as an embedded-metric-format line. It imports only
// tenantctl's public packages, as a service outside this module would.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/tenantctl/tenantctl/pkg/metering"
	"github.com/tenantctl/tenantctl/pkg/tenantcontext"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run() error {
	awsCfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		return err
	}
	h, err := newHandler(os.Getenv, awsCfg, os.Stdout, os.Stderr)
	if err != nil {
		return err
	}
	return http.ListenAndServe(":8080", h)
}

// newHandler is the service's routes behind tenantcontext's middleware, set up
// from the environment (getenv): usage lines go to stdout, logs to stderr.
func newHandler(getenv func(string) string, awsCfg aws.Config, stdout, stderr io.Writer) (http.Handler, error) {
	cfg, err := tenantcontext.ConfigFromEnv(getenv)
	if err != nil {
		return nil, err
	}
	verifier, err := tenantcontext.NewVerifier(cfg)
	if err != nil {
		return nil, err
	}
	role := getenv(tenantcontext.EnvDataRoleArn)
	if role == "" {
		return nil, fmt.Errorf("%s is not set; give the platform's dataRoleArn output", tenantcontext.EnvDataRoleArn)
	}
	s := &service{
		table: getenv("POOL_TABLE"),
		creds: tenantcontext.NewCredentials(sts.NewFromConfig(awsCfg), role),
		aws:   awsCfg,
		usage: metering.NewEMFWriter(stdout),
		log:   slog.New(tenantcontext.NewLogHandler(slog.NewJSONHandler(stderr, nil))),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /tenants/{tenantId}/items/{item}", s.getItem)
	return tenantcontext.Middleware(verifier)(mux), nil
}

type service struct {
	table string
	creds *tenantcontext.Credentials
	aws   aws.Config
	usage *metering.EMFWriter
	log   *slog.Logger
}

// getItem reads item <tenant>#<item> of the caller's tenant. The authorizer
// already refused other tenants' paths; the data role's session tag refuses
// other tenants' keys whatever the code asks for.
func (s *service) getItem(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	t, _ := tenantcontext.FromContext(ctx)
	if t.ID == "" || r.PathValue("tenantId") != t.ID {
		http.Error(w, "not your tenant", http.StatusForbidden)
		return
	}
	db := dynamodb.NewFromConfig(s.aws, func(o *dynamodb.Options) { o.Credentials = s.creds.Provider(t) })
	out, err := db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.table),
		Key: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: t.ID},
			"sk": &types.AttributeValueMemberS{Value: r.PathValue("item")},
		},
		ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal,
	})
	if err != nil {
		s.log.ErrorContext(ctx, "get item", "error", err)
		http.Error(w, "cannot read the item", http.StatusBadGateway)
		return
	}
	units := 0.0
	if out.ConsumedCapacity != nil {
		units = aws.ToFloat64(out.ConsumedCapacity.CapacityUnits)
	}
	if err := s.usage.Emit(metering.Usage{TenantID: t.ID, Requests: 1, CapacityUnits: units}); err != nil {
		s.log.WarnContext(ctx, "usage", "error", err)
	}
	s.log.InfoContext(ctx, "get item", "item", r.PathValue("item"), "found", out.Item != nil)
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"tenantId": t.ID, "found": out.Item != nil})
}
