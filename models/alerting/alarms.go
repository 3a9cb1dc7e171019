package alerting

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// MissingData is how every alarm treats a period without data: as fine. A
// tenant without traffic, or a suspended one, is not in alarm.
const MissingData = "notBreaching"

// AlarmArgs are the arguments of the alarm of a rule named name, notifying
// actions when it fires and when it recovers.
func AlarmArgs(name string, r Rule, actions pulumi.Array) *cloudwatch.MetricAlarmArgs {
	args := &cloudwatch.MetricAlarmArgs{
		Name:               pulumi.String(name),
		AlarmDescription:   pulumi.String(r.Description),
		ComparisonOperator: pulumi.String(r.Comparison),
		EvaluationPeriods:  pulumi.Int(r.Periods),
		Threshold:          pulumi.Float64(r.Threshold),
		TreatMissingData:   pulumi.String(MissingData),
		AlarmActions:       actions,
		OkActions:          actions,
	}
	if r.Expression == "" && len(r.metrics) == 1 {
		m := r.metrics[0]
		args.Namespace = pulumi.String(m.namespace)
		args.MetricName = pulumi.String(m.name)
		args.Statistic = pulumi.String(m.stat)
		args.Period = pulumi.Int(r.Period)
		args.Dimensions = dimensionMap(m.dims)
		return args
	}
	queries := cloudwatch.MetricAlarmMetricQueryArray{}
	for _, m := range r.metrics {
		queries = append(queries, cloudwatch.MetricAlarmMetricQueryArgs{
			Id: pulumi.String(m.id),
			Metric: cloudwatch.MetricAlarmMetricQueryMetricArgs{
				Namespace: pulumi.String(m.namespace), MetricName: pulumi.String(m.name),
				Stat: pulumi.String(m.stat), Period: pulumi.Int(r.Period), Dimensions: dimensionMap(m.dims),
			},
			ReturnData: pulumi.Bool(false),
		})
	}
	queries = append(queries, cloudwatch.MetricAlarmMetricQueryArgs{
		Id: pulumi.String("e1"), Expression: pulumi.String(r.Expression), Label: pulumi.String(r.Signal), ReturnData: pulumi.Bool(true),
	})
	args.MetricQueries = queries
	return args
}

func dimensionMap(dims []dimension) pulumi.StringMap {
	m := pulumi.StringMap{}
	for _, d := range dims {
		m[d.name] = d.value
	}
	return m
}
