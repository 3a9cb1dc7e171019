// Command authorizer is the pooled API's Lambda authorizer (REQUEST type, on
// the provided.al2023 runtime, arm64). The platform stack builds it
// (internal/lambdabuild) and sets its environment: the user pool it trusts,
// as pkg/tenantcontext reads it (ConfigFromEnv: TENANT_TOKEN_ISSUER,
// TENANT_TOKEN_AUDIENCE, TENANT_TOKEN_USE, TENANT_JWKS_URL), and where
// tenants' API keys are found: REGISTRY_TABLE, the platform's tenant
// registry, or else TENANT_API_KEYS, a JSON object of tenant id → API key
// value (for a test deployment without a registry).
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/tenantctl/tenantctl/internal/authorizer"
	"github.com/tenantctl/tenantctl/internal/awscfg"
	"github.com/tenantctl/tenantctl/pkg/tenantcontext"
)

func main() {
	h, err := handler()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	lambda.Start(h.Handle)
}

func handler() (authorizer.Handler, error) {
	cfg, err := tenantcontext.ConfigFromEnv(os.Getenv)
	if err != nil {
		return authorizer.Handler{}, err
	}
	v, err := tenantcontext.NewVerifier(cfg)
	if err != nil {
		return authorizer.Handler{}, err
	}
	if table := os.Getenv(authorizer.EnvRegistryTable); table != "" {
		awsCfg, err := awscfg.Load(context.Background(), awscfg.Options{})
		if err != nil {
			return authorizer.Handler{}, err
		}
		return authorizer.Handler{Verifier: v, Keys: authorizer.NewRegistryKeys(dynamodb.NewFromConfig(awsCfg), table)}, nil
	}
	keys, err := authorizer.ParseKeyMap(os.Getenv("TENANT_API_KEYS"))
	if err != nil {
		return authorizer.Handler{}, err
	}
	return authorizer.Handler{Verifier: v, Keys: keys}, nil
}
