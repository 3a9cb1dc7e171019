package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/cobra"

	"github.com/tenantctl/tenantctl/internal/devloop"
	"github.com/tenantctl/tenantctl/internal/emulator/gaps"
	"github.com/tenantctl/tenantctl/models"
	"github.com/tenantctl/tenantctl/models/emulation"
	"github.com/tenantctl/tenantctl/models/provider"
)

// endpointOptions point every stack's provider (and the SDK calls around the
// rollout) at an AWS emulator: --endpoint-url, else $AWS_ENDPOINT_URL.
type endpointOptions struct {
	url      string
	emulator string
}

func (e *endpointOptions) addFlags(cmd *cobra.Command) {
	cmd.Flags().StringVar(&e.url, "endpoint-url", "", "send every AWS call of every stack to this emulator, e.g. http://127.0.0.1:5000 (default $AWS_ENDPOINT_URL); the models then leave out what the emulator cannot serve")
	cmd.Flags().StringVar(&e.emulator, "emulator", gaps.MotoName, "the emulator at --endpoint-url, whose documented gaps apply")
}

// complete takes the endpoint from the environment when no flag gave one.
func (e *endpointOptions) complete() {
	if e.url == "" {
		e.url = os.Getenv("AWS_ENDPOINT_URL")
	}
}

// validate refuses a URL or emulator tenantctl cannot use; a usage error.
func (e *endpointOptions) validate() error {
	if e.url == "" {
		return nil
	}
	if err := provider.CheckURL(e.url); err != nil {
		return usageError(fmt.Errorf("--endpoint-url: %w", err))
	}
	if _, err := gaps.For(e.emulator); err != nil {
		return usageError(fmt.Errorf("--emulator: %w", err))
	}
	return nil
}

// gaps is the emulator's documented gap list (empty against AWS).
func (e *endpointOptions) gaps() gaps.Set {
	if e.url == "" {
		return gaps.Set{}
	}
	g, _ := gaps.For(e.emulator)
	return g
}

// stackConfig is what every stack's configuration gets in emulator mode
// (nothing against AWS). dummy says the environment holds no credentials.
func (e *endpointOptions) stackConfig(dummy bool) map[string]string {
	if e.url == "" {
		return nil
	}
	creds := emulation.CredentialsEnvironment
	if dummy {
		creds = emulation.CredentialsDummy
	}
	return map[string]string{
		models.ConfigKey(emulation.ConfigEndpointURL): e.url,
		models.ConfigKey(emulation.ConfigEmulator):    e.emulator,
		models.ConfigKey(emulation.ConfigCredentials): creds,
	}
}

// sdkConfig is the AWS SDK configuration for the emulator, with dummy
// credentials when the environment has none.
func (e *endpointOptions) sdkConfig(ctx context.Context, region string) (aws.Config, bool, error) {
	return devloop.EmulatorConfig(ctx, e.url, region)
}
