package models_test

import (
	"errors"
	"fmt"
	"net/netip"
	"path"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/tenantctl/tenantctl/internal/iampolicy"
	"github.com/tenantctl/tenantctl/internal/lambdabuild"
	"github.com/tenantctl/tenantctl/internal/naming"
	"github.com/tenantctl/tenantctl/internal/render"
	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/internal/testutil/samplefleet"
	"github.com/tenantctl/tenantctl/internal/testutil/scpeval"
	"github.com/tenantctl/tenantctl/models"
	"github.com/tenantctl/tenantctl/models/datatable"
	"github.com/tenantctl/tenantctl/models/platform"
)

// Platform outputs the tenant stacks see in these tests.
const (
	platformAccount = "111111111111"
	clusterArn      = "arn:aws:ecs:us-east-1:111111111111:cluster/saas-platform-cluster"
	poolTableArn    = "arn:aws:dynamodb:us-east-1:111111111111:table/saas-platform-pool"
	lbSG            = "sg-0platformlb"
	platformZone    = "Z0PLATFORM"
	pooledRoleArn   = "arn:aws:iam::111111111111:role/saas-platform-pooled-service"
	onCallTopicArn  = "arn:aws:sns:us-east-1:111111111111:saas-platform-oncall"
	// The log archive stream, and the role CloudWatch Logs puts into it with.
	logArchiveStream    = "arn:aws:firehose:us-east-1:111111111111:deliverystream/saas-platform-log-archive"
	logSubscriptionRole = "arn:aws:iam::111111111111:role/saas-platform-log-subscription"
	dataRoleArn         = "arn:aws:iam::111111111111:role/saas-platform-data"
)

// pooledKeyArn is the key of a pooled tier.
func pooledKeyArn(tier string) string {
	return "arn:aws:kms:us-east-1:111111111111:key/pooled-" + tier
}

// testLambdas stands in for the build of the platform's Lambda packages.
var testLambdas = fakeLambdas{}

// fakeLambdas names a package per main package and builds nothing.
type fakeLambdas struct{}

func (fakeLambdas) Build(main string) (lambdabuild.Package, error) {
	return lambdabuild.Package{Path: "/built/" + path.Base(main) + ".zip", SHA256: "hash-of-" + path.Base(main)}, nil
}

// listenerArns are the shared load balancers' HTTPS listeners.
var listenerArns = []any{
	"arn:aws:elasticloadbalancing:us-east-1:111111111111:listener/app/saas-platform-lb-0/0/443",
	"arn:aws:elasticloadbalancing:us-east-1:111111111111:listener/app/saas-platform-lb-1/1/443",
}

// The shared load balancers' DNS names and canonical hosted zones.
var (
	lbDNSNames = []any{"lb-0.elb.amazonaws.com", "lb-1.elb.amazonaws.com"}
	lbZoneIDs  = []any{"Z0LB0", "Z0LB1"}
)

func platformOutputs() map[string]any {
	return map[string]any{
		platform.OutAccountID:                platformAccount,
		platform.OutSharedVPCID:              "vpc-0shared",
		platform.OutSharedVPCCIDR:            "10.0.0.0/16",
		platform.OutSharedRouteTableID:       "rtb-0sharedprivate",
		platform.OutPrivateSubnetIDs:         []any{"subnet-0p0", "subnet-0p1"},
		platform.OutPublicSubnetIDs:          []any{"subnet-0pub0", "subnet-0pub1"},
		platform.OutClusterArn:               clusterArn,
		platform.OutLBSecurityGroupID:        lbSG,
		platform.OutListenerArns:             listenerArns,
		platform.OutLoadBalancerDNSNames:     lbDNSNames,
		platform.OutLoadBalancerZoneIDs:      lbZoneIDs,
		platform.OutZoneID:                   platformZone,
		platform.OutZoneNameServers:          []any{"ns-1.example.net", "ns-2.example.org"},
		platform.OutCertificateArn:           "arn:aws:acm:us-east-1:111111111111:certificate/platform",
		platform.OutAPIDomain:                "api.app.example.com",
		platform.OutPoolTableName:            "saas-platform-pool",
		platform.OutPoolTableArn:             poolTableArn,
		platform.OutRegistryTableName:        "saas-platform-registry",
		platform.OutAPIID:                    "a1b2c3",
		platform.OutAPIStageName:             platform.APIStageName,
		platform.OutUsagePlanIDs:             map[string]any{"free": "plan-free", "standard": "plan-standard", "premium": "plan-premium", "enterprise": "plan-enterprise"},
		platform.OutUserPoolID:               "us-east-1_pool",
		platform.OutMeteringStreamArn:        "arn:aws:kinesis:us-east-1:111111111111:stream/saas-platform-metering",
		platform.OutTransitGatewayID:         "tgw-0shared",
		platform.OutSharedServicesRouteTable: "rtb-0services",
		platform.OutPooledServiceRoleArn:     pooledRoleArn,
		platform.OutOnCallTopicArn:           onCallTopicArn,
		platform.OutPooledKeyArns:            map[string]any{"free": pooledKeyArn("free"), "standard": pooledKeyArn("standard")},
		platform.OutLogArchiveStreamArn:      logArchiveStream,
		platform.OutLogSubscriptionRoleArn:   logSubscriptionRole,
		platform.OutDataRoleArn:              dataRoleArn,
		platform.OutUserPoolClientID:         "client-app",
		platform.OutUserPoolDomain:           "saas-app-example-com",
		platform.OutTokenIssuer:              "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_pool",
		platform.OutPooledServiceEnv:         map[string]any{},
	}
}

// accountConfig is the stack configuration of an account-model tenant.
func accountConfig() (map[string]string, []string) {
	key := models.ConfigKey(models.ConfigExternalID)
	return map[string]string{key: "ext-0123456789", models.ConfigKey(models.ConfigAccountID): "345678901234"}, []string{key}
}

// run runs a stack's program under the recording mocks (not in preview, so
// outputs and policies are known) and returns every registered resource.
func run(t testing.TB, f *spec.Fleet, stack string, config map[string]string, secrets []string) ([]*render.Resource, error) {
	t.Helper()
	program, err := models.ProgramWith(f, stack, models.Options{Lambdas: testLambdas})
	if err != nil {
		return nil, err
	}
	rec := &render.Recorder{PlatformOutputs: platformOutputs()}
	g, err := render.Run(program, render.Options{Stack: stack, Config: config, Secrets: secrets, Recorder: rec})
	if err != nil {
		return nil, err
	}
	return g.Resources, nil
}

func mustRun(t testing.TB, f *spec.Fleet, stack string) []*render.Resource {
	t.Helper()
	cfg, secrets := accountConfig()
	res, err := run(t, f, stack, cfg, secrets)
	if err != nil {
		t.Fatalf("stack %s: %v", stack, err)
	}
	return res
}

func countByType(res []*render.Resource) map[string]int {
	out := map[string]int{}
	for _, r := range res {
		out[r.Type]++
	}
	return out
}

func ofType(res []*render.Resource, typ string) []*render.Resource {
	var out []*render.Resource
	for _, r := range res {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

func one(t *testing.T, res []*render.Resource, typ string) *render.Resource {
	t.Helper()
	rs := ofType(res, typ)
	if len(rs) != 1 {
		t.Fatalf("want one %s, got %d", typ, len(rs))
	}
	return rs[0]
}

func str(r *render.Resource, key string) string {
	v, _ := r.Inputs[key].(string)
	return v
}

// Type tokens.
const (
	tVpc         = "aws:ec2/vpc:Vpc"
	tSubnet      = "aws:ec2/subnet:Subnet"
	tIGW         = "aws:ec2/internetGateway:InternetGateway"
	tNAT         = "aws:ec2/natGateway:NatGateway"
	tEIP         = "aws:ec2/eip:Eip"
	tRT          = "aws:ec2/routeTable:RouteTable"
	tRoute       = "aws:ec2/route:Route"
	tRTA         = "aws:ec2/routeTableAssociation:RouteTableAssociation"
	tSG          = "aws:ec2/securityGroup:SecurityGroup"
	tNACL        = "aws:ec2/networkAcl:NetworkAcl"
	tNACLRule    = "aws:ec2/networkAclRule:NetworkAclRule"
	tNACLAssoc   = "aws:ec2/networkAclAssociation:NetworkAclAssociation"
	tTGW         = "aws:ec2transitgateway/transitGateway:TransitGateway"
	tTGWAttach   = "aws:ec2transitgateway/vpcAttachment:VpcAttachment"
	tCluster     = "aws:ecs/cluster:Cluster"
	tService     = "aws:ecs/service:Service"
	tTaskDef     = "aws:ecs/taskDefinition:TaskDefinition"
	tRole        = "aws:iam/role:Role"
	tRolePolicy  = "aws:iam/rolePolicy:RolePolicy"
	tAttach      = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
	tLogGroup    = "aws:cloudwatch/logGroup:LogGroup"
	tTable       = "aws:dynamodb/table:Table"
	tItem        = "aws:dynamodb/tableItem:TableItem"
	tBudget      = "aws:budgets/budget:Budget"
	tLB          = "aws:lb/loadBalancer:LoadBalancer"
	tListener    = "aws:lb/listener:Listener"
	tRule        = "aws:lb/listenerRule:ListenerRule"
	tTG          = "aws:lb/targetGroup:TargetGroup"
	tAPI         = "aws:apigateway/restApi:RestApi"
	tMethod      = "aws:apigateway/method:Method"
	tInteg       = "aws:apigateway/integration:Integration"
	tDeploy      = "aws:apigateway/deployment:Deployment"
	tStage       = "aws:apigateway/stage:Stage"
	tPlan        = "aws:apigateway/usagePlan:UsagePlan"
	tPlanKey     = "aws:apigateway/usagePlanKey:UsagePlanKey"
	tAPIKey      = "aws:apigateway/apiKey:ApiKey"
	tUserPool    = "aws:cognito/userPool:UserPool"
	tUserGroup   = "aws:cognito/userGroup:UserGroup"
	tStream      = "aws:kinesis/stream:Stream"
	tOU          = "aws:organizations/organizationalUnit:OrganizationalUnit"
	tSCP         = "aws:organizations/policy:Policy"
	tSCPAttach   = "aws:organizations/policyAttachment:PolicyAttachment"
	tCostTag     = "aws:costexplorer/costAllocationTag:CostAllocationTag"
	tZone        = "aws:route53/zone:Zone"
	tRecord      = "aws:route53/record:Record"
	tCert        = "aws:acm/certificate:Certificate"
	tCertValid   = "aws:acm/certificateValidation:CertificateValidation"
	tDomainName  = "aws:apigateway/domainName:DomainName"
	tBasePath    = "aws:apigateway/basePathMapping:BasePathMapping"
	tProvider    = "pulumi:providers:aws"
	tStackRef    = "pulumi:pulumi:StackReference"
	tTarget      = "aws:appautoscaling/target:Target"
	tPolicy      = "aws:appautoscaling/policy:Policy"
	tTopic       = "aws:sns/topic:Topic"
	tTopicSub    = "aws:sns/topicSubscription:TopicSubscription"
	tAlarm       = "aws:cloudwatch/metricAlarm:MetricAlarm"
	tDashboard   = "aws:cloudwatch/dashboard:Dashboard"
	tMetricFilt  = "aws:cloudwatch/logMetricFilter:LogMetricFilter"
	tAPIAccount  = "aws:apigateway/account:Account"
	tSampling    = "aws:xray/samplingRule:SamplingRule"
	tKey         = "aws:kms/key:Key"
	tKeyAlias    = "aws:kms/alias:Alias"
	tEndpoint    = "aws:ec2/vpcEndpoint:VpcEndpoint"
	tWebACL      = "aws:wafv2/webAcl:WebAcl"
	tWebACLLink  = "aws:wafv2/webAclAssociation:WebAclAssociation"
	tSubFilter   = "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter"
	tBucket      = "aws:s3/bucketV2:BucketV2"
	tTrail       = "aws:cloudtrail/trail:Trail"
	tFirehose    = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream"
	tBucketPol   = "aws:s3/bucketPolicy:BucketPolicy"
	tFunction    = "aws:lambda/function:Function"
	tPermission  = "aws:lambda/permission:Permission"
	tAuthorizer  = "aws:apigateway/authorizer:Authorizer"
	tAPIRes      = "aws:apigateway/resource:Resource"
	tMethodResp  = "aws:apigateway/methodResponse:MethodResponse"
	tIntegResp   = "aws:apigateway/integrationResponse:IntegrationResponse"
	tClient      = "aws:cognito/userPoolClient:UserPoolClient"
	tPoolDomain  = "aws:cognito/userPoolDomain:UserPoolDomain"
	tBucketBlock = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
)

// groups are every tenant's two groups in the platform's user pool.
var groups = map[string]int{tUserGroup: 2}

// service is what every model that runs a container service registers for
// it: the service and its roles, and its scalable target with a CPU and a
// memory policy.
var service = map[string]int{tLogGroup: 1, tRole: 2, tAttach: 1, tRolePolicy: 1, tTaskDef: 1, tSG: 1, tService: 1, tTarget: 1, tPolicy: 2}

// ownTable is the data of a tenant in table mode; pooled data registers nothing.
var ownTable = map[string]int{tTable: 1}

// registered is the tenant's item in the platform's registry.
var registered = map[string]int{tItem: 1}

// sharedIngress is a tenant's share of the platform's load balancer: its
// target group, its host rule and its alias record.
var sharedIngress = map[string]int{tTG: 1, tRule: 1, tRecord: 1}

// dedicatedIngress is a load balancer of the tenant's own: the ALB, its
// security group, target group, HTTPS and HTTP listeners, the certificate
// with its validation record and validation, the alias record, and its web
// ACL with its association.
var dedicatedIngress = map[string]int{tLB: 1, tSG: 1, tTG: 1, tListener: 2, tCert: 1, tCertValid: 1, tRecord: 2, tWebACL: 1, tWebACLLink: 1}

// vpcOf is a tenant VPC over n zones: public and private subnets, IGW, one NAT
// gateway, two route tables with their default routes and associations; two
// gateway and four interface endpoints with their security group.
func vpcOf(n int) map[string]int {
	return map[string]int{tVpc: 1, tSubnet: 2 * n, tIGW: 1, tEIP: 1, tNAT: 1, tRT: 2, tRoute: 2, tRTA: 2 * n, tEndpoint: 6, tSG: 1}
}

// monitored is a tenant's alarm topic with its owner subscribed, its n
// alarms and their dashboard; an account-model tenant has an on-call topic
// of its own too, the fleet's on-call address subscribed.
func monitored(n int, ownOnCall bool) map[string]int {
	m := map[string]int{tTopic: 1, tTopicSub: 1, tAlarm: n, tDashboard: 1}
	if ownOnCall {
		m[tTopic]++
		m[tTopicSub]++
	}
	return m
}

// siloKey is a siloed tenant's customer-managed key and its alias.
var siloKey = map[string]int{tKey: 1, tKeyAlias: 1}

// archived is the subscription of a log group to the platform's log archive.
var archived = map[string]int{tSubFilter: 1}

// logArchive is the platform's log archive: its bucket with versioning,
// object lock, encryption, lifecycle, public access block, ownership and
// policy, its key and alias, the organization trail, the stream that
// archives log groups with its role and policy, the role CloudWatch Logs
// puts into it with and its policy, and the access log's subscription.
var logArchive = map[string]int{
	tBucket: 1, "aws:s3/bucketVersioningV2:BucketVersioningV2": 1,
	"aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2":                     1,
	"aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2": 1,
	"aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2":                       1,
	"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock":                                     1,
	"aws:s3/bucketOwnershipControls:BucketOwnershipControls":                                     1,
	tBucketPol: 1, tKey: 1, tKeyAlias: 1, tTrail: 1, tFirehose: 1, tRole: 2, tRolePolicy: 2, tSubFilter: 1,
}

// awsConfig is AWS Config in the platform's account: the recorder's role
// (a managed and an inline policy), recorder, delivery channel and status;
// the organization aggregator and its role (a managed policy).
var awsConfig = map[string]int{
	tRole: 2, tAttach: 2, tRolePolicy: 1,
	"aws:cfg/recorder:Recorder": 1, "aws:cfg/deliveryChannel:DeliveryChannel": 1, "aws:cfg/recorderStatus:RecorderStatus": 1,
	"aws:cfg/configurationAggregator:ConfigurationAggregator": 1,
}

// serviceAlarms are the alarms of a tenant that runs a service: 5xx and
// unhealthy hosts of its load balancer, running tasks, CPU and memory; and
// throttles of its own table when it has one.
func serviceAlarms(ownTable bool) int {
	if ownTable {
		return 6
	}
	return 5
}

func merge(ms ...map[string]int) map[string]int {
	out := map[string]int{}
	for _, m := range ms {
		for k, v := range m {
			out[k] += v
		}
	}
	return out
}

func TestResourceTypesAndCounts(t *testing.T) {
	f := samplefleet.Load(t)
	tenantStack := func(component string, ref bool) map[string]int {
		m := map[string]int{tProvider: 1, component: 1}
		if ref {
			m[tStackRef] = 1
		}
		return m
	}
	cases := []struct {
		stack string
		want  map[string]int
	}{
		{"platform", merge(
			map[string]int{tProvider: 1, platform.ComponentType: 1},
			vpcOf(2), // the shared VPC
			map[string]int{tCluster: 1, tSG: 1, tLB: 1, tListener: 2, tTable: 2,
				tAPI: 1, tDeploy: 1, tStage: 1, tPlan: 4,
				// the tenant route /tenants/{tenantId}/{proxy+} behind the
				// Lambda authorizer: its resources, method, mock integration
				// and their responses, the authorizer, its function with its
				// role, role policy and log group, and API Gateway's
				// permission to invoke it
				tAPIRes: 3, tMethod: 1, tInteg: 1, tMethodResp: 1, tIntegResp: 1,
				tAuthorizer: 1, tFunction: 1, tPermission: 1, tLogGroup: 1,
				// the user pool, its app client, domain and system-admin group
				tClient: 1, tPoolDomain: 1, tUserGroup: 1,
				// the zone, the wildcard certificate with its one validation
				// record, the API's custom domain with its alias record
				tZone: 1, tCert: 1, tCertValid: 1, tRecord: 2, tDomainName: 1, tBasePath: 1,
				tUserPool: 1, tStream: 1, tOU: 2, tSCP: 2, tSCPAttach: 2, tCostTag: 1,
				// the pooled service role, the shared data role and the
				// authorizer's role, each with its policy
				tRole: 3, tRolePolicy: 3,
				// shared services: VPC, route table, a subnet and association per
				// zone, TGW, two attachments, a route each way.
				tVpc: 1, tRT: 1, tSubnet: 2, tRTA: 2, tTGW: 1, tTGWAttach: 2, tRoute: 2,
				// the lifecycle's topic and archive bucket
				tTopic: 1, tBucket: 1, tBucketBlock: 1},
			// the on-call topic with its address subscribed; the API's access
			// log, API Gateway's logging role (with its managed policy) and
			// account setting, per-key 4xx and 5xx metric filters, the API's
			// X-Ray sampling rule
			map[string]int{tTopic: 1, tTopicSub: 1, tLogGroup: 1, tRole: 1, tAttach: 1, tAPIAccount: 1, tMetricFilt: 2, tSampling: 1},
			// the platform's key and one per pooled tier (free, standard),
			// each with its alias; the web ACL in front of the shared load
			// balancer and the API's stage
			map[string]int{tKey: 3, tKeyAlias: 3, tWebACL: 1, tWebACLLink: 2},
			logArchive, awsConfig,
			// the account's quota alarms; the root lockdown on the Workload OU
			map[string]int{tAlarm: 2, tSCP: 1, tSCPAttach: 1},
		)},
		// acme-corp: account model over 3 zones, its table in its account;
		// the platform account's provider, the zone of its name and the
		// delegation.
		{"acme-corp", merge(siloKey, tenantStack("tenantctl:models:AccountTenant", true), vpcOf(3), service, ownTable, dedicatedIngress, registered, groups,
			monitored(serviceAlarms(true)+2, true), // and its account's 2 quota alarms
			map[string]int{tCluster: 1, tBudget: 1, tProvider: 1, tZone: 1, tRecord: 1})},
		// initech: vpc model attached to shared services.
		{"initech", merge(siloKey, archived, tenantStack("tenantctl:models:VpcTenant", true), vpcOf(2), service, ownTable, dedicatedIngress, registered, groups,
			monitored(serviceAlarms(true), false),
			map[string]int{tTGWAttach: 1, tRoute: 2})},
		// hooli: subnet model, 2 subnets: 7 NACL rules each way.
		{"hooli", merge(siloKey, archived, tenantStack("tenantctl:models:SubnetTenant", true), service, ownTable, sharedIngress, registered, groups,
			monitored(serviceAlarms(true), false),
			map[string]int{tSubnet: 2, tRTA: 2, tNACL: 1, tNACLRule: 14, tNACLAssoc: 2})},
		// oscorp: subnet model, pooled data: no table of its own.
		{"oscorp", merge(siloKey, archived, tenantStack("tenantctl:models:SubnetTenant", true), service, sharedIngress, registered, groups,
			monitored(serviceAlarms(false), false),
			map[string]int{tSubnet: 2, tRTA: 2, tNACL: 1, tNACLRule: 14, tNACLAssoc: 2})},
		{"soylent", merge(siloKey, archived, tenantStack("tenantctl:models:ContainerTenant", true), service, ownTable, sharedIngress, registered, groups,
			monitored(serviceAlarms(true), false))},
		// wonka: application model on its tier's usage plan, sharing the
		// platform's data role.
		{"wonka", merge(tenantStack("tenantctl:models:ApplicationTenant", true), groups, monitored(2, false), archived,
			map[string]int{tAPIKey: 1, tPlanKey: 1, tItem: 1, tLogGroup: 1})},
		// vandelay: limits of its own, so a usage plan of its own.
		{"vandelay", merge(tenantStack("tenantctl:models:ApplicationTenant", true), groups, monitored(2, false), archived,
			map[string]int{tAPIKey: 1, tPlan: 1, tPlanKey: 1, tItem: 1, tLogGroup: 1})},
		// pied-piper: a data policy, so a data role of its own.
		{"pied-piper", merge(tenantStack("tenantctl:models:ApplicationTenant", true), groups, monitored(2, false), archived,
			map[string]int{tRole: 1, tRolePolicy: 1, tAPIKey: 1, tPlanKey: 1, tItem: 1, tLogGroup: 1})},
	}
	for _, c := range cases {
		t.Run(c.stack, func(t *testing.T) {
			got := countByType(mustRun(t, f, c.stack))
			for typ := range merge(got, c.want) {
				if got[typ] != c.want[typ] {
					t.Errorf("%s: %d, want %d", typ, got[typ], c.want[typ])
				}
			}
		})
	}
}

// pooledTypes are the platform resources whose cost application tenants share.
var pooledTypes = map[string]bool{tTable: true, tAPI: true, tStage: true, tPlan: true, tUserPool: true, tStream: true, tDomainName: true, tSampling: true}

// onPlatformAccount reports whether an account-model tenant's resource is
// written through the platform account's provider: only the delegation of
// its name and its registry item are.
func onPlatformAccount(r *render.Resource) bool {
	return strings.HasSuffix(r.Provider, "-"+models.PlatformProviderSuffix) && (r.Type == tRecord || r.Type == tItem || r.Type == tUserGroup)
}

// TestEveryResourceHasTheProviderAndCostTags walks every resource of every
// stack of the sample fleet: one provider per stack, every AWS resource on it,
// every taggable one with the full cost-allocation tag set (the provider's
// default tags merged with its own).
func TestEveryResourceHasTheProviderAndCostTags(t *testing.T) {
	f := samplefleet.Load(t)
	for _, stack := range render.AllStacks(f) {
		t.Run(stack, func(t *testing.T) {
			res := mustRun(t, f, stack)
			var want map[string]string
			if stack == models.PlatformStack {
				want = spec.PlatformTags(&f.Settings)
			} else {
				want = spec.CostTags(&f.Settings, f.Tenant(stack))
			}
			// One provider; an account-model tenant's stack also has the
			// platform account's, with the same default tags.
			wantProvs := []string{stack}
			if tn := f.Tenant(stack); tn != nil && tn.Model == spec.ModelAccount {
				wantProvs = append(wantProvs, stack+"-"+models.PlatformProviderSuffix)
			}
			var provs []string
			for _, p := range ofType(res, tProvider) {
				provs = append(provs, p.Name)
			}
			sort.Strings(provs)
			if strings.Join(provs, ",") != strings.Join(wantProvs, ",") {
				t.Fatalf("providers %v, want %v", provs, wantProvs)
			}
			checked := 0
			for _, r := range res {
				if !render.Classified(r.Type) {
					t.Errorf("%s %s: type is neither taggable nor untaggable in internal/render; decide", r.Type, r.Name)
				}
				if !strings.HasPrefix(r.Type, "aws:") {
					continue
				}
				if r.Provider != stack && !onPlatformAccount(r) {
					t.Errorf("%s %s: provider %q, want %q", r.Type, r.Name, r.Provider, stack)
				}
				if !render.Taggable(r.Type) {
					continue
				}
				checked++
				for k, v := range want {
					if r.Tags[k] != v {
						t.Errorf("%s %s: tag %s=%q, want %q", r.Type, r.Name, k, r.Tags[k], v)
					}
				}
				if stack == models.PlatformStack && pooledTypes[r.Type] {
					if r.Tags[spec.TagCostPool] != string(spec.ModelApplication) {
						t.Errorf("%s %s: pooled resource without %s=application", r.Type, r.Name, spec.TagCostPool)
					}
				}
			}
			if checked == 0 {
				t.Fatal("no taggable resource checked")
			}
		})
	}
}

func TestPooledPlatformResourcesCarryCostPool(t *testing.T) {
	res := mustRun(t, samplefleet.Load(t), models.PlatformStack)
	var pooled []string
	for _, r := range res {
		if r.Tags[spec.TagCostPool] == string(spec.ModelApplication) {
			pooled = append(pooled, r.Type+" "+r.Name)
		}
	}
	sort.Strings(pooled)
	want := []string{
		tPlan + " platform-plan-enterprise", tPlan + " platform-plan-free", tPlan + " platform-plan-premium", tPlan + " platform-plan-standard",
		tStage + " platform-api-v1", tAPI + " platform-api", tDomainName + " platform-api-domain", tUserPool + " platform-users",
		tTable + " platform-pool", tTable + " platform-registry", tStream + " platform-metering",
		tLogGroup + " platform-api-access", tSampling + " platform-api-sampling",
		tFunction + " platform-authorizer",
	}
	sort.Strings(want)
	if strings.Join(pooled, "\n") != strings.Join(want, "\n") {
		t.Errorf("pooled resources:\n%s\nwant:\n%s", strings.Join(pooled, "\n"), strings.Join(want, "\n"))
	}
}

func providerOf(t *testing.T, res []*render.Resource) resource.PropertyMap {
	t.Helper()
	p := one(t, res, tProvider)
	return p.Raw
}

// providerNamed is the stack's provider of the name.
func providerNamed(t *testing.T, res []*render.Resource, name string) *render.Resource {
	t.Helper()
	for _, p := range ofType(res, tProvider) {
		if p.Name == name {
			return p
		}
	}
	t.Fatalf("no provider %s", name)
	return nil
}

func TestAccountProviderAssumesTheDeployRole(t *testing.T) {
	f := samplefleet.Load(t)
	res := mustRun(t, f, "acme-corp")
	p := providerNamed(t, res, "acme-corp")
	role, ok := p.Inputs["assumeRole"].(map[string]any)
	if !ok {
		t.Fatalf("provider has no assumeRole: %v", p.Inputs)
	}
	if got, want := role["roleArn"], "arn:aws:iam::210987654321:role/TenantctlDeploy"; got != want {
		t.Errorf("roleArn %v, want %v", got, want)
	}
	if got := role["externalId"]; got != render.Secret {
		t.Errorf("externalId %v, want a secret", got)
	}
	if got, want := role["sessionName"], "tenantctl-acme-corp"; got != want {
		t.Errorf("sessionName %v, want %v", got, want)
	}
	if got := fmt.Sprint(p.Inputs["allowedAccountIds"]); got != "[210987654321]" {
		t.Errorf("allowedAccountIds %v", got)
	}
	if got := p.Inputs["region"]; got != "us-east-1" {
		t.Errorf("region %v", got)
	}

	// globex draws its account from the pool: the stack's tenantctl:accountId.
	res = mustRun(t, f, "globex")
	p = providerNamed(t, res, "globex")
	role, _ = p.Inputs["assumeRole"].(map[string]any)
	if got, want := role["roleArn"], "arn:aws:iam::345678901234:role/TenantctlDeploy"; got != want {
		t.Errorf("globex roleArn %v, want %v", got, want)
	}
	if got := p.Inputs["region"]; got != "eu-west-1" {
		t.Errorf("globex region %v", got)
	}
	// The platform account's provider assumes nothing, in the platform's
	// region, with the tenant's default tags.
	pp := providerNamed(t, res, "globex-platform")
	if _, ok := pp.Inputs["assumeRole"]; ok {
		t.Errorf("the platform account's provider assumes a role: %v", pp.Inputs["assumeRole"])
	}
	if _, ok := pp.Inputs["allowedAccountIds"]; ok {
		t.Errorf("the platform account's provider is held to accounts %v", pp.Inputs["allowedAccountIds"])
	}
	if got := pp.Inputs["region"]; got != f.Settings.PlatformRegion {
		t.Errorf("the platform account's provider in %v, want %s", got, f.Settings.PlatformRegion)
	}
	if got, want := fmt.Sprint(pp.Inputs["defaultTags"]), fmt.Sprint(p.Inputs["defaultTags"]); got != want {
		t.Errorf("the platform account's provider default tags %s, want the stack's %s", got, want)
	}

	// Tenants in the SaaS account assume nothing.
	res = mustRun(t, f, "hooli")
	if _, ok := one(t, res, tProvider).Inputs["assumeRole"]; ok {
		t.Error("hooli's provider assumes a role")
	}
}

func TestAccountModelRefusesToRun(t *testing.T) {
	f := samplefleet.Load(t)
	ext := models.ConfigKey(models.ConfigExternalID)
	acct := models.ConfigKey(models.ConfigAccountID)
	cases := []struct {
		name    string
		stack   string
		config  map[string]string
		secrets []string
		want    string
	}{
		{"no external id", "acme-corp", nil, nil, "needs an external id: pulumi config set --secret tenantctl:externalId"},
		{"empty external id", "acme-corp", map[string]string{ext: ""}, []string{ext}, "needs an external id"},
		{"plain-text external id", "acme-corp", map[string]string{ext: "abc"}, nil, "is stored in plain text"},
		{"pool without an assigned account", "globex", map[string]string{ext: "abc"}, []string{ext}, `no account is assigned from pool "enterprise"; run ` + "`tenantctl accounts assign globex`"},
		{"malformed account id", "globex", map[string]string{ext: "abc", acct: "12345"}, []string{ext}, `account id "12345" is not 12 digits`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := run(t, f, c.stack, c.config, c.secrets)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want it to contain %q", err, c.want)
			}
			for _, r := range res {
				if strings.HasPrefix(r.Type, "aws:") {
					t.Errorf("registered %s %s before refusing", r.Type, r.Name)
				}
			}
		})
	}
}

// TestProgramRefusesAFleetNotValidated: the models build on the rules
// validation enforces and do not check them again, so a fleet that did not
// pass validation is refused, with the fix, before any program runs.
func TestProgramRefusesAFleetNotValidated(t *testing.T) {
	loaded := samplefleet.Load(t)
	inMemory := &spec.Fleet{Dir: loaded.Dir, Settings: loaded.Settings, Tenants: loaded.Tenants}
	for name, f := range map[string]*spec.Fleet{"nil": nil, "built in memory": inMemory} {
		for _, stack := range []string{models.PlatformStack, "soylent"} {
			_, err := models.Program(f, stack)
			if !errors.Is(err, models.ErrNotValidated) || !strings.Contains(err.Error(), "load it with spec.LoadDir, which validates it") {
				t.Errorf("%s fleet, stack %s: error %v, want %v", name, stack, err, models.ErrNotValidated)
			}
		}
	}
	if err := spec.Finish(inMemory); err != nil {
		t.Fatal(err)
	}
	if _, err := models.Program(inMemory, "soylent"); err != nil {
		t.Errorf("after spec.Finish: %v", err)
	}
}

func TestUnknownStack(t *testing.T) {
	_, err := models.Program(samplefleet.Load(t), "nobody")
	if err == nil || !strings.Contains(err.Error(), `stack "nobody" is neither "platform" nor a tenant`) {
		t.Fatalf("error %v", err)
	}
}

// naclRule is a registered NACL rule.
type naclRule struct {
	number int
	prefix netip.Prefix
	allow  bool
}

func naclRules(t *testing.T, res []*render.Resource, egress bool) []naclRule {
	t.Helper()
	var rules []naclRule
	for _, r := range ofType(res, tNACLRule) {
		if r.Inputs["egress"] != egress {
			continue
		}
		p, err := netip.ParsePrefix(str(r, "cidrBlock"))
		if err != nil {
			t.Fatalf("%s: %v", r.Name, err)
		}
		n, _ := r.Inputs["ruleNumber"].(int64)
		rules = append(rules, naclRule{number: int(n), prefix: p, allow: str(r, "ruleAction") == "allow"})
	}
	sort.Slice(rules, func(i, j int) bool { return rules[i].number < rules[j].number })
	return rules
}

// verdict evaluates rules the way a NACL does: the lowest-numbered matching
// rule decides; no match is a deny.
func verdict(rules []naclRule, addr netip.Addr) bool {
	for _, r := range rules {
		if r.prefix.Contains(addr) {
			return r.allow
		}
	}
	return false
}

// edges are the first and last addresses of a CIDR.
func edges(t *testing.T, cidr string) []netip.Addr {
	t.Helper()
	p, err := netip.ParsePrefix(cidr)
	if err != nil {
		t.Fatal(err)
	}
	first := p.Addr()
	a := first.As4()
	v := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])
	v |= (1 << (32 - p.Bits())) - 1
	last := netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
	return []netip.Addr{first, last}
}

func TestSubnetNACLAdmitsOwnAndSharedServicesOnly(t *testing.T) {
	f := samplefleet.Load(t)
	s := &f.Settings
	var subnetTenants []*spec.Tenant
	for _, tn := range f.Tenants {
		if tn.Model == spec.ModelSubnet {
			subnetTenants = append(subnetTenants, tn)
		}
	}
	if len(subnetTenants) < 2 {
		t.Fatalf("the sample fleet has %d subnet tenants; the test needs two", len(subnetTenants))
	}
	for _, tn := range subnetTenants {
		t.Run(tn.ID, func(t *testing.T) {
			res := mustRun(t, f, tn.ID)
			for _, egress := range []bool{false, true} {
				rules := naclRules(t, res, egress)
				want := len(tn.Subnets) + s.SharedVPC.AZCount + 3
				if len(rules) != want || len(rules) > s.Limits.NACLRules {
					t.Errorf("egress=%v: %d rules, want %d (and at most %d)", egress, len(rules), want, s.Limits.NACLRules)
				}
				// Its own subnets, shared services, and the platform's public
				// subnets, where the load balancers in front of it live.
				allowed := append(append([]string{}, tn.Subnets...), s.SharedServices.CIDR)
				allowed = append(allowed, s.SharedVPC.PlatformSubnets[:s.SharedVPC.AZCount]...)
				for _, cidr := range allowed {
					for _, a := range edges(t, cidr) {
						if !verdict(rules, a) {
							t.Errorf("egress=%v: %s (own or shared services) is denied", egress, a)
						}
					}
				}
				denied := append([]string{}, s.SharedVPC.PlatformSubnets[s.SharedVPC.AZCount:]...)
				for _, other := range subnetTenants {
					if other != tn {
						denied = append(denied, other.Subnets...)
					}
				}
				for _, cidr := range denied {
					for _, a := range edges(t, cidr) {
						if verdict(rules, a) {
							t.Errorf("egress=%v: %s (another tenant or the platform's private subnets) is allowed", egress, a)
						}
					}
				}
			}
			// Subnets join the shared VPC and its private route table.
			for _, sn := range ofType(res, tSubnet) {
				if str(sn, "vpcId") != "vpc-0shared" {
					t.Errorf("%s in VPC %q", sn.Name, str(sn, "vpcId"))
				}
			}
			for _, a := range ofType(res, tRTA) {
				if str(a, "routeTableId") != "rtb-0sharedprivate" {
					t.Errorf("%s associated with %q", a.Name, str(a, "routeTableId"))
				}
			}
			// The service's security group admits the shared load
			// balancer's group only (TestServicesAdmitOnlyTheirLoadBalancer).
		})
	}
}

// TestSubnetNACLRuleCountIsConstant: a fleet of many subnet tenants gives each
// the same number of rules.
func TestSubnetNACLRuleCountIsConstant(t *testing.T) {
	f := samplefleet.Load(t)
	base := f.Tenant("hooli")
	for i := range 60 {
		tn := *base
		tn.ID = fmt.Sprintf("tenant-%02d", i)
		tn.Subnets = []string{fmt.Sprintf("10.0.%d.0/24", 64+2*i), fmt.Sprintf("10.0.%d.0/24", 65+2*i)}
		f.Tenants = append(f.Tenants, &tn)
	}
	res := mustRun(t, f, "tenant-59")
	if got := len(naclRules(t, res, false)); got != 7 {
		t.Errorf("%d ingress rules in a fleet of 60 subnet tenants, want 7", got)
	}
}

// stringLike is IAM's StringLike: '*' any run of characters, '?' one.
func stringLike(pattern, s string) bool {
	if pattern == "" {
		return s == ""
	}
	switch pattern[0] {
	case '*':
		for i := 0; i <= len(s); i++ {
			if stringLike(pattern[1:], s[i:]) {
				return true
			}
		}
		return false
	case '?':
		return s != "" && stringLike(pattern[1:], s[1:])
	}
	return s != "" && s[0] == pattern[0] && stringLike(pattern[1:], s[1:])
}

func allowsKey(d iampolicy.Document, key string) bool {
	for _, st := range d.Statement {
		cond := st.Condition["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]
		pats, _ := cond.([]any)
		for _, p := range pats {
			if stringLike(p.(string), key) {
				return true
			}
		}
	}
	return false
}

func TestApplicationPolicyAllowsOnlyTheTenantsLeadingKeys(t *testing.T) {
	f := samplefleet.Load(t)
	res := mustRun(t, f, "pied-piper")
	rp := one(t, res, tRolePolicy)
	d, err := iampolicy.Parse(str(rp, "policy"))
	if err != nil {
		t.Fatal(err)
	}
	// Its partition keys, and the one statement of its data policy.
	if len(d.Statement) != 2 || d.Statement[1].Sid != "TenantPolicy0" || fmt.Sprint(d.Statement[1].Resource) != "[arn:aws:s3:::pied-piper-middle-out/*]" {
		t.Fatalf("statements %+v, want the partition keys and the data policy", d.Statement)
	}
	st := d.Statement[0]
	if st.Effect != "Allow" || fmt.Sprint(st.Resource) != fmt.Sprint([]string{poolTableArn, poolTableArn + "/index/*"}) {
		t.Errorf("statement %+v", st)
	}
	if got := fmt.Sprint(st.Condition["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]); got != "[pied-piper pied-piper#*]" {
		t.Errorf("leading keys %s, want [pied-piper pied-piper#*]", got)
	}
	if st.Condition["Null"]["dynamodb:LeadingKeys"] != "false" {
		t.Errorf("the policy does not require a leading key: %v", st.Condition)
	}
	for _, a := range st.Action {
		if a == "dynamodb:Scan" || strings.Contains(a, "*") {
			t.Errorf("action %s allowed", a)
		}
	}
	for key, want := range map[string]bool{
		"pied-piper": true, "pied-piper#2026-11": true, "pied-piper#": true,
		"pied-piperb": false, "pied-piper-corp": false, "wonka": false, "xpied-piper": false, "": false,
	} {
		if got := allowsKey(d, key); got != want {
			t.Errorf("key %q allowed=%v, want %v", key, got, want)
		}
	}
	// A tenant whose id prefixes another's never reaches the other's keys.
	acme := iampolicy.Document{Version: iampolicy.Version, Statement: []iampolicy.Statement{datatable.OwnPartitionKeys(poolTableArn, "acme")}}
	raw, _ := acme.JSON()
	acme, _ = iampolicy.Parse(raw)
	if allowsKey(acme, "acme-corp") || allowsKey(acme, "acme-corp#1") {
		t.Error("tenant acme reaches acme-corp's keys")
	}

	// The role is assumed by the platform's pooled service role, for this
	// tenant only (TestPooledDataRolesTrustOnlyThePooledServiceForTheirTenant);
	// the key joins the tier's plan.
	if got := str(one(t, res, tPlanKey), "usagePlanId"); got != "plan-free" {
		t.Errorf("usage plan %q, want plan-free", got)
	}
	var names []string
	for _, g := range ofType(res, tUserGroup) {
		if got := str(g, "userPoolId"); got != "us-east-1_pool" {
			t.Errorf("user group in pool %q", got)
		}
		names = append(names, str(g, "name"))
	}
	sort.Strings(names)
	if fmt.Sprint(names) != "[pied-piper-admin pied-piper-user]" {
		t.Errorf("groups %v, want pied-piper-user and pied-piper-admin", names)
	}
	item := one(t, res, tItem)
	if str(item, "tableName") != "saas-platform-registry" || !strings.Contains(str(item, "item"), `"tenantId":{"S":"pied-piper"}`) {
		t.Errorf("registry item %v", item.Inputs)
	}
}

func TestContainerServiceSitsBehindTheTenantsTargetGroup(t *testing.T) {
	f := samplefleet.Load(t)
	res := mustRun(t, f, "soylent")
	svc, tg, rule := one(t, res, tService), one(t, res, tTG), one(t, res, tRule)
	if str(svc, "cluster") != clusterArn {
		t.Errorf("service on cluster %q, want the shared %q", str(svc, "cluster"), clusterArn)
	}
	tgArn := "arn:aws:mock:::" + tTG + "/" + tg.Name
	lbs, _ := svc.Inputs["loadBalancers"].([]any)
	if len(lbs) != 1 || lbs[0].(map[string]any)["targetGroupArn"] != tgArn {
		t.Errorf("service load balancers %v, want target group %s", lbs, tgArn)
	}
	if svc.Inputs["propagateTags"] != "SERVICE" || svc.Inputs["enableEcsManagedTags"] != true {
		t.Errorf("service tags settings %v %v", svc.Inputs["propagateTags"], svc.Inputs["enableEcsManagedTags"])
	}
	net := svc.Inputs["networkConfiguration"].(map[string]any)
	if fmt.Sprint(net["subnets"]) != "[subnet-0p0 subnet-0p1]" || net["assignPublicIp"] != false {
		t.Errorf("network configuration %v", net)
	}
	if n := len(str(tg, "name")); n > naming.MaxTargetGroup {
		t.Errorf("target group name %q is %d characters", str(tg, "name"), n)
	}
	if str(tg, "vpcId") != "vpc-0shared" || str(tg, "targetType") != "ip" {
		t.Errorf("target group %v", tg.Inputs)
	}
	if str(rule, "listenerArn") != listenerArns[0] || rule.Inputs["priority"] != int64(10) {
		t.Errorf("rule on %q at %v", str(rule, "listenerArn"), rule.Inputs["priority"])
	}
	if got := fmt.Sprint(rule.Inputs["conditions"]); got != "[map[hostHeader:map[values:[soylent.app.example.com]]]]" {
		t.Errorf("conditions %s", got)
	}
	if got := fmt.Sprint(rule.Inputs["actions"]); got != fmt.Sprintf("[map[targetGroupArn:%s type:forward]]", tgArn) {
		t.Errorf("actions %s", got)
	}
	// The security group admits only the load balancer's group.
	sg := one(t, res, tSG)
	ingress := sg.Inputs["ingress"].([]any)
	if len(ingress) != 1 {
		t.Fatalf("ingress %v", ingress)
	}
	in := ingress[0].(map[string]any)
	if fmt.Sprint(in["securityGroups"]) != "["+lbSG+"]" || in["cidrBlocks"] != nil {
		t.Errorf("ingress %v, want only %s", in, lbSG)
	}
}

// TestTenantNamesAreTheOnesValidationChecks: every IAM role of a tenant stack
// is <prefix>-<id>-<suffix> for one of naming.RoleSuffixes, which spec proves
// within IAM's limit for any valid id, and a container tenant's target group
// is spec.TargetGroupName, whose length validation checks. A role or target
// group named any other way would escape those checks.
func TestTenantNamesAreTheOnesValidationChecks(t *testing.T) {
	f := samplefleet.Load(t)
	roles, groups := 0, 0
	for _, tn := range f.Tenants {
		allowed := map[string]bool{}
		for _, suffix := range naming.RoleSuffixes() {
			allowed[naming.Join(f.Settings.NamePrefix, tn.ID, suffix)] = true
		}
		res := mustRun(t, f, tn.ID)
		for _, r := range ofType(res, tRole) {
			roles++
			if name := str(r, "name"); !allowed[name] {
				t.Errorf("%s: role %q is not <prefix>-<id>-<suffix> with a suffix of naming.RoleSuffixes %v", tn.ID, name, naming.RoleSuffixes())
			}
		}
		for _, r := range ofType(res, tTG) {
			groups++
			if got, want := str(r, "name"), spec.TargetGroupName(&f.Settings, tn); got != want {
				t.Errorf("%s: target group %q, validation checks %q", tn.ID, got, want)
			}
		}
	}
	if roles == 0 || groups == 0 {
		t.Fatalf("%d roles and %d target groups checked", roles, groups)
	}
}

func TestContainerListenerFollowsThePriority(t *testing.T) {
	f := samplefleet.Load(t)
	tn := f.Tenant("tyrell")
	tn.Service.ListenerPriority = 150 // the second listener with 100 rules each
	res := mustRun(t, f, "tyrell")
	if got := str(one(t, res, tRule), "listenerArn"); got != listenerArns[1] {
		t.Errorf("priority 150 on %q, want the second listener", got)
	}
	if got := platform.ListenerCount(f); got != 2 {
		t.Errorf("platform listeners %d, want 2", got)
	}
	if got := countByType(mustRun(t, f, models.PlatformStack))[tListener]; got != 4 {
		t.Errorf("platform registers %d listeners, want 2 HTTPS and 2 HTTP", got)
	}
}

// TestNoPolicyAllowsEverything: no IAM or SCP statement of any stack allows
// every action on every resource.
func TestNoPolicyAllowsEverything(t *testing.T) {
	f := samplefleet.Load(t)
	docs := 0
	for _, stack := range render.AllStacks(f) {
		for _, r := range mustRun(t, f, stack) {
			var text string
			switch r.Type {
			case tRole:
				text = str(r, "assumeRolePolicy")
			case tRolePolicy:
				text = str(r, "policy")
			case tSCP:
				text = str(r, "content")
			default:
				continue
			}
			d, err := iampolicy.Parse(text)
			if err != nil {
				t.Fatalf("%s %s: %v", stack, r.Name, err)
			}
			docs++
			for _, st := range d.Statement {
				if st.Effect != "Allow" {
					continue
				}
				for _, a := range st.Action {
					if a != "*" && !strings.HasSuffix(a, ":*") {
						continue
					}
					for _, res := range st.Resource {
						if res == "*" {
							t.Errorf("%s %s: allows %s on *", stack, r.Name, a)
						}
					}
				}
			}
		}
	}
	if docs < 20 {
		t.Fatalf("only %d policy documents checked", docs)
	}
}

// scpOf returns the platform's SCP named name (workload, suspended), read
// back, and checks it is attached to its OU, which carries the fleet's name.
func scpOf(t *testing.T, res []*render.Resource, key, ouName string) iampolicy.Document {
	t.Helper()
	var scp, ou, attach *render.Resource
	for _, r := range res {
		switch {
		case r.Type == tSCP && r.Name == "platform-scp-"+key:
			scp = r
		case r.Type == tOU && r.Name == "platform-ou-"+key:
			ou = r
		case r.Type == tSCPAttach && r.Name == "platform-scp-"+key:
			attach = r
		}
	}
	if scp == nil || ou == nil || attach == nil {
		t.Fatalf("%s: policy %v, OU %v, attachment %v", key, scp != nil, ou != nil, attach != nil)
	}
	if str(ou, "name") != ouName || str(ou, "parentId") != "r-mock" {
		t.Errorf("%s OU: name %q under %q, want %q under the root", key, str(ou, "name"), str(ou, "parentId"), ouName)
	}
	if str(scp, "type") != "SERVICE_CONTROL_POLICY" {
		t.Errorf("%s policy type %q", key, str(scp, "type"))
	}
	if str(attach, "policyId") != scp.Name+"-id" || str(attach, "targetId") != ou.Name+"-id" {
		t.Errorf("%s attachment: policy %q on %q, want %s-id on %s-id", key, str(attach, "policyId"), str(attach, "targetId"), scp.Name, ou.Name)
	}
	if n := len(str(scp, "content")); n > platform.MaxSCPSize {
		t.Errorf("%s SCP is %d characters, more than %d", key, n, platform.MaxSCPSize)
	}
	d, err := iampolicy.Parse(str(scp, "content"))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// statementsJSON prints statements for an exact comparison.
func statementsJSON(t *testing.T, sts []iampolicy.Statement) string {
	t.Helper()
	text, err := iampolicy.Document{Version: iampolicy.Version, Statement: sts}.JSON()
	if err != nil {
		t.Fatal(err)
	}
	return text
}

// guardRails are the statements both OUs' SCPs start with, in partition p.
func guardRails(p string) []iampolicy.Statement {
	access := "arn:" + p + ":iam::*:role/OrganizationAccountAccessRole"
	roleActions := []string{
		"iam:DeleteRole", "iam:UpdateAssumeRolePolicy", "iam:AttachRolePolicy", "iam:DetachRolePolicy",
		"iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:UpdateRole",
		"iam:PutRolePermissionsBoundary", "iam:DeleteRolePermissionsBoundary",
	}
	exceptAccess := map[string]map[string]any{"ArnNotLike": {"aws:PrincipalARN": access}}
	return []iampolicy.Statement{
		{Sid: "StayInOrganization", Effect: "Deny", Action: []string{"organizations:LeaveOrganization"}, Resource: []string{"*"}},
		{Sid: "KeepAuditTrail", Effect: "Deny", Action: []string{"cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "cloudtrail:UpdateTrail"}, Resource: []string{"*"}},
		{Sid: "ProtectDeployRole", Effect: "Deny", Action: roleActions, Resource: []string{"arn:" + p + ":iam::*:role/TenantctlDeploy"}, Condition: exceptAccess},
		{Sid: "ProtectAccessRole", Effect: "Deny", Action: roleActions, Resource: []string{access}, Condition: exceptAccess},
	}
}

// TestOrganizationSCPs: the Workload OU gets the guard rails; the Suspended OU
// the guard rails and the quarantine (read only for everyone but the access
// and deploy roles; read and clean up for the deploy role), statement for
// statement, each attached to its OU.
func TestOrganizationSCPs(t *testing.T) {
	f := samplefleet.Load(t)
	res := mustRun(t, f, models.PlatformStack)
	workload := scpOf(t, res, "workload", f.Settings.Organization.WorkloadOU)
	if got, want := statementsJSON(t, workload.Statement), statementsJSON(t, guardRails("aws")); got != want {
		t.Errorf("workload SCP\n got %s\nwant %s", got, want)
	}
	suspended := scpOf(t, res, "suspended", f.Settings.Organization.SuspendedOU)
	read := []string{
		"acm:Describe*", "acm:List*",
		"application-autoscaling:Describe*", "application-autoscaling:List*",
		"budgets:Describe*", "budgets:View*",
		"cloudtrail:Describe*", "cloudtrail:Get*", "cloudtrail:List*", "cloudtrail:LookupEvents",
		"cloudwatch:Describe*", "cloudwatch:Get*", "cloudwatch:List*",
		"config:Describe*", "config:Get*", "config:List*",
		"dynamodb:Describe*", "dynamodb:Get*", "dynamodb:List*",
		"ec2:Describe*", "ec2:Get*",
		"ecs:Describe*", "ecs:List*",
		"elasticloadbalancing:Describe*",
		"iam:Get*", "iam:List*",
		"kms:Describe*", "kms:Get*", "kms:List*",
		"logs:Describe*", "logs:FilterLogEvents", "logs:Get*", "logs:List*",
		"organizations:Describe*", "organizations:List*",
		"route53:Get*", "route53:List*",
		"s3:Get*", "s3:List*",
		"sns:Get*", "sns:List*",
		"sts:GetCallerIdentity",
		"tag:Get*",
		"wafv2:Get*", "wafv2:List*",
	}
	cleanup := []string{
		"acm:DeleteCertificate",
		"application-autoscaling:Delete*", "application-autoscaling:Deregister*",
		"budgets:ModifyBudget",
		"cloudwatch:DeleteAlarms", "cloudwatch:DeleteDashboards",
		"dynamodb:Delete*", "dynamodb:Untag*",
		"ec2:Delete*", "ec2:Deregister*", "ec2:Detach*", "ec2:Disassociate*", "ec2:Release*", "ec2:Revoke*", "ec2:Terminate*",
		"ecs:Delete*", "ecs:Deregister*", "ecs:Untag*", "ecs:UpdateService",
		"elasticloadbalancing:Delete*", "elasticloadbalancing:SetWebAcl",
		"iam:Delete*", "iam:Detach*", "iam:Remove*", "iam:Untag*",
		"kms:DeleteAlias", "kms:ScheduleKeyDeletion",
		"logs:Delete*", "logs:Disassociate*", "logs:Untag*",
		"route53:ChangeResourceRecordSets", "route53:DeleteHostedZone",
		"sns:DeleteTopic", "sns:Unsubscribe",
		"wafv2:DeleteWebACL", "wafv2:DisassociateWebACL",
	}
	access, deploy := "arn:aws:iam::*:role/OrganizationAccountAccessRole", "arn:aws:iam::*:role/TenantctlDeploy"
	want := append(guardRails("aws"),
		iampolicy.Statement{Sid: "QuarantineReadOnly", Effect: "Deny", NotAction: read, Resource: []string{"*"},
			Condition: map[string]map[string]any{"ArnNotLike": {"aws:PrincipalARN": []string{access, deploy}}}},
		iampolicy.Statement{Sid: "QuarantineDeployRoleCleansUp", Effect: "Deny", NotAction: append(append([]string{}, read...), cleanup...), Resource: []string{"*"},
			Condition: map[string]map[string]any{"ArnNotLike": {"aws:PrincipalARN": access}}},
	)
	if got, want := statementsJSON(t, suspended.Statement), statementsJSON(t, want); got != want {
		t.Errorf("suspended SCP\n got %s\nwant %s", got, want)
	}
	for _, a := range append(append([]string{}, read...), cleanup...) {
		verb := a[strings.Index(a, ":")+1:]
		for _, writes := range []string{"Create", "Put", "Run", "Start", "Attach", "Tag", "Update"} {
			if strings.HasPrefix(verb, writes) && a != "ecs:UpdateService" {
				t.Errorf("the quarantine lets %s through", a)
			}
		}
	}
}

// TestPlatformARNsFollowThePartition: a fleet in China or GovCloud gets ARNs
// of its partition in the SCPs and the platform's role policies.
func TestPlatformARNsFollowThePartition(t *testing.T) {
	for region, partition := range map[string]string{"cn-north-1": "aws-cn", "us-gov-west-1": "aws-us-gov", "us-east-1": "aws"} {
		t.Run(region, func(t *testing.T) {
			f := samplefleet.Load(t)
			f.Settings.PlatformRegion = region
			// Tenants pinned to us-east-1 now disagree; the region itself must pass.
			if err := spec.Validate(f); err != nil && strings.Contains(err.Error(), "platformRegion") {
				t.Fatalf("the spec refuses platformRegion %s: %v", region, err)
			}
			res := mustRun(t, f, models.PlatformStack)
			var texts []string
			for _, r := range res {
				switch r.Type {
				case tSCP:
					texts = append(texts, str(r, "content"))
				case tRolePolicy:
					// The baseline's role policies name the mocks' ARNs of the
					// resources they reach; their partitions are checked with
					// the baseline (TestBaselineARNsFollowThePartition).
					if r.Name == "platform-pooled-service" || r.Name == "platform-data" || r.Name == "platform-authorizer" {
						texts = append(texts, str(r, "policy"))
					}
				}
			}
			if len(texts) != 6 {
				t.Fatalf("%d policies, want 3 SCPs (the guard rails, the quarantine, the root lockdown) and the policies of the pooled service, the data role and the authorizer", len(texts))
			}
			for _, text := range texts {
				if !strings.Contains(text, "arn:") {
					t.Errorf("no ARN in %s", text)
				}
				for _, m := range regexpARN.FindAllStringSubmatch(text, -1) {
					if m[1] != partition {
						t.Errorf("ARN partition %s, want %s: %s", m[1], partition, text)
					}
				}
			}
			guard := statementsJSON(t, guardRails(partition))
			guard = guard[strings.Index(guard, `"Statement":[`)+len(`"Statement":[`) : len(guard)-2]
			if w := scpOf(t, res, "workload", f.Settings.Organization.WorkloadOU); !strings.Contains(statementsJSON(t, w.Statement), guard) {
				t.Errorf("workload SCP in %s lacks the %s guard rails", region, partition)
			}
		})
	}
}

var regexpARN = regexp.MustCompile(`arn:([^:"]*):`)

// TestPooledDataRolesTrustOnlyThePooledServiceForTheirTenant: an application
// tenant without a data policy has no role of its own (it shares the
// platform's); one with a data policy has a data role that trusts the
// platform's pooled service role and nothing else, only with the session tag
// TenantId=<its id>; no trust policy of any stack of the sample fleet names an
// account root.
func TestPooledDataRolesTrustOnlyThePooledServiceForTheirTenant(t *testing.T) {
	f := samplefleet.Load(t)
	apps, shared := 0, 0
	for _, stack := range render.AllStacks(f) {
		res := mustRun(t, f, stack)
		for _, r := range ofType(res, tRole) {
			if text := str(r, "assumeRolePolicy"); strings.Contains(text, ":root") {
				t.Errorf("%s %s trusts an account root: %s", stack, r.Name, text)
			}
		}
		tn := f.Tenant(stack)
		if tn == nil || tn.Model != spec.ModelApplication {
			continue
		}
		if tn.Data.Policy == nil {
			shared++
			if roles := ofType(res, tRole); len(roles) != 0 {
				t.Errorf("%s has %d roles of its own, want none: it shares the platform's data role", stack, len(roles))
			}
			if item := str(one(t, res, tItem), "item"); !strings.Contains(item, `"dataRoleArn":{"S":"`+dataRoleArn+`"}`) {
				t.Errorf("%s registry item %s, want the shared data role", stack, item)
			}
			continue
		}
		apps++
		role := one(t, res, tRole)
		if got, want := str(role, "name"), "saas-"+tn.ID+"-data"; got != want || len(got) > naming.MaxIAMRole {
			t.Errorf("%s data role %q, want %q", stack, got, want)
		}
		trust, err := iampolicy.Parse(str(role, "assumeRolePolicy"))
		if err != nil {
			t.Fatal(err)
		}
		want := iampolicy.Document{Version: iampolicy.Version, Statement: []iampolicy.Statement{{
			Sid:       "PooledServiceForThisTenant",
			Effect:    "Allow",
			Principal: map[string]any{"AWS": []any{pooledRoleArn}},
			Action:    []string{"sts:AssumeRole", "sts:TagSession"},
			Condition: map[string]map[string]any{
				"StringEquals":              {"aws:RequestTag/TenantId": tn.ID},
				"ForAllValues:StringEquals": {"aws:TagKeys": []any{"TenantId"}},
			},
		}}}
		if got, w := fmt.Sprintf("%#v", trust), fmt.Sprintf("%#v", want); got != w {
			t.Errorf("%s trust\n got %s\nwant %s", stack, got, w)
		}
	}
	if apps < 1 || shared < 2 {
		t.Fatalf("%d application tenants with a data policy and %d without in the sample fleet", apps, shared)
	}

	// The platform's pooled service role: run by the back end's tasks and
	// functions, allowed to assume the data roles only.
	res := mustRun(t, f, models.PlatformStack)
	var svc *render.Resource
	for _, r := range ofType(res, tRole) {
		if r.Name == "platform-pooled-service" {
			svc = r
		}
	}
	if svc == nil {
		t.Fatal("the platform has no pooled service role")
	}
	if got := str(svc, "name"); got != "saas-platform-pooled-service" {
		t.Errorf("pooled service role name %q", got)
	}
	trust, _ := iampolicy.Parse(str(svc, "assumeRolePolicy"))
	if len(trust.Statement) != 1 || fmt.Sprint(trust.Statement[0].Principal) != "map[Service:[ecs-tasks.amazonaws.com lambda.amazonaws.com]]" ||
		fmt.Sprint(trust.Statement[0].Action) != "[sts:AssumeRole]" {
		t.Errorf("pooled service trust %+v", trust)
	}
	// It may assume the shared data role and the own data roles of the
	// tenants with a data policy, each only with a TenantId session tag.
	pol, _ := iampolicy.Parse(str(named(t, res, tRolePolicy, "platform-pooled-service"), "policy"))
	if len(pol.Statement) != 1 || fmt.Sprint(pol.Statement[0].Action) != "[sts:AssumeRole sts:TagSession]" ||
		fmt.Sprint(pol.Statement[0].Resource) != "[arn:aws:iam::111111111111:role/saas-platform-data arn:aws:iam::111111111111:role/saas-pied-piper-data]" ||
		fmt.Sprint(pol.Statement[0].Condition) != "map[Null:map[aws:RequestTag/TenantId:false]]" {
		t.Errorf("pooled service policy %+v", pol)
	}
}

// destroyCalls are the calls destroying a resource of each type makes (the
// provider's delete and the reads around it), as the AWS provider does them.
var destroyCalls = map[string][]string{
	tVpc:        {"ec2:DeleteVpc", "ec2:DescribeVpcs"},
	tSubnet:     {"ec2:DeleteSubnet", "ec2:DescribeSubnets", "ec2:DescribeNetworkInterfaces"},
	tIGW:        {"ec2:DetachInternetGateway", "ec2:DeleteInternetGateway", "ec2:DescribeInternetGateways"},
	tEIP:        {"ec2:DisassociateAddress", "ec2:ReleaseAddress", "ec2:DescribeAddresses"},
	tNAT:        {"ec2:DeleteNatGateway", "ec2:DescribeNatGateways"},
	tRT:         {"ec2:DeleteRouteTable", "ec2:DescribeRouteTables"},
	tRoute:      {"ec2:DeleteRoute", "ec2:DescribeRouteTables"},
	tRTA:        {"ec2:DisassociateRouteTable"},
	tSG:         {"ec2:RevokeSecurityGroupIngress", "ec2:RevokeSecurityGroupEgress", "ec2:DeleteSecurityGroup", "ec2:DescribeSecurityGroups", "ec2:DescribeNetworkInterfaces"},
	tCluster:    {"ecs:DeleteCluster", "ecs:DescribeClusters"},
	tService:    {"ecs:DescribeServices", "ecs:UpdateService", "ecs:DeleteService"},
	tTaskDef:    {"ecs:DeregisterTaskDefinition", "ecs:DescribeTaskDefinition"},
	tRole:       {"iam:GetRole", "iam:ListAttachedRolePolicies", "iam:ListRolePolicies", "iam:ListInstanceProfilesForRole", "iam:DetachRolePolicy", "iam:DeleteRolePolicy", "iam:DeleteRole"},
	tRolePolicy: {"iam:DeleteRolePolicy", "iam:GetRolePolicy"},
	tAttach:     {"iam:DetachRolePolicy", "iam:ListAttachedRolePolicies"},
	tLogGroup:   {"logs:DeleteLogGroup", "logs:DescribeLogGroups"},
	tTable:      {"dynamodb:DeleteTable", "dynamodb:DescribeTable"},
	tBudget:     {"budgets:ModifyBudget", "budgets:ViewBudget"}, // DeleteBudget is authorized as ModifyBudget
	tLB:         {"elasticloadbalancing:DeleteLoadBalancer", "elasticloadbalancing:DescribeLoadBalancers"},
	tListener:   {"elasticloadbalancing:DeleteListener", "elasticloadbalancing:DescribeListeners"},
	tTG:         {"elasticloadbalancing:DeleteTargetGroup", "elasticloadbalancing:DescribeTargetGroups"},
	tCert:       {"acm:DeleteCertificate", "acm:DescribeCertificate"},
	tCertValid:  {}, // removed from the state only
	tZone:       {"route53:DeleteHostedZone", "route53:GetHostedZone", "route53:ListResourceRecordSets"},
	tRecord:     {"route53:ChangeResourceRecordSets", "route53:GetChange", "route53:ListResourceRecordSets"},
	tTarget:     {"application-autoscaling:DeregisterScalableTarget", "application-autoscaling:DescribeScalableTargets"},
	tPolicy:     {"application-autoscaling:DeleteScalingPolicy", "application-autoscaling:DescribeScalingPolicies"},
	tProvider:   {"sts:GetCallerIdentity"},
	tAlarm:      {"cloudwatch:DeleteAlarms", "cloudwatch:DescribeAlarms"},
	tDashboard:  {"cloudwatch:DeleteDashboards", "cloudwatch:GetDashboard"},
	tTopic:      {"sns:DeleteTopic", "sns:GetTopicAttributes", "sns:ListTagsForResource"},
	tTopicSub:   {"sns:Unsubscribe", "sns:GetSubscriptionAttributes"},
	tKey:        {"kms:ScheduleKeyDeletion", "kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags"},
	tKeyAlias:   {"kms:DeleteAlias", "kms:ListAliases"},
	tEndpoint:   {"ec2:DeleteVpcEndpoints", "ec2:DescribeVpcEndpoints", "ec2:DescribePrefixLists"},
	tWebACL:     {"wafv2:DeleteWebACL", "wafv2:GetWebACL", "wafv2:ListTagsForResource"},
	tWebACLLink: {"wafv2:DisassociateWebACL", "wafv2:GetWebACLForResource", "elasticloadbalancing:SetWebAcl"},
}

// TestSuspendedAccountsCanBeDestroyed: the Suspended OU's quarantine lets the
// deploy role destroy every resource an account-model tenant's stack holds,
// and nothing a tenant principal tries beyond reading. A resource type added
// to the account model without its destroy calls here fails the test.
func TestSuspendedAccountsCanBeDestroyed(t *testing.T) {
	f := samplefleet.Load(t)
	o := f.Settings.Organization
	scp := scpOf(t, mustRun(t, f, models.PlatformStack), "suspended", o.SuspendedOU)
	acct := "345678901234"
	deploy := "arn:aws:iam::" + acct + ":role/" + o.DeployRoleName
	tenantRole := "arn:aws:iam::" + acct + ":role/saas-acme-corp-task"
	seen := 0
	for _, r := range mustRun(t, f, "acme-corp") {
		// What the stack writes into the platform's account is no concern
		// of the tenant account's quarantine.
		if !r.Custom || r.Type == tStackRef || onPlatformAccount(r) || r.Name == "acme-corp-"+models.PlatformProviderSuffix {
			continue
		}
		calls, ok := destroyCalls[r.Type]
		if !ok {
			t.Errorf("acme-corp holds a %s: add what destroying it calls to destroyCalls, and to the quarantine's cleanup if need be", r.Type)
			continue
		}
		seen++
		for _, action := range calls {
			resource := "*"
			if strings.HasPrefix(action, "iam:") {
				resource = tenantRole
			}
			if sid := scpeval.DeniedBy(t, scp, scpeval.Request{Principal: deploy, Action: action, Resource: resource}); sid != "" {
				t.Errorf("destroying %s %s: %s denied to the deploy role by %s", r.Type, r.Name, action, sid)
			}
			if !isRead(action) {
				if sid := scpeval.DeniedBy(t, scp, scpeval.Request{Principal: tenantRole, Action: action, Resource: resource}); sid == "" {
					t.Errorf("a tenant principal may %s in a suspended account", action)
				}
			}
		}
	}
	if seen < 20 {
		t.Fatalf("only %d resources of acme-corp checked", seen)
	}
}

func isRead(action string) bool {
	verb := action[strings.Index(action, ":")+1:]
	return strings.HasPrefix(verb, "Describe") || strings.HasPrefix(verb, "Get") || strings.HasPrefix(verb, "List") || strings.HasPrefix(verb, "View")
}
