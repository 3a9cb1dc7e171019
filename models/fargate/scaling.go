package fargate

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/appautoscaling"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/tenantctl/tenantctl/internal/emulator/gaps"
	"github.com/tenantctl/tenantctl/internal/spec"
)

// What Application Auto Scaling scales: an ECS service's task count.
const (
	ScalingNamespace  = "ecs"
	ScalableDimension = "ecs:service:DesiredCount"
)

// The metrics the service's two target-tracking policies follow.
const (
	CPUMetric    = "ECSServiceAverageCPUUtilization"
	MemoryMetric = "ECSServiceAverageMemoryUtilization"
)

// Cooldowns of the target-tracking policies, in seconds: out fast, so a
// tenant's burst is served within a minute; in slowly, so a dip between bursts
// does not drain tasks that the next burst needs again.
const (
	ScaleOutCooldown = 60
	ScaleInCooldown  = 300
)

// Scaling is a service's autoscaling: its scalable target and the policies
// that track CPU and memory.
type Scaling struct {
	Target *appautoscaling.Target
	CPU    *appautoscaling.Policy
	Memory *appautoscaling.Policy
}

// Capacity is the fewest and most tasks autoscaling keeps the tenant's
// service between: the service block's minCount and maxCount, or 0 and 0
// while the tenant is suspended, so that autoscaling drains it and never
// starts a task (Application Auto Scaling brings the current count inside
// the bounds as soon as they change).
func Capacity(t *spec.Tenant) (min, max int) {
	if t.Status == spec.StatusSuspended {
		return 0, 0
	}
	return t.Service.MinCount, t.Service.MaxCount
}

// ResourceID is the scalable target's id of an ECS service: both by name,
// the cluster's too (not its ARN).
func ResourceID(clusterName, serviceName string) string {
	return "service/" + clusterName + "/" + serviceName
}

// ClusterNameOf is the name of an ECS cluster from its ARN,
// arn:<partition>:ecs:<region>:<account>:cluster/<name>.
func ClusterNameOf(arn string) (string, error) {
	head, name, ok := strings.Cut(arn, ":cluster/")
	if !ok || name == "" || strings.Contains(name, "/") || !strings.HasPrefix(head, "arn:") {
		return "", fmt.Errorf("%q is not an ECS cluster ARN (arn:…:cluster/<name>)", arn)
	}
	return name, nil
}

// autoscaled reports whether the service gets its autoscaling: not where the
// emulator cannot serve scalable targets.
func (b *builder) autoscaled() bool { return !b.in.Emulation.Gap(gaps.ServiceAutoscaling) }

// clusterName is Args' ClusterName, else the name in the cluster's ARN.
func (b *builder) clusterName() pulumi.StringOutput {
	if b.args.ClusterName != nil {
		return b.args.ClusterName.ToStringOutput()
	}
	return b.args.Cluster.ToStringOutput().ApplyT(ClusterNameOf).(pulumi.StringOutput)
}

// scaling registers the service as a scalable target between Capacity's
// bounds, with a target-tracking policy on CPU at targetCpu and one on memory
// at targetMemory; whichever asks for more tasks wins.
func (b *builder) scaling() error {
	if !b.autoscaled() {
		return nil
	}
	in, t := b.in, b.in.Tenant
	min, max := Capacity(t)
	target, err := appautoscaling.NewTarget(b.ctx, in.Name("scaling"), &appautoscaling.TargetArgs{
		ServiceNamespace:  pulumi.String(ScalingNamespace),
		ScalableDimension: pulumi.String(ScalableDimension),
		ResourceId: pulumi.All(b.clusterName(), b.out.Service.Name).ApplyT(func(v []any) string {
			return ResourceID(v[0].(string), v[1].(string))
		}).(pulumi.StringOutput),
		MinCapacity: pulumi.Int(min),
		MaxCapacity: pulumi.Int(max),
	}, b.opts...)
	if err != nil {
		return err
	}
	s := &Scaling{Target: target}
	for _, p := range []struct {
		what, metric string
		value        int
		out          **appautoscaling.Policy
	}{
		{"cpu", CPUMetric, t.Service.TargetCPU, &s.CPU},
		{"memory", MemoryMetric, t.Service.TargetMemory, &s.Memory},
	} {
		*p.out, err = appautoscaling.NewPolicy(b.ctx, in.Name("scaling", p.what), &appautoscaling.PolicyArgs{
			Name:              pulumi.String(in.Physical("scale-"+p.what, 255)),
			PolicyType:        pulumi.String("TargetTrackingScaling"),
			ServiceNamespace:  target.ServiceNamespace,
			ScalableDimension: target.ScalableDimension,
			ResourceId:        target.ResourceId,
			TargetTrackingScalingPolicyConfiguration: appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationArgs{
				PredefinedMetricSpecification: appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs{
					PredefinedMetricType: pulumi.String(p.metric),
				},
				TargetValue:      pulumi.Float64(float64(p.value)),
				ScaleOutCooldown: pulumi.Int(ScaleOutCooldown),
				ScaleInCooldown:  pulumi.Int(ScaleInCooldown),
			},
		}, b.opts...)
		if err != nil {
			return err
		}
	}
	b.out.Scaling = s
	return nil
}
