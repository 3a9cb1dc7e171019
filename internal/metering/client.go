package metering

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"
)

// NewCloudWatchClient returns the CloudWatch client both sides of metering use:
// the application's Publisher and chargeback's usage query.
//
// It speaks CloudWatch's Query protocol rather than the SDK's default RPCv2
// CBOR: CloudWatch accepts both, and emulators (moto_server, LocalStack) only
// Query, so the protocol the tests exercise is the one production uses.
func NewCloudWatchClient(cfg aws.Config, optFns ...func(*cloudwatch.Options)) *cloudwatch.Client {
	opts := append([]func(*cloudwatch.Options){func(o *cloudwatch.Options) {
		o.Protocol = awsquery.New(schemas.GraniteServiceVersion20100801)
	}}, optFns...)
	return cloudwatch.NewFromConfig(cfg, opts...)
}
