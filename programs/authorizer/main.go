// Command authorizer is the pooled API's Lambda authorizer (REQUEST type, on
// the provided.al2023 runtime). It reads its user pool from the environment:
// USER_POOL_ID, USER_POOL_CLIENT_ID, USER_POOL_REGION (AWS_REGION when unset),
// TOKEN_USE (id or access; id when unset) and TENANT_API_KEYS, a JSON object
// of tenant id → API key value.
package main

import (
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/tenantctl/tenantctl/internal/authorizer"
	"github.com/tenantctl/tenantctl/pkg/tenantcontext"
)

func main() {
	region := os.Getenv("USER_POOL_REGION")
	if region == "" {
		region = os.Getenv("AWS_REGION")
	}
	v, err := tenantcontext.NewVerifier(tenantcontext.Config{
		Region:     region,
		UserPoolID: os.Getenv("USER_POOL_ID"),
		ClientID:   os.Getenv("USER_POOL_CLIENT_ID"),
		TokenUse:   tenantcontext.TokenUse(os.Getenv("TOKEN_USE")),
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	keys, err := authorizer.ParseKeyMap(os.Getenv("TENANT_API_KEYS"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	lambda.Start(authorizer.Handler{Verifier: v, Keys: keys}.Handle)
}
