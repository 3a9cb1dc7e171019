// Package awscfg loads the AWS SDK configuration the same way for every command
// that speaks to AWS: the standard credential chain, and AWS_ENDPOINT_URL (or an
// explicit endpoint) so that the same binary runs against AWS or an emulator.
package awscfg

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
)

// Options select the region and, optionally, an endpoint that overrides every
// service's (an emulator such as moto_server). Empty fields fall back to the
// SDK's own environment: AWS_REGION, AWS_ENDPOINT_URL, profiles, IMDS.
type Options struct {
	Region      string
	EndpointURL string
}

// Load returns the SDK configuration for the options.
func Load(ctx context.Context, o Options) (aws.Config, error) {
	var opts []func(*config.LoadOptions) error
	if o.Region != "" {
		opts = append(opts, config.WithRegion(o.Region))
	}
	if o.EndpointURL != "" {
		opts = append(opts, config.WithBaseEndpoint(o.EndpointURL))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("loading AWS configuration (credentials chain, AWS_REGION, AWS_ENDPOINT_URL): %w", err)
	}
	if cfg.Region == "" {
		return aws.Config{}, fmt.Errorf("no AWS region: set AWS_REGION or pass --region")
	}
	return cfg, nil
}
