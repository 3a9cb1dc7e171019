// Package fargate builds a tenant's container service: log group, execution
// and task roles, task definition, security group, ECS service on Fargate and
// its autoscaling.
// The account, vpc, subnet and container models differ only in the cluster,
// the network and the load balancer in front of the service.
package fargate

import (
	"encoding/json"
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecs"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/tenantctl/tenantctl/internal/emulator/gaps"
	"github.com/tenantctl/tenantctl/internal/iampolicy"
	"github.com/tenantctl/tenantctl/internal/naming"
	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/models/network"
	"github.com/tenantctl/tenantctl/models/tenant"
)

// LogRetentionDays is how long a tenant's service logs are kept.
const LogRetentionDays = 30

// ExecutionPolicyArn is the AWS managed policy ECS needs to pull images and write logs.
const ExecutionPolicyArn = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"

// Args describe a tenant's service.
type Args struct {
	Cluster pulumi.StringInput
	VPCID   pulumi.StringInput
	Subnets pulumi.StringArrayInput
	// LoadBalancer is what reaches the service: every model puts one in
	// front of it (models/ingress).
	LoadBalancer LoadBalancer
	// PermissionsBoundary, when set, is the permissions boundary of the
	// execution and task roles (the account model's deploy role may create
	// roles only under its own boundary).
	PermissionsBoundary pulumi.StringInput
	// ClusterName is the name of Cluster (an ARN), for the service's scalable
	// target, when the stack builds the cluster; otherwise the name is read
	// from the ARN (ClusterNameOf).
	ClusterName pulumi.StringInput
	// TaskStatements, when set, resolves to the []iampolicy.Statement the
	// task role's policy holds beside its own parameters: the tenant's data
	// (tenant.DataStore.StatementsOutput), known once the table's ARN is.
	TaskStatements pulumi.Output
}

// LoadBalancer is the load balancer in front of a service.
type LoadBalancer struct {
	// SecurityGroup is the load balancer's security group, the one source
	// the service's port admits.
	SecurityGroup pulumi.StringInput
	// TargetGroupArn is the target group the tasks register with.
	TargetGroupArn pulumi.StringInput
	// Forwarder is the listener or listener rule that forwards to the
	// target group: ECS refuses a group no listener forwards to, so the
	// service waits for it.
	Forwarder pulumi.Resource
}

// Service is what New registered.
type Service struct {
	LogGroup       *cloudwatch.LogGroup
	ExecutionRole  *iam.Role
	TaskRole       *iam.Role
	TaskDefinition *ecs.TaskDefinition
	SecurityGroup  *ec2.SecurityGroup
	Service        *ecs.Service
	// Scaling is the service's autoscaling; nil where the emulator cannot
	// serve it (gaps.ServiceAutoscaling).
	Scaling *Scaling
	// ClusterName is the name of the cluster the service runs on.
	ClusterName pulumi.StringOutput
}

// TaskPolicy is the tenant's task role policy: its own SSM parameters
// (/<prefix>/<id>/*), where the application reads its configuration, and the
// more statements given (its data), and nothing else: no tenant's task can
// read another's.
func TaskPolicy(region, accountID, prefix, tenantID string, more ...iampolicy.Statement) iampolicy.Document {
	return iampolicy.Document{Version: iampolicy.Version, Statement: append([]iampolicy.Statement{{
		Sid:      "OwnParameters",
		Effect:   "Allow",
		Action:   []string{"ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"},
		Resource: []string{fmt.Sprintf("arn:aws:ssm:%s:%s:parameter/%s/%s/*", region, accountID, prefix, tenantID)},
	}}, more...)}
}

// TaskTrust lets ECS tasks of the tenant's account assume the task role.
func TaskTrust(accountID string) iampolicy.Document {
	d := iampolicy.AssumedBy("ecs-tasks.amazonaws.com")
	d.Statement[0].Condition = map[string]map[string]any{
		"StringEquals": {"aws:SourceAccount": accountID},
	}
	return d
}

// DesiredCount is the number of tasks the tenant runs: none while suspended,
// so a suspended tenant keeps its resources and data but serves nothing.
func DesiredCount(t *spec.Tenant) int {
	if t.Status == spec.StatusSuspended {
		return 0
	}
	return t.Service.DesiredCount
}

type container struct {
	Name             string           `json:"name"`
	Image            string           `json:"image"`
	Essential        bool             `json:"essential"`
	PortMappings     []portMapping    `json:"portMappings"`
	Environment      []envVar         `json:"environment"`
	LogConfiguration logConfiguration `json:"logConfiguration"`
	ReadonlyRootFS   bool             `json:"readonlyRootFilesystem"`
}

type portMapping struct {
	ContainerPort int    `json:"containerPort"`
	Protocol      string `json:"protocol"`
}

type envVar struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type logConfiguration struct {
	LogDriver string            `json:"logDriver"`
	Options   map[string]string `json:"options"`
}

// New registers the tenant's service, one resource (or role and its policy)
// per step, in dependency order; opts carry the model component as parent.
func New(ctx *pulumi.Context, in tenant.Input, a Args, opts ...pulumi.ResourceOption) (*Service, error) {
	if lb := a.LoadBalancer; lb.SecurityGroup == nil || lb.TargetGroupArn == nil || lb.Forwarder == nil {
		return nil, fmt.Errorf("tenant %s: the service has no load balancer in front of it", in.Tenant.ID)
	}
	b := &builder{ctx: ctx, in: in, args: a, opts: opts, out: &Service{}}
	b.out.ClusterName = b.clusterName()
	for _, step := range []func() error{
		b.logGroup, b.executionRole, b.taskRole, b.taskDefinition, b.securityGroup, b.service, b.scaling,
	} {
		if err := step(); err != nil {
			return nil, err
		}
	}
	return b.out, nil
}

// builder holds what every step of New shares; each step fills its field of out.
type builder struct {
	ctx  *pulumi.Context
	in   tenant.Input
	args Args
	opts []pulumi.ResourceOption
	out  *Service
}

// logGroup is the service's log group, kept LogRetentionDays, encrypted
// with the tenant's key and archived.
func (b *builder) logGroup() (err error) {
	b.out.LogGroup, err = cloudwatch.NewLogGroup(b.ctx, b.in.Name("logs"), &cloudwatch.LogGroupArgs{
		Name:            pulumi.String(b.in.LogGroup("service")),
		RetentionInDays: pulumi.Int(LogRetentionDays),
		KmsKeyId:        b.in.KeyID(),
	}, b.opts...)
	if err != nil {
		return err
	}
	return b.in.ArchiveLogs(b.ctx, b.in.Name("logs", "archive"), b.out.LogGroup.Name, b.opts)
}

// executionRole is the role ECS uses to pull the image and write logs, with
// the AWS managed execution policy.
func (b *builder) executionRole() error {
	in := b.in
	trust, err := iampolicy.AssumedBy("ecs-tasks.amazonaws.com").JSON()
	if err != nil {
		return err
	}
	b.out.ExecutionRole, err = iam.NewRole(b.ctx, in.Name("exec"), &iam.RoleArgs{
		Name:                pulumi.String(in.Physical(naming.RoleExec, naming.MaxIAMRole)),
		Description:         pulumi.String("ECS execution role of tenant " + in.Tenant.ID + ": image pulls and logs"),
		AssumeRolePolicy:    pulumi.String(trust),
		PermissionsBoundary: b.args.PermissionsBoundary,
	}, b.opts...)
	if err != nil {
		return err
	}
	_, err = iam.NewRolePolicyAttachment(b.ctx, in.Name("exec"), &iam.RolePolicyAttachmentArgs{
		Role: b.out.ExecutionRole.Name, PolicyArn: pulumi.String(ExecutionPolicyArn),
	}, b.opts...)
	return err
}

// taskRole is the role the tenant's tasks run as: TaskTrust, and TaskPolicy inline.
func (b *builder) taskRole() (err error) {
	in, t := b.in, b.in.Tenant
	trust := in.AccountID.ToStringOutput().ApplyT(func(acct string) (string, error) {
		return TaskTrust(acct).JSON()
	}).(pulumi.StringOutput)
	b.out.TaskRole, err = iam.NewRole(b.ctx, in.Name("task"), &iam.RoleArgs{
		Name:                pulumi.String(in.Physical(naming.RoleTask, naming.MaxIAMRole)),
		Description:         pulumi.String("Task role of tenant " + t.ID + ": the tenant's own parameters and data only"),
		AssumeRolePolicy:    trust,
		PermissionsBoundary: b.args.PermissionsBoundary,
	}, b.opts...)
	if err != nil {
		return err
	}
	prefix := in.Settings().NamePrefix
	policy := pulumi.All(in.AccountID, b.args.TaskStatements).ApplyT(func(v []any) (string, error) {
		var more []iampolicy.Statement
		if v[1] != nil {
			var ok bool
			if more, ok = v[1].([]iampolicy.Statement); !ok {
				return "", fmt.Errorf("task statements resolved to %T, want []iampolicy.Statement", v[1])
			}
		}
		return TaskPolicy(t.Region, v[0].(string), prefix, t.ID, more...).JSON()
	}).(pulumi.StringOutput)
	_, err = iam.NewRolePolicy(b.ctx, in.Name("task"), &iam.RolePolicyArgs{
		Role: b.out.TaskRole.Name, Policy: policy,
	}, b.opts...)
	return err
}

// containerDefinitions is the task's one container, logging to the log group.
func containerDefinitions(in tenant.Input) (string, error) {
	t, sv := in.Tenant, in.Tenant.Service
	defs, err := json.Marshal([]container{{
		Name:         t.ID,
		Image:        sv.Image,
		Essential:    true,
		PortMappings: []portMapping{{ContainerPort: sv.Port, Protocol: "tcp"}},
		Environment: []envVar{
			{Name: "TENANT_ID", Value: t.ID},
			{Name: "TENANT_TIER", Value: t.Tier},
			{Name: "HEALTH_CHECK_PATH", Value: sv.HealthCheckPath},
		},
		LogConfiguration: logConfiguration{LogDriver: "awslogs", Options: map[string]string{
			"awslogs-group":         in.LogGroup("service"),
			"awslogs-region":        t.Region,
			"awslogs-stream-prefix": t.ID,
		}},
	}})
	return string(defs), err
}

// taskDefinition is the Fargate task; it waits for the log group it writes to.
func (b *builder) taskDefinition() error {
	in, sv := b.in, b.in.Tenant.Service
	defs, err := containerDefinitions(in)
	if err != nil {
		return err
	}
	b.out.TaskDefinition, err = ecs.NewTaskDefinition(b.ctx, in.Name("task"), &ecs.TaskDefinitionArgs{
		Family:                  pulumi.String(in.Physical("service", 255)),
		Cpu:                     pulumi.String(fmt.Sprint(sv.CPU)),
		Memory:                  pulumi.String(fmt.Sprint(sv.Memory)),
		NetworkMode:             pulumi.String("awsvpc"),
		RequiresCompatibilities: pulumi.StringArray{pulumi.String("FARGATE")},
		ExecutionRoleArn:        b.out.ExecutionRole.Arn,
		TaskRoleArn:             b.out.TaskRole.Arn,
		ContainerDefinitions:    pulumi.String(defs),
		RuntimePlatform: ecs.TaskDefinitionRuntimePlatformArgs{
			OperatingSystemFamily: pulumi.String("LINUX"), CpuArchitecture: pulumi.String("X86_64"),
		},
	}, tenant.With(b.opts, pulumi.DependsOn([]pulumi.Resource{b.out.LogGroup}))...)
	return err
}

// securityGroup admits the service port from the load balancer's security
// group only, and lets HTTPS out for image pulls and AWS APIs.
func (b *builder) securityGroup() (err error) {
	in, port := b.in, b.in.Tenant.Service.Port
	ingress := ec2.SecurityGroupIngressArray{ec2.SecurityGroupIngressArgs{
		Description: pulumi.String("Service port, from the load balancer only"),
		Protocol:    pulumi.String("tcp"), FromPort: pulumi.Int(port), ToPort: pulumi.Int(port),
		SecurityGroups: pulumi.StringArray{b.args.LoadBalancer.SecurityGroup},
	}}
	b.out.SecurityGroup, err = ec2.NewSecurityGroup(b.ctx, in.Name("service"), &ec2.SecurityGroupArgs{
		VpcId:       b.args.VPCID,
		Description: pulumi.String("Service of tenant " + in.Tenant.ID),
		Ingress:     ingress,
		Egress: ec2.SecurityGroupEgressArray{ec2.SecurityGroupEgressArgs{
			Description: pulumi.String("HTTPS out: image pulls and AWS APIs"),
			Protocol:    pulumi.String("tcp"), FromPort: pulumi.Int(443), ToPort: pulumi.Int(443),
			CidrBlocks: pulumi.StringArray{pulumi.String(network.AnyIPv4)},
		}},
		Tags: in.NameTag("service"),
	}, b.opts...)
	return err
}

// service is the ECS service on Fargate, in the private subnets, registered
// with the load balancer's target group once its forwarder is there.
func (b *builder) service() (err error) {
	in, a, t := b.in, b.args, b.in.Tenant
	svcArgs := &ecs.ServiceArgs{
		Name:           pulumi.String(in.Physical("service", 255)),
		Cluster:        a.Cluster,
		TaskDefinition: b.out.TaskDefinition.Arn,
		DesiredCount:   pulumi.Int(DesiredCount(t)),
		LaunchType:     pulumi.String("FARGATE"),
		NetworkConfiguration: ecs.ServiceNetworkConfigurationArgs{
			Subnets:        a.Subnets,
			SecurityGroups: pulumi.StringArray{b.out.SecurityGroup.ID()},
			AssignPublicIp: pulumi.Bool(false),
		},
		DeploymentCircuitBreaker: ecs.ServiceDeploymentCircuitBreakerArgs{
			Enable: pulumi.Bool(true), Rollback: pulumi.Bool(true),
		},
		// Tasks are not reached by the provider's default tags: the service
		// passes its own tags on, and ECS adds the cluster and service names.
		PropagateTags: pulumi.String("SERVICE"),
		Tags:          in.CostTags(),
	}
	if !in.Emulation.Gap(gaps.ECSManagedTags) {
		svcArgs.EnableEcsManagedTags = pulumi.Bool(true)
	}
	svcArgs.LoadBalancers = ecs.ServiceLoadBalancerArray{ecs.ServiceLoadBalancerArgs{
		TargetGroupArn: a.LoadBalancer.TargetGroupArn, ContainerName: pulumi.String(t.ID), ContainerPort: pulumi.Int(t.Service.Port),
	}}
	svcArgs.HealthCheckGracePeriodSeconds = pulumi.Int(60)
	opts := tenant.With(b.opts, pulumi.DependsOn([]pulumi.Resource{a.LoadBalancer.Forwarder}))
	if b.autoscaled() && t.Status != spec.StatusSuspended {
		// Autoscaling owns the task count between the target's bounds, so
		// the count it set is no drift. A suspended tenant's 0 is applied
		// here as well as by its target's bounds of 0; on resuming, the
		// target's new minimum brings the count back up.
		opts = tenant.With(opts, pulumi.IgnoreChanges([]string{"desiredCount"}))
	}
	b.out.Service, err = ecs.NewService(b.ctx, in.Name("service"), svcArgs, opts...)
	return err
}
