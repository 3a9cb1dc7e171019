package metering

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"
)

// MaxBatch is the most metric datums one PutMetricData call may carry.
const MaxBatch = 1000

// PutMetricDataAPI is the part of the CloudWatch client the Publisher uses.
type PutMetricDataAPI interface {
	PutMetricData(ctx context.Context, in *cloudwatch.PutMetricDataInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.PutMetricDataOutput, error)
}

// NewPublisher returns a publisher to CloudWatch with PutMetricData (needs
// cloudwatch:PutMetricData); batchSize ≤ 0 or above MaxBatch means MaxBatch.
func NewPublisher(api PutMetricDataAPI, batchSize int) *Publisher {
	return newPublisher(cloudWatchSink{api}, batchSize)
}

type cloudWatchSink struct{ api PutMetricDataAPI }

func (cloudWatchSink) maxBatch() int { return MaxBatch }

func (s cloudWatchSink) send(ctx context.Context, batch []Datum, values []float64) ([]int, error) {
	data := make([]types.MetricDatum, len(batch))
	for i, d := range batch {
		data[i] = types.MetricDatum{
			MetricName: aws.String(d.Metric),
			Dimensions: []types.Dimension{{Name: aws.String(DimensionTenantID), Value: aws.String(d.TenantID)}},
			Timestamp:  aws.Time(d.Minute),
			Value:      aws.Float64(values[i]),
			Unit:       types.StandardUnitCount,
		}
	}
	if _, err := s.api.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String(Namespace), MetricData: data}); err != nil {
		all := make([]int, len(batch))
		for i := range all {
			all[i] = i
		}
		return all, fmt.Errorf("PutMetricData of %d datums to %s: %w", len(batch), Namespace, err)
	}
	return nil, nil
}

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
