// Package platform builds the platform stack: the shared infrastructure that
// subnet, container and application tenants live in and vpc tenants attach to,
// and the organization set-up of account tenants. It also defines how tenant
// stacks see the platform (Ref) and the names of its outputs.
package platform

import (
	"fmt"
	"sort"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/apigateway"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/costexplorer"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/dynamodb"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2transitgateway"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecs"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kinesis"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/organizations"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/tenantctl/tenantctl/internal/emulator/gaps"
	"github.com/tenantctl/tenantctl/internal/iampolicy"
	"github.com/tenantctl/tenantctl/internal/lambdabuild"
	"github.com/tenantctl/tenantctl/internal/naming"
	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/models/certificate"
	"github.com/tenantctl/tenantctl/models/datatable"
	"github.com/tenantctl/tenantctl/models/emulation"
	"github.com/tenantctl/tenantctl/models/network"
	"github.com/tenantctl/tenantctl/pkg/tenantcontext"
)

// ComponentType is the type token of the platform's component resource.
const ComponentType = "tenantctl:models:Platform"

// Owner starts the logical names of the platform's resources.
const Owner = spec.PlatformTenantID

// APIStageName is the stage of the pooled REST API.
const APIStageName = "v1"

// Platform is the platform stack's component; its fields are the stack's
// outputs (Outputs names them as OutputNames does).
type Platform struct {
	pulumi.ResourceState
	baselineOutputs

	AccountID                  pulumi.StringOutput
	SharedVPCID                pulumi.IDOutput
	SharedVPCCIDR              pulumi.StringOutput
	SharedRouteTableID         pulumi.IDOutput
	PrivateSubnetIDs           pulumi.StringArrayOutput
	PublicSubnetIDs            pulumi.StringArrayOutput
	ClusterArn                 pulumi.StringOutput
	LBSecurityGroupID          pulumi.IDOutput
	ListenerArns               pulumi.StringArrayOutput
	LoadBalancerDNSNames       pulumi.StringArrayOutput
	LoadBalancerZoneIDs        pulumi.StringArrayOutput
	ZoneID                     pulumi.StringOutput
	ZoneNameServers            pulumi.StringArrayOutput
	CertificateArn             pulumi.StringOutput
	APIDomain                  pulumi.StringOutput
	PoolTableName              pulumi.StringOutput
	PoolTableArn               pulumi.StringOutput
	RegistryTableName          pulumi.StringOutput
	APIID                      pulumi.IDOutput
	APIStageName               pulumi.StringOutput
	UsagePlanIDs               pulumi.StringMapOutput
	UserPoolID                 pulumi.IDOutput
	UserPoolClientID           pulumi.StringOutput
	UserPoolDomain             pulumi.StringOutput
	TokenIssuer                pulumi.StringOutput
	MeteringStreamArn          pulumi.StringOutput
	TransitGatewayID           pulumi.IDOutput
	SharedServicesRouteTableID pulumi.IDOutput
	PooledServiceRoleArn       pulumi.StringOutput
	DataRoleArn                pulumi.StringOutput
}

// PooledServiceEnv is the environment a pooled service needs to know its
// callers' tenants (pkg/tenantcontext: ConfigFromEnv, and the data role
// Credentials assumes).
func (p *Platform) PooledServiceEnv() pulumi.StringMapOutput {
	return pulumi.StringMap{
		tenantcontext.EnvIssuer:      p.TokenIssuer,
		tenantcontext.EnvAudience:    p.UserPoolClientID,
		tenantcontext.EnvDataRoleArn: p.DataRoleArn,
	}.ToStringMapOutput()
}

// Outputs are the values the platform stack exports, by output name.
func (p *Platform) Outputs() pulumi.Map {
	return p.withBaseline(pulumi.Map{
		OutAccountID:                p.AccountID,
		OutSharedVPCID:              p.SharedVPCID,
		OutSharedVPCCIDR:            p.SharedVPCCIDR,
		OutSharedRouteTableID:       p.SharedRouteTableID,
		OutPrivateSubnetIDs:         p.PrivateSubnetIDs,
		OutPublicSubnetIDs:          p.PublicSubnetIDs,
		OutClusterArn:               p.ClusterArn,
		OutLBSecurityGroupID:        p.LBSecurityGroupID,
		OutListenerArns:             p.ListenerArns,
		OutLoadBalancerDNSNames:     p.LoadBalancerDNSNames,
		OutLoadBalancerZoneIDs:      p.LoadBalancerZoneIDs,
		OutZoneID:                   p.ZoneID,
		OutZoneNameServers:          p.ZoneNameServers,
		OutCertificateArn:           p.CertificateArn,
		OutAPIDomain:                p.APIDomain,
		OutPoolTableName:            p.PoolTableName,
		OutPoolTableArn:             p.PoolTableArn,
		OutRegistryTableName:        p.RegistryTableName,
		OutAPIID:                    p.APIID,
		OutAPIStageName:             p.APIStageName,
		OutUsagePlanIDs:             p.UsagePlanIDs,
		OutUserPoolID:               p.UserPoolID,
		OutUserPoolClientID:         p.UserPoolClientID,
		OutUserPoolDomain:           p.UserPoolDomain,
		OutTokenIssuer:              p.TokenIssuer,
		OutMeteringStreamArn:        p.MeteringStreamArn,
		OutTransitGatewayID:         p.TransitGatewayID,
		OutSharedServicesRouteTable: p.SharedServicesRouteTableID,
		OutPooledServiceRoleArn:     p.PooledServiceRoleArn,
		OutDataRoleArn:              p.DataRoleArn,
		OutPooledServiceEnv:         p.PooledServiceEnv(),
	})
}

// PlatformArgs are what the platform builds from.
type PlatformArgs struct {
	// Fleet is validated (models.Program accepts no other): the shared VPC
	// has two zones or more and a public and a private subnet for each.
	Fleet *spec.Fleet
	// Provider is the stack's provider, which the caller also passes to the
	// component (pulumi.Providers); the platform's invokes (caller identity,
	// availability zones) name it themselves.
	Provider *aws.Provider
	// Emulation is the stack's emulator mode (nil against AWS): what the
	// emulator cannot serve is left out, and recorded there.
	Emulation *emulation.Mode
	// Lambdas builds the deployment packages of the platform's functions
	// (the API's authorizer): lambdabuild.Go deploying, lambdabuild.Unbuilt
	// rendering.
	Lambdas lambdabuild.Builder
}

// pooledTags mark resources whose cost the application-model tenants share;
// chargeback splits them by metered usage.
func pooledTags() pulumi.StringMap {
	return pulumi.StringMap{spec.TagCostPool: pulumi.String(string(spec.ModelApplication))}
}

// NewPlatform registers the platform; name is the platform stack's
// (Owner), and opts carry the stack's provider, which every child inherits
// through the component.
func NewPlatform(ctx *pulumi.Context, name string, args *PlatformArgs, opts ...pulumi.ResourceOption) (*Platform, error) {
	f := args.Fleet
	p := &Platform{}
	if err := ctx.RegisterComponentResource(ComponentType, name, p, opts...); err != nil {
		return nil, err
	}
	if args.Lambdas == nil {
		return nil, fmt.Errorf("platform: no builder of the Lambda functions' packages (PlatformArgs.Lambdas)")
	}
	b := &builder{ctx: ctx, f: f, s: &f.Settings, prov: args.Provider, emu: args.Emulation, lambdas: args.Lambdas, p: p,
		opts: []pulumi.ResourceOption{pulumi.Parent(p)}}
	if err := b.build(); err != nil {
		return nil, fmt.Errorf("platform: %w", err)
	}
	if err := ctx.RegisterResourceOutputs(p, p.Outputs()); err != nil {
		return nil, err
	}
	return p, nil
}

type builder struct {
	ctx  *pulumi.Context
	f    *spec.Fleet
	s    *spec.Settings
	prov *aws.Provider
	emu  *emulation.Mode
	// lambdas builds the functions' packages (PlatformArgs.Lambdas).
	lambdas lambdabuild.Builder
	opts    []pulumi.ResourceOption
	// p is the component; each step sets the outputs it produces.
	p *Platform

	shared    *network.VPC
	accountID pulumi.StringOutput
	// zoneID is the public hosted zone of the fleet's domain, cert the
	// certificate of the domain and every name one label under it.
	zoneID pulumi.StringOutput
	cert   *certificate.Certificate
	// restAPI and stage are the pooled API's, which its custom domain maps.
	restAPI *apigateway.RestApi
	stage   *apigateway.Stage
	// base is what the security and observability baseline's steps share.
	base baselineState
	// registry is the tenant registry, which the authorizer reads; authorizer
	// is its function, which the API calls.
	registry   *dynamodb.Table
	authorizer *lambda.Function
}

func (b *builder) name(parts ...string) string { return naming.Logical(Owner, parts...) }

func (b *builder) physical(what string, max int) string {
	return naming.Name(b.s.NamePrefix, Owner, what, max)
}

func (b *builder) with(extra ...pulumi.ResourceOption) []pulumi.ResourceOption {
	return append(append([]pulumi.ResourceOption{}, b.opts...), extra...)
}

func (b *builder) build() error {
	identity := aws.GetCallerIdentityOutput(b.ctx, aws.GetCallerIdentityOutputArgs{}, pulumi.Provider(b.prov))
	b.accountID = identity.AccountId()
	b.p.AccountID = b.accountID
	b.p.APIStageName = pulumi.String(APIStageName).ToStringOutput()
	for _, step := range []func() error{
		b.baselineFirst,
		b.sharedVPC, b.dns, b.cluster, b.loadBalancers, b.tables, b.pooledService, b.userPool, b.dataRole,
		b.authorizerFunction, b.api, b.apiDomain, b.metering, b.organization, b.costAllocation, b.sharedServices,
		b.baselineLast,
	} {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// sharedVPC: the VPC of subnet and container tenants. The fleet's platform
// subnets are the first azCount public (load balancers), the next azCount
// private (the shared cluster's tasks).
func (b *builder) sharedVPC() error {
	sv := b.s.SharedVPC
	vpc, err := network.New(b.ctx, network.Args{
		Owner:        Owner,
		What:         "shared",
		CIDR:         sv.CIDR,
		PublicCIDRs:  sv.PlatformSubnets[:sv.AZCount],
		PrivateCIDRs: sv.PlatformSubnets[sv.AZCount : 2*sv.AZCount],
		Zones:        network.AvailabilityZones(b.ctx, b.prov),
		NamePrefix:   b.s.NamePrefix,
		Region:       b.s.PlatformRegion,
		// Subnet tenants' network ACLs admit the public subnets only.
		PublicEndpoints: true,
	}, b.opts...)
	if err != nil {
		return err
	}
	b.shared = vpc
	b.p.SharedVPCID = vpc.VPC.ID()
	b.p.SharedVPCCIDR = vpc.VPC.CidrBlock
	b.p.SharedRouteTableID = vpc.PrivateRouteTable.ID()
	b.p.PrivateSubnetIDs = network.IDs(vpc.PrivateSubnets).ToStringArrayOutput()
	b.p.PublicSubnetIDs = network.IDs(vpc.PublicSubnets).ToStringArrayOutput()
	return nil
}

func (b *builder) cluster() error {
	c, err := ecs.NewCluster(b.ctx, b.name("cluster"), &ecs.ClusterArgs{
		Name: pulumi.String(b.physical("cluster", 255)),
		Settings: ecs.ClusterSettingArray{ecs.ClusterSettingArgs{
			Name: pulumi.String("containerInsights"), Value: pulumi.String("enabled"),
		}},
	}, b.opts...)
	if err != nil {
		return err
	}
	b.p.ClusterArn = c.Arn
	return nil
}

// tables: the pooled data table (partition key "pk" starts with the tenant id)
// and the tenant registry.
func (b *builder) tables() error {
	pool, err := dynamodb.NewTable(b.ctx, b.name("pool"), datatable.Args(b.physical("pool", 255), pooledTags(), b.base.key.Arn()), b.opts...)
	if err != nil {
		return err
	}
	registry, err := dynamodb.NewTable(b.ctx, b.name("registry"), &dynamodb.TableArgs{
		Name:        pulumi.String(b.physical("registry", 255)),
		BillingMode: pulumi.String("PAY_PER_REQUEST"),
		HashKey:     pulumi.String(RegistryHashKey),
		Attributes: dynamodb.TableAttributeArray{
			dynamodb.TableAttributeArgs{Name: pulumi.String(RegistryHashKey), Type: pulumi.String("S")},
		},
		PointInTimeRecovery: dynamodb.TablePointInTimeRecoveryArgs{Enabled: pulumi.Bool(true)},
		Tags:                pooledTags(),
	}, b.opts...)
	if err != nil {
		return err
	}
	b.p.PoolTableName = pool.Name
	b.p.PoolTableArn = pool.Arn
	b.p.RegistryTableName = registry.Name
	b.registry = registry
	return nil
}

// PooledServiceTrust lets the pooled back end run as the pooled service role:
// its ECS tasks and its Lambda functions.
func PooledServiceTrust() iampolicy.Document {
	return iampolicy.Document{Version: iampolicy.Version, Statement: []iampolicy.Statement{{
		Effect:    "Allow",
		Principal: map[string]any{"Service": []string{"ecs-tasks.amazonaws.com", "lambda.amazonaws.com"}},
		Action:    []string{"sts:AssumeRole"},
	}}}
}

// pooledService: the role the pooled back end (its tasks and functions) runs
// as. It holds no data access of its own: per request it assumes a data role
// (PooledServicePolicy) with the session tag TenantId, which that role's
// trust requires.
func (b *builder) pooledService() error {
	trust, err := PooledServiceTrust().JSON()
	if err != nil {
		return err
	}
	partition := iampolicy.Partition(b.s.PlatformRegion)
	own := OwnDataRoleTenants(b.f)
	policy := b.accountID.ApplyT(func(acct string) (string, error) {
		text, err := PooledServicePolicy(partition, acct, b.s.NamePrefix, own).JSON()
		if err == nil && len(text) > MaxRolePolicySize {
			err = fmt.Errorf("the pooled service role's policy names %d tenants' own data roles and is %d characters, more than IAM's %d; give fewer tenants a data policy", len(own), len(text), MaxRolePolicySize)
		}
		return text, err
	}).(pulumi.StringOutput)
	role, _, err := b.role("pooled-service", "Pooled back end of application tenants: assumes a tenant's data role per request", pulumi.String(trust), policy)
	if err != nil {
		return err
	}
	b.p.PooledServiceRoleArn = role.Arn
	return nil
}

// role registers the platform's role <prefix>-platform-<what> with its trust
// and its one inline policy.
func (b *builder) role(what, description string, trust, policy pulumi.StringInput) (*iam.Role, *iam.RolePolicy, error) {
	role, err := iam.NewRole(b.ctx, b.name(what), &iam.RoleArgs{
		Name:             pulumi.String(b.physical(what, naming.MaxIAMRole)),
		Description:      pulumi.String(description),
		AssumeRolePolicy: trust,
	}, b.opts...)
	if err != nil {
		return nil, nil, err
	}
	rp, err := iam.NewRolePolicy(b.ctx, b.name(what), &iam.RolePolicyArgs{Role: role.Name, Policy: policy}, b.opts...)
	return role, rp, err
}

// RegistryHashKey is the tenant registry table's partition key.
const RegistryHashKey = naming.RegistryTenantID

// api: the pooled REST API (its routes behind the Lambda authorizer: routes),
// a stage, and one usage plan per tier.
func (b *builder) api() error {
	api, err := apigateway.NewRestApi(b.ctx, b.name("api"), &apigateway.RestApiArgs{
		Name:        pulumi.String(b.physical("api", 255)),
		Description: pulumi.String("Pooled tenant API; callers present their Cognito token, the authorizer their tenant's API key"),
		// The usage key of a call is the one the authorizer returns for the
		// caller's tenant, never a header the client sends.
		ApiKeySource: pulumi.String("AUTHORIZER"),
		EndpointConfiguration: apigateway.RestApiEndpointConfigurationArgs{
			Types: pulumi.String("REGIONAL"),
		},
		Tags: pooledTags(),
	}, b.opts...)
	if err != nil {
		return err
	}
	deployment, err := b.routes(api)
	if err != nil {
		return err
	}
	stage, err := apigateway.NewStage(b.ctx, b.name("api", APIStageName), &apigateway.StageArgs{
		RestApi:    api.ID(),
		Deployment: deployment.ID(),
		StageName:  pulumi.String(APIStageName),
		Tags:       pooledTags(),
		// Traced, and logged by key for the tenants' API alarms (alerting.go).
		XrayTracingEnabled: pulumi.Bool(true), AccessLogSettings: b.stageAccessLogs(),
	}, b.opts...)
	if err != nil {
		return err
	}
	tiers := make([]string, 0, len(b.s.Tiers))
	for name := range b.s.Tiers {
		tiers = append(tiers, name)
	}
	sort.Strings(tiers)
	plans := pulumi.StringMap{}
	for _, name := range tiers {
		t := b.s.Tiers[name]
		plan, err := apigateway.NewUsagePlan(b.ctx, b.name("plan", name), &apigateway.UsagePlanArgs{
			Name:        pulumi.String(b.physical("plan-"+name, 255)),
			Description: pulumi.String(fmt.Sprintf("Tier %s: %g req/s, burst %d, %d requests per %s", name, t.Throttle.RateLimit, t.Throttle.BurstLimit, t.Quota.Limit, t.Quota.Period)),
			ApiStages: apigateway.UsagePlanApiStageArray{apigateway.UsagePlanApiStageArgs{
				ApiId: api.ID(), Stage: stage.StageName,
			}},
			ThrottleSettings: apigateway.UsagePlanThrottleSettingsArgs{
				RateLimit:  pulumi.Float64(t.Throttle.RateLimit),
				BurstLimit: pulumi.Int(t.Throttle.BurstLimit),
			},
			QuotaSettings: apigateway.UsagePlanQuotaSettingsArgs{
				Limit:  pulumi.Int(t.Quota.Limit),
				Period: pulumi.String(t.Quota.Period),
			},
			Tags: pooledTags(),
		}, b.opts...)
		if err != nil {
			return err
		}
		plans[name] = plan.ID()
	}
	b.p.APIID = api.ID()
	b.p.UsagePlanIDs = plans.ToStringMapOutput()
	b.restAPI, b.stage = api, stage
	return nil
}

// metering: the stream pooled services write usage records to, by tenant.
func (b *builder) metering() error {
	stream, err := kinesis.NewStream(b.ctx, b.name("metering"), &kinesis.StreamArgs{
		Name:            pulumi.String(b.physical("metering", 128)),
		RetentionPeriod: pulumi.Int(24),
		StreamModeDetails: kinesis.StreamStreamModeDetailsArgs{
			StreamMode: pulumi.String("ON_DEMAND"),
		},
		EncryptionType: pulumi.String("KMS"),
		KmsKeyId:       pulumi.String("alias/aws/kinesis"),
		Tags:           pooledTags(),
	}, b.opts...)
	if err != nil {
		return err
	}
	b.p.MeteringStreamArn = stream.Arn
	return nil
}

// organization: the Workload and Suspended OUs, each with its service control
// policy. Workload's are the guard rails: tenant accounts cannot leave the
// organization, stop the audit trail, or touch the deploy and access roles
// except through the access role. Suspended's add a quarantine: moving an
// account there leaves its principals only reads, and the deploy role only
// reads and the cleanup that destroying the tenant's stack needs.
func (b *builder) organization() error {
	org := organizations.LookupOrganizationOutput(b.ctx, pulumi.Provider(b.prov))
	root := org.Roots().Index(pulumi.Int(0)).Id()
	o := b.s.Organization
	roles := Roles{Partition: iampolicy.Partition(b.s.PlatformRegion), Deploy: o.DeployRoleName, Access: o.AccessRoleName}
	for _, ou := range []struct {
		key, name, policy, description string
		scp                            iampolicy.Document
	}{
		{"workload", o.WorkloadOU, "workload-guardrails", "tenantctl guard rails for tenant accounts", WorkloadSCP(roles)},
		{"suspended", o.SuspendedOU, "suspended-quarantine", "tenantctl quarantine for suspended tenant accounts: read only, and the deploy role's cleanup", SuspendedSCP(roles)},
	} {
		unit, err := organizations.NewOrganizationalUnit(b.ctx, b.name("ou", ou.key), &organizations.OrganizationalUnitArgs{
			Name: pulumi.String(ou.name), ParentId: root,
		}, b.opts...)
		if err != nil {
			return err
		}
		b.recordOU(ou.key, unit)
		content, err := ou.scp.JSON()
		if err != nil {
			return err
		}
		if len(content) > MaxSCPSize {
			return fmt.Errorf("the %s OU's service control policy is %d characters, more than the %d Organizations allows", ou.name, len(content), MaxSCPSize)
		}
		scp, err := organizations.NewPolicy(b.ctx, b.name("scp", ou.key), &organizations.PolicyArgs{
			Name:        pulumi.String(b.physical(ou.policy, 128)),
			Description: pulumi.String(ou.description),
			Type:        pulumi.String("SERVICE_CONTROL_POLICY"),
			Content:     pulumi.String(content),
		}, b.opts...)
		if err != nil {
			return err
		}
		if _, err := organizations.NewPolicyAttachment(b.ctx, b.name("scp", ou.key), &organizations.PolicyAttachmentArgs{
			PolicyId: scp.ID(), TargetId: unit.ID(),
		}, b.opts...); err != nil {
			return err
		}
	}
	return nil
}

// MaxSCPSize is Organizations' limit on a service control policy's characters.
const MaxSCPSize = 5120

// costAllocation activates the TenantId tag for Cost Explorer, which chargeback
// groups siloed tenants' cost by.
func (b *builder) costAllocation() error {
	if b.emu.Gap(gaps.CostAllocationTag) {
		return nil
	}
	_, err := costexplorer.NewCostAllocationTag(b.ctx, b.name("cost-tag", spec.TagTenantID), &costexplorer.CostAllocationTagArgs{
		TagKey: pulumi.String(spec.TagTenantID),
		Status: pulumi.String("Active"),
	}, b.opts...)
	return err
}

// sharedServices: the shared-services VPC and the Transit Gateway that vpc
// tenants (and the shared VPC) attach to.
func (b *builder) sharedServices() error {
	ss := b.s.SharedServices
	zones := network.AvailabilityZones(b.ctx, b.prov)
	n := b.s.SharedVPC.AZCount
	blocks, err := network.Split(ss.CIDR, n)
	if err != nil {
		return fmt.Errorf("sharedServices.cidr: %w", err)
	}
	nameTag := func(what string) pulumi.StringMap {
		return pulumi.StringMap{"Name": pulumi.String(naming.Join(b.s.NamePrefix, Owner, what))}
	}
	vpc, err := ec2.NewVpc(b.ctx, b.name("services"), &ec2.VpcArgs{
		CidrBlock: pulumi.String(ss.CIDR), EnableDnsHostnames: pulumi.Bool(true), EnableDnsSupport: pulumi.Bool(true),
		Tags: nameTag("services"),
	}, b.opts...)
	if err != nil {
		return err
	}
	rt, err := ec2.NewRouteTable(b.ctx, b.name("services"), &ec2.RouteTableArgs{VpcId: vpc.ID(), Tags: nameTag("services")}, b.opts...)
	if err != nil {
		return err
	}
	var subnets []*ec2.Subnet
	for i, block := range blocks {
		sn, err := ec2.NewSubnet(b.ctx, b.name("services", fmt.Sprint(i)), &ec2.SubnetArgs{
			VpcId: vpc.ID(), CidrBlock: pulumi.String(block), AvailabilityZone: network.Zone(zones, i),
			Tags: nameTag(fmt.Sprintf("services-%d", i)),
		}, b.opts...)
		if err != nil {
			return err
		}
		if _, err := ec2.NewRouteTableAssociation(b.ctx, b.name("services", fmt.Sprint(i)), &ec2.RouteTableAssociationArgs{
			SubnetId: sn.ID(), RouteTableId: rt.ID(),
		}, b.opts...); err != nil {
			return err
		}
		subnets = append(subnets, sn)
	}
	tgw, err := ec2transitgateway.NewTransitGateway(b.ctx, b.name("tgw"), &ec2transitgateway.TransitGatewayArgs{
		Description:                  pulumi.String("tenantctl shared-services network"),
		DefaultRouteTableAssociation: pulumi.String("enable"),
		DefaultRouteTablePropagation: pulumi.String("enable"),
		AutoAcceptSharedAttachments:  pulumi.String("disable"),
		Tags:                         nameTag("tgw"),
	}, b.opts...)
	if err != nil {
		return err
	}
	b.p.TransitGatewayID = tgw.ID()
	b.p.SharedServicesRouteTableID = rt.ID()
	if b.emu.Gap(gaps.TransitGatewayAttach) {
		return nil
	}
	servicesAttach, err := ec2transitgateway.NewVpcAttachment(b.ctx, b.name("tgw", "services"), &ec2transitgateway.VpcAttachmentArgs{
		TransitGatewayId: tgw.ID(), VpcId: vpc.ID(), SubnetIds: network.IDs(subnets),
		Tags: nameTag("tgw-services"),
	}, b.opts...)
	if err != nil {
		return err
	}
	sharedAttach, err := ec2transitgateway.NewVpcAttachment(b.ctx, b.name("tgw", "shared"), &ec2transitgateway.VpcAttachmentArgs{
		TransitGatewayId: tgw.ID(), VpcId: b.shared.VPC.ID(), SubnetIds: network.IDs(b.shared.PrivateSubnets),
		Tags: nameTag("tgw-shared"),
	}, b.opts...)
	if err != nil {
		return err
	}
	if _, err := ec2.NewRoute(b.ctx, b.name("services", "to-shared"), &ec2.RouteArgs{
		RouteTableId: rt.ID(), DestinationCidrBlock: pulumi.String(b.s.SharedVPC.CIDR), TransitGatewayId: tgw.ID(),
	}, b.with(pulumi.DependsOn([]pulumi.Resource{servicesAttach}))...); err != nil {
		return err
	}
	if _, err := ec2.NewRoute(b.ctx, b.name("shared", "to-services"), &ec2.RouteArgs{
		RouteTableId: b.shared.PrivateRouteTable.ID(), DestinationCidrBlock: pulumi.String(ss.CIDR), TransitGatewayId: tgw.ID(),
	}, b.with(pulumi.DependsOn([]pulumi.Resource{sharedAttach}))...); err != nil {
		return err
	}
	return nil
}
