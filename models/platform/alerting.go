package platform

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/apigateway"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/xray"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/tenantctl/tenantctl/internal/emulator/gaps"
	"github.com/tenantctl/tenantctl/internal/iampolicy"
	"github.com/tenantctl/tenantctl/internal/naming"
	"github.com/tenantctl/tenantctl/models/alerting"
)

// AccessLogRetentionDays is how long the pooled API's access log is kept.
const AccessLogRetentionDays = 30

// AccessLogFormat is the pooled API stage's access log line: JSON, with the
// API key of the call and the status as a number, which the per-key metric
// filters read.
const AccessLogFormat = `{"requestId":"$context.requestId","apiKeyId":"$context.identity.apiKeyId",` +
	`"ip":"$context.identity.sourceIp","method":"$context.httpMethod","path":"$context.resourcePath",` +
	`"status":$context.status,"latencyMs":$context.responseLatency,"time":"$context.requestTime"}`

// APIKeyMetricPatterns are the metric filters' patterns of the access log,
// by metric: client and server errors.
var APIKeyMetricPatterns = map[string]string{
	alerting.API4xxMetric: "{ $.status >= 400 && $.status < 500 }",
	alerting.API5xxMetric: "{ $.status >= 500 }",
}

// APIGatewayLogsPolicy is the AWS managed policy API Gateway writes logs with.
const APIGatewayLogsPolicy = "policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"

// Sampling of the pooled API's X-Ray traces: the first request each second,
// and 5 % of the rest.
const (
	SamplingReservoir = 1
	SamplingRate      = 0.05
	// MaxSamplingRuleName is X-Ray's limit on a sampling rule's name.
	MaxSamplingRuleName = 32
)

// onCall: the platform's on-call topic, with alerts.onCallEmail subscribed;
// every alarm of the platform's account whose name starts with the fleet's
// prefix may publish to it.
func (b *builder) onCall() error {
	topic, err := alerting.NewTopic(b.ctx, alerting.TopicArgs{
		Logical: b.name("oncall"), Name: b.physical("oncall", 256), Region: b.s.PlatformRegion, AccountID: b.accountID,
		AlarmPrefix: b.s.NamePrefix + "-", Email: b.s.Alerts.OnCallEmail,
	}, b.opts...)
	if err != nil {
		return err
	}
	b.p.OnCallTopicArn = topic.Arn
	return nil
}

// apiLogs: the pooled API stage's access log group, and API Gateway's
// account setting naming the role it writes CloudWatch Logs with (REST APIs
// log nowhere without it).
func (b *builder) apiLogs() error {
	logs, err := cloudwatch.NewLogGroup(b.ctx, b.name("api", "access"), &cloudwatch.LogGroupArgs{
		Name:            pulumi.String(naming.LogGroup(b.s.NamePrefix, Owner, "api-access")),
		RetentionInDays: pulumi.Int(AccessLogRetentionDays),
		KmsKeyId:        b.base.key.Arn(),
		Tags:            pooledTags(),
	}, b.opts...)
	if err != nil {
		return err
	}
	trust, err := iampolicy.AssumedBy("apigateway.amazonaws.com").JSON()
	if err != nil {
		return err
	}
	role, err := iam.NewRole(b.ctx, b.name("apigateway-logs"), &iam.RoleArgs{
		Name:             pulumi.String(b.physical("apigateway-logs", naming.MaxIAMRole)),
		Description:      pulumi.String("API Gateway writes the pooled API's logs to CloudWatch Logs"),
		AssumeRolePolicy: pulumi.String(trust),
	}, b.opts...)
	if err != nil {
		return err
	}
	attach, err := iam.NewRolePolicyAttachment(b.ctx, b.name("apigateway-logs"), &iam.RolePolicyAttachmentArgs{
		Role: role.Name, PolicyArn: pulumi.String(managedPolicyArn(b.s.PlatformRegion, APIGatewayLogsPolicy)),
	}, b.opts...)
	if err != nil {
		return err
	}
	account, err := apigateway.NewAccount(b.ctx, b.name("apigateway-account"), &apigateway.AccountArgs{
		CloudwatchRoleArn: role.Arn,
	}, b.with(pulumi.DependsOn([]pulumi.Resource{attach}))...)
	if err != nil {
		return err
	}
	b.base.apiAccessLogs, b.base.apiLogging = logs, account
	return nil
}

// managedPolicyArn is the ARN of an AWS managed policy in the region's partition.
func managedPolicyArn(region, policy string) string {
	return "arn:" + iampolicy.Partition(region) + ":iam::aws:" + policy
}

// stageAccessLogs are the pooled API stage's access log settings; the stage
// waits for API Gateway's logging role through them.
func (b *builder) stageAccessLogs() apigateway.StageAccessLogSettingsArgs {
	dest := pulumi.All(b.base.apiAccessLogs.Arn, b.base.apiLogging.ID()).ApplyT(func(v []any) string {
		return v[0].(string)
	}).(pulumi.StringOutput)
	return apigateway.StageAccessLogSettingsArgs{DestinationArn: dest, Format: pulumi.String(AccessLogFormat)}
}

// apiKeyMetrics: metric filters of the access log counting 4xx and 5xx
// answers by API key (alerting.APINamespace), which application tenants'
// alarms read for their own key. A dimension per key is what lets one filter
// serve every pooled tenant (a log group takes at most 100 filters); CloudWatch
// stops a filter that yields more than 1000 distinct keys in an hour.
func (b *builder) apiKeyMetrics() error {
	for _, metric := range []string{alerting.API4xxMetric, alerting.API5xxMetric} {
		if _, err := cloudwatch.NewLogMetricFilter(b.ctx, b.name("api", "metric", metric), &cloudwatch.LogMetricFilterArgs{
			Name:         pulumi.String(b.physical("api-"+metric, 512)),
			LogGroupName: b.base.apiAccessLogs.Name,
			Pattern:      pulumi.String(APIKeyMetricPatterns[metric]),
			MetricTransformation: cloudwatch.LogMetricFilterMetricTransformationArgs{
				Name: pulumi.String(metric), Namespace: pulumi.String(alerting.APINamespace), Value: pulumi.String("1"),
				Dimensions: pulumi.StringMap{alerting.APIKeyDimension: pulumi.String("$.apiKeyId")},
				Unit:       pulumi.String("Count"),
			},
		}, b.opts...); err != nil {
			return err
		}
	}
	return nil
}

// apiSampling: the X-Ray sampling rule of the pooled API's stage, which
// traces (xrayTracingEnabled).
func (b *builder) apiSampling() error {
	if b.emu.Gap(gaps.XRaySamplingRule) {
		return nil
	}
	_, err := xray.NewSamplingRule(b.ctx, b.name("api", "sampling"), &xray.SamplingRuleArgs{
		RuleName:      pulumi.String(b.physical("api", MaxSamplingRuleName)),
		Priority:      pulumi.Int(1000),
		ReservoirSize: pulumi.Int(SamplingReservoir),
		FixedRate:     pulumi.Float64(SamplingRate),
		ServiceName:   pulumi.String(fmt.Sprintf("%s/%s", b.physical("api", 255), APIStageName)),
		ServiceType:   pulumi.String("AWS::ApiGateway::Stage"),
		Host:          pulumi.String("*"),
		HttpMethod:    pulumi.String("*"),
		UrlPath:       pulumi.String("*"),
		ResourceArn:   pulumi.String("*"),
		Version:       pulumi.Int(1),
		Tags:          pooledTags(),
	}, b.opts...)
	return err
}
