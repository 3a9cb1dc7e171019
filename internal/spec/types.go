// Package spec holds the tenant and fleet schema of tenantctl: the Go types of
// tenants/<id>.yaml and tenants/fleet.yaml, their strict loading, defaults from
// the tiers, and validation of each file and of the fleet as a whole.
//
// It knows nothing of Pulumi or the AWS SDKs: every other room reads a *Fleet.
package spec

// IsolationModel is how a tenant is separated from the others.
type IsolationModel string

// The five isolation models, from the most to the least isolated.
const (
	// ModelAccount gives the tenant a dedicated AWS account (a full silo).
	ModelAccount IsolationModel = "account"
	// ModelVPC gives the tenant its own VPC in the SaaS account.
	ModelVPC IsolationModel = "vpc"
	// ModelSubnet gives the tenant subnets and a NACL inside the platform's shared VPC.
	ModelSubnet IsolationModel = "subnet"
	// ModelContainer runs the tenant's service on the platform's shared ECS cluster.
	ModelContainer IsolationModel = "container"
	// ModelApplication pools the tenant: shared tables keyed by tenant, tenant-scoped IAM.
	ModelApplication IsolationModel = "application"
)

// Models lists every isolation model, most isolated first.
var Models = []IsolationModel{ModelAccount, ModelVPC, ModelSubnet, ModelContainer, ModelApplication}

// Siloed reports whether the model gives the tenant resources of its own (as
// opposed to a share of pooled resources); chargeback measures siloed tenants by
// tag or account and pooled ones by metered usage.
func (m IsolationModel) Siloed() bool { return m != ModelApplication }

// RunsService reports whether the model runs a container service for the tenant
// (and so needs the tenant's `service` block).
func (m IsolationModel) RunsService() bool {
	return m == ModelAccount || m == ModelVPC || m == ModelSubnet || m == ModelContainer
}

// Status is where a tenant stands in its life.
type Status string

// Tenant statuses.
const (
	StatusOnboarding Status = "onboarding"
	StatusActive     Status = "active"
	StatusSuspended  Status = "suspended"
)

// DataMode is where a tenant's data lives.
type DataMode string

// Data modes.
const (
	// DataPooled keeps the tenant's items in the platform's shared table, keyed
	// by tenant id (the pooled data of the application model).
	DataPooled DataMode = "pooled"
	// DataTable gives the tenant a table of its own (in its own account for the
	// account model).
	DataTable DataMode = "table"
)

// DataModes lists every data mode.
var DataModes = []DataMode{DataPooled, DataTable}

// Ingress is how a subnet-model tenant's service is reached.
type Ingress string

// Ingress kinds.
const (
	// IngressShared puts the service behind the platform's shared load
	// balancer, with a host rule at the tenant's listener priority.
	IngressShared Ingress = "shared"
	// IngressDedicated gives the tenant a load balancer of its own.
	IngressDedicated Ingress = "dedicated"
)

// Ingresses lists every ingress kind.
var Ingresses = []Ingress{IngressShared, IngressDedicated}

// Tenant is one tenants/<id>.yaml file.
type Tenant struct {
	// Id is the tenant's DNS-label id (lowercase letters, digits and '-', at most 40
	// characters); it must equal the file name without .yaml and never changes.
	ID string `yaml:"id" json:"id"`
	// Name is the tenant's display name.
	Name string `yaml:"name" json:"name"`
	// Tier is the name of a tier in fleet.yaml; it sets defaults and the allowed models.
	Tier string `yaml:"tier" json:"tier"`
	// Model is the isolation model; the tier's default model when left out.
	Model IsolationModel `yaml:"model,omitempty" json:"model,omitempty"`
	// Status is onboarding, active or suspended; active when left out.
	Status Status `yaml:"status,omitempty" json:"status,omitempty"`
	// Region is the AWS region of the tenant's resources; the platform region when left out.
	Region string `yaml:"region,omitempty" json:"region,omitempty"`
	// CostCenter is copied into the CostCenter cost-allocation tag.
	CostCenter string `yaml:"costCenter" json:"costCenter"`
	// Owner is the e-mail address of the person or team that answers for the tenant.
	Owner string `yaml:"owner" json:"owner"`
	// Labels select tenants in rollouts (--label k=v); they are not AWS tags.
	Labels map[string]string `yaml:"labels,omitempty" json:"labels,omitempty"`
	// Tags are extra AWS tags put on every resource of the tenant.
	Tags map[string]string `yaml:"tags,omitempty" json:"tags,omitempty"`
	// Release pins the tenant to a release; a rollout of another release skips it.
	Release string `yaml:"release,omitempty" json:"release,omitempty"`
	// DomainName is the tenant's own name under the fleet's domain, one label
	// deep (e.g. shop.app.example.com, so the platform's wildcard certificate
	// covers it); <id>.<domain> when left out. Application-model tenants are
	// reached at api.<domain> and take none.
	DomainName string `yaml:"domainName,omitempty" json:"domainName,omitempty"`
	// Data is where the tenant's data lives; the tier's when left out (if the
	// model can honour it), else the model's own: pooled for the application
	// model, a table of its own for every other.
	Data *DataSpec `yaml:"data,omitempty" json:"data,omitempty"`

	// Account says which AWS account an account-model tenant lives in.
	Account *AccountSpec `yaml:"account,omitempty" json:"account,omitempty"`
	// Network is the tenant's own VPC (account and vpc models).
	Network *NetworkSpec `yaml:"network,omitempty" json:"network,omitempty"`
	// Subnets are the tenant's subnet CIDRs inside the shared VPC (subnet model), one per AZ.
	Subnets []string `yaml:"subnets,omitempty" json:"subnets,omitempty"`
	// Service is the tenant's container service (every model but application).
	Service *ServiceSpec `yaml:"service,omitempty" json:"service,omitempty"`
	// Limits are the API throttling and quota of a pooled tenant (application model);
	// the tier's when left out.
	Limits *LimitsSpec `yaml:"limits,omitempty" json:"limits,omitempty"`
	// Migration marks a model change in flight (`tenantctl migrate`): the
	// model the tenant leaves and the one it moves to, which must be its
	// model. An active tenant changes model only with it; while it is set the
	// tenant's stack keeps a table of the tenant's own, so no data is deleted
	// before it is copied. The migration removes it when it is done.
	Migration *MigrationSpec `yaml:"migration,omitempty" json:"migration,omitempty"`

	// Source is where the tenant was read from; not part of the file.
	Source Source `yaml:"-" json:"-"`
}

// DataSpec is where a tenant's data lives.
type DataSpec struct {
	// Mode is pooled (items keyed by tenant in the platform's shared table) or
	// table (a table of the tenant's own, with point-in-time recovery and
	// encryption); the tier's when left out. The application model honours
	// only pooled, the account model only table.
	Mode DataMode `yaml:"mode,omitempty" json:"mode,omitempty"`
	// Policy gives an application-model tenant a data role of its own that
	// holds these statements (Allow) beside its partition keys of the pooled
	// table, for data the shared role does not reach (a bucket of its own,
	// say); without it the tenant shares the platform's data role. At most
	// 10 statements; never IAM, STS, Organizations or Account actions, a
	// bare "*" action or a "*" resource. Tiers give none.
	Policy []PolicyStatement `yaml:"policy,omitempty" json:"policy,omitempty"`
}

// PolicyStatement is one statement of a tenant's data policy: the actions it
// allows on the resources.
type PolicyStatement struct {
	// Actions are IAM actions, service:Action (a * in the name is allowed,
	// e.g. s3:Get*).
	Actions []string `yaml:"actions" json:"actions"`
	// Resources are the ARNs the actions apply to (a * in the ARN is allowed).
	Resources []string `yaml:"resources" json:"resources"`
}

// MigrationSpec is a model change in flight.
type MigrationSpec struct {
	// From is the model the tenant leaves (its model before the change).
	From IsolationModel `yaml:"from" json:"from"`
	// To is the model the tenant moves to; it must equal the tenant's model.
	To IsolationModel `yaml:"to" json:"to"`
}

// AccountSpec is an account-model tenant's AWS account: a fixed id, or a pool to
// draw a baselined account from (the account lifecycle's `assign`).
type AccountSpec struct {
	// Id is the 12-digit AWS account id, when the tenant's account is known.
	ID string `yaml:"id,omitempty" json:"id,omitempty"`
	// Pool is the account pool to draw from when id is left out; the tenant's tier when empty.
	Pool string `yaml:"pool,omitempty" json:"pool,omitempty"`
}

// NetworkSpec is a VPC of the tenant's own.
type NetworkSpec struct {
	// Cidr is the VPC's IPv4 CIDR, between /16 and /28.
	CIDR string `yaml:"cidr" json:"cidr"`
	// AzCount is the number of availability zones to spread subnets over (1 to 6; default 2).
	AZCount int `yaml:"azCount,omitempty" json:"azCount,omitempty"`
	// SharedServices attaches the VPC to the platform's shared-services network
	// (vpc model), through the Transit Gateway.
	SharedServices bool `yaml:"sharedServices,omitempty" json:"sharedServices,omitempty"`
}

// ServiceSpec is the tenant's container service.
type ServiceSpec struct {
	// Image is the container image; the fleet's default image when left out.
	Image string `yaml:"image,omitempty" json:"image,omitempty"`
	// Cpu is the Fargate task CPU in units (256, 512, 1024, 2048, 4096); the tier's when left out.
	CPU int `yaml:"cpu,omitempty" json:"cpu,omitempty"`
	// Memory is the Fargate task memory in MiB, valid for the CPU; the tier's when left out.
	Memory int `yaml:"memory,omitempty" json:"memory,omitempty"`
	// DesiredCount is the number of tasks the service starts with; the tier's when left out.
	DesiredCount int `yaml:"desiredCount,omitempty" json:"desiredCount,omitempty"`
	// MinCount is the fewest tasks autoscaling keeps (at least 1, at most
	// desiredCount); the tier's when left out, else 1. A suspended tenant runs none.
	MinCount int `yaml:"minCount,omitempty" json:"minCount,omitempty"`
	// MaxCount is the most tasks autoscaling starts (at least desiredCount,
	// at most 1000); the tier's when left out, else 4 × desiredCount.
	MaxCount int `yaml:"maxCount,omitempty" json:"maxCount,omitempty"`
	// TargetCpu is the average CPU utilisation in percent that autoscaling
	// tracks (10 to 95); the tier's when left out, else 70.
	TargetCPU int `yaml:"targetCpu,omitempty" json:"targetCpu,omitempty"`
	// TargetMemory is the average memory utilisation in percent that
	// autoscaling tracks (10 to 95); the tier's when left out, else 80.
	TargetMemory int `yaml:"targetMemory,omitempty" json:"targetMemory,omitempty"`
	// Port is the container port; 8080 when left out.
	Port int `yaml:"port,omitempty" json:"port,omitempty"`
	// HealthCheckPath is the load balancer's health check path; /healthz when left out.
	HealthCheckPath string `yaml:"healthCheckPath,omitempty" json:"healthCheckPath,omitempty"`
	// ListenerPriority is the tenant's rule priority on the shared load balancer
	// (container model, and subnet model with shared ingress), unique in the fleet
	// and kept for the tenant's life; it also picks the listener: priorities 1-100
	// go to the first, 101-200 to the second, ...
	ListenerPriority int `yaml:"listenerPriority,omitempty" json:"listenerPriority,omitempty"`
}

// LimitsSpec is a pooled tenant's API throttling and quota.
type LimitsSpec struct {
	// RateLimit is the steady-state requests per second.
	RateLimit float64 `yaml:"rateLimit,omitempty" json:"rateLimit,omitempty"`
	// BurstLimit is the burst of requests allowed above the rate.
	BurstLimit int `yaml:"burstLimit,omitempty" json:"burstLimit,omitempty"`
	// QuotaLimit is the number of requests per quota period.
	QuotaLimit int `yaml:"quotaLimit,omitempty" json:"quotaLimit,omitempty"`
	// QuotaPeriod is DAY, WEEK or MONTH.
	QuotaPeriod string `yaml:"quotaPeriod,omitempty" json:"quotaPeriod,omitempty"`
}

// Settings is tenants/fleet.yaml: what holds for the whole fleet.
type Settings struct {
	// NamePrefix starts every AWS resource name (lowercase, at most 12 characters).
	NamePrefix string `yaml:"namePrefix" json:"namePrefix"`
	// Environment is copied into the Environment cost-allocation tag (e.g. prod).
	Environment string `yaml:"environment" json:"environment"`
	// PlatformRegion is where the platform stack lives and tenants' default region.
	PlatformRegion string `yaml:"platformRegion" json:"platformRegion"`
	// Domain is the DNS zone tenants are served under (<id>.<domain>); the
	// pooled API answers at api.<domain>.
	Domain string `yaml:"domain" json:"domain"`
	// DNS is the hosted zone of domain.
	DNS DNS `yaml:"dns,omitempty" json:"dns,omitempty"`
	// DefaultImage is the container image of tenants that name none.
	DefaultImage string `yaml:"defaultImage" json:"defaultImage"`
	// SharedVPC is the platform's VPC that subnet and container tenants live in.
	SharedVPC SharedVPC `yaml:"sharedVpc" json:"sharedVpc"`
	// SharedServices is the platform's shared-services network vpc tenants attach to.
	SharedServices SharedServices `yaml:"sharedServices" json:"sharedServices"`
	// Organization is the AWS Organizations set-up for account-model tenants.
	Organization Organization `yaml:"organization" json:"organization"`
	// LoadBalancer is the shared load balancer of container tenants.
	LoadBalancer LoadBalancer `yaml:"loadBalancer,omitempty" json:"loadBalancer,omitempty"`
	// Limits are AWS quotas the fleet check counts against.
	Limits AWSLimits `yaml:"awsLimits,omitempty" json:"awsLimits,omitempty"`
	// Alerts is who answers the tenants' and the platform's alarms besides
	// each tenant's owner.
	Alerts Alerts `yaml:"alerts,omitempty" json:"alerts,omitempty"`
	// Audit is where the organization's audit trail, configuration history
	// and tenants' archived logs are kept.
	Audit Audit `yaml:"audit,omitempty" json:"audit,omitempty"`
	// Tiers are the service tiers by name.
	Tiers map[string]*Tier `yaml:"tiers" json:"tiers"`

	// Source is where the settings were read from; not part of the file.
	Source Source `yaml:"-" json:"-"`
}

// DNS is the public hosted zone tenants' names live in.
type DNS struct {
	// ZoneId is an existing public Route 53 hosted zone for domain; the
	// platform stack creates the zone when left out (then delegate the domain
	// to the zone's name servers, a stack output).
	ZoneID string `yaml:"zoneId,omitempty" json:"zoneId,omitempty"`
}

// SharedVPC is the platform's VPC for subnet and container tenants.
type SharedVPC struct {
	// Cidr is the shared VPC's CIDR; subnet-model tenant subnets must lie inside it.
	CIDR string `yaml:"cidr" json:"cidr"`
	// AzCount is the number of AZs of the platform's own subnets (default 2).
	AZCount int `yaml:"azCount,omitempty" json:"azCount,omitempty"`
	// PlatformSubnets are the platform's own subnets (load balancer, shared cluster)
	// inside the shared VPC; tenant subnets may not overlap them.
	PlatformSubnets []string `yaml:"platformSubnets" json:"platformSubnets"`
}

// SharedServices is the network vpc-model tenants attach to.
type SharedServices struct {
	// Cidr is the shared-services VPC's CIDR; tenant NACLs and routes admit it.
	CIDR string `yaml:"cidr" json:"cidr"`
}

// Organization is the AWS Organizations set-up of the account lifecycle.
type Organization struct {
	// WorkloadOU is the name of the OU of vended and active tenant accounts.
	WorkloadOU string `yaml:"workloadOu" json:"workloadOu"`
	// SuspendedOU is the name of the OU of suspended tenant accounts.
	SuspendedOU string `yaml:"suspendedOu" json:"suspendedOu"`
	// AccountQuota is the organization's account quota (default 10).
	AccountQuota int `yaml:"accountQuota,omitempty" json:"accountQuota,omitempty"`
	// AccountEmail is the pattern of new accounts' root e-mail; {name} is replaced.
	AccountEmail string `yaml:"accountEmail" json:"accountEmail"`
	// AccountName is the pattern of new accounts' names; {tier} and {seq} are replaced.
	AccountName string `yaml:"accountName" json:"accountName"`
	// AccessRoleName is the role Organizations creates in new accounts
	// (OrganizationAccountAccessRole by default); baselining assumes it.
	AccessRoleName string `yaml:"accessRoleName,omitempty" json:"accessRoleName,omitempty"`
	// DeployRoleName is the role in each tenant account that deployments assume.
	DeployRoleName string `yaml:"deployRoleName" json:"deployRoleName"`
	// InfrastructureOu is the name of the OU of the organization's own
	// accounts (the log archive), outside the tenants' guard rails
	// (Infrastructure by default); the platform stack creates it when
	// audit.logArchiveAccountId is set.
	InfrastructureOU string `yaml:"infrastructureOu,omitempty" json:"infrastructureOu,omitempty"`
	// PreviewRoleName is the read-only role in each tenant account that
	// pull-request previews assume (TenantctlPreview by default); it trusts the
	// deployment account with an external id of its own, never the deploy role's.
	PreviewRoleName string `yaml:"previewRoleName,omitempty" json:"previewRoleName,omitempty"`
	// DeploymentAccountID is the account pipelines deploy from; the deploy role trusts only it.
	DeploymentAccountID string `yaml:"deploymentAccountId" json:"deploymentAccountId"`
	// CloseAfterDays is how long a tenant's account stays SUSPENDED (its
	// retention period) before `tenantctl accounts close` closes it (default 90).
	CloseAfterDays int `yaml:"closeAfterDays,omitempty" json:"closeAfterDays,omitempty"`
}

// BoundaryPolicyName is the customer-managed policy baselining creates in each
// tenant account as the deploy role's permissions boundary; every role the
// account model creates must carry it too.
func (o *Organization) BoundaryPolicyName() string { return o.DeployRoleName + "Boundary" }

// Alerts is who answers alarms besides each tenant's owner.
type Alerts struct {
	// OnCallEmail is the e-mail address subscribed to the platform's on-call
	// topic, which every tenant's alarms notify besides the tenant's own
	// topic (its owner); the topic has no subscriber when left out.
	OnCallEmail string `yaml:"onCallEmail,omitempty" json:"onCallEmail,omitempty"`
}

// Audit is where the organization's audit records are kept.
type Audit struct {
	// LogArchiveAccountId is the 12-digit account of the log archive (the
	// trail's bucket and its key), kept in organization.infrastructureOu; the
	// platform's account when left out.
	LogArchiveAccountID string `yaml:"logArchiveAccountId,omitempty" json:"logArchiveAccountId,omitempty"`
	// RetentionDays is how long the archive keeps every object locked, and
	// when its lifecycle expires it (1 to 36500 days; 365 by default).
	RetentionDays int `yaml:"retentionDays,omitempty" json:"retentionDays,omitempty"`
}

// LoadBalancer is the platform's shared load balancer for container tenants.
type LoadBalancer struct {
	// RulesPerListener is the listener rule quota (100 by default).
	RulesPerListener int `yaml:"rulesPerListener,omitempty" json:"rulesPerListener,omitempty"`
}

// AWSLimits are the AWS quotas the fleet check counts against.
type AWSLimits struct {
	// VpcsPerRegion is the VPC quota per account and region (5 by default).
	VPCsPerRegion int `yaml:"vpcsPerRegion,omitempty" json:"vpcsPerRegion,omitempty"`
	// SubnetsPerVpc is the subnet quota per VPC (200 by default).
	SubnetsPerVPC int `yaml:"subnetsPerVpc,omitempty" json:"subnetsPerVpc,omitempty"`
	// NaclRules is the rule quota per network ACL and direction (20 by default).
	NACLRules int `yaml:"naclRules,omitempty" json:"naclRules,omitempty"`
	// IamRoles is the IAM role quota of the SaaS account (1000 by default):
	// the platform's, every service's there and those of pooled tenants with
	// a data policy (the others share one).
	IAMRoles int `yaml:"iamRoles,omitempty" json:"iamRoles,omitempty"`
	// UsagePlans is the API Gateway usage plan quota per region (300 by
	// default): one per tier and one per pooled tenant with limits of its own.
	UsagePlans int `yaml:"usagePlans,omitempty" json:"usagePlans,omitempty"`
	// ApiKeys is the API Gateway API key quota per region (10000 by default):
	// one per pooled tenant.
	APIKeys int `yaml:"apiKeys,omitempty" json:"apiKeys,omitempty"`
	// CognitoGroups is the group quota of a user pool (10000 by default):
	// system-admin and two per tenant (its users and its admins).
	CognitoGroups int `yaml:"cognitoGroups,omitempty" json:"cognitoGroups,omitempty"`
}

// Tier is a service tier: the models it allows and the defaults it gives.
type Tier struct {
	// Rank orders tiers in rollouts: lower ranks go first (free before enterprise).
	Rank int `yaml:"rank" json:"rank"`
	// Models are the isolation models tenants of this tier may use.
	Models []IsolationModel `yaml:"models" json:"models"`
	// DefaultModel is the model of tenants of this tier that name none.
	DefaultModel IsolationModel `yaml:"defaultModel" json:"defaultModel"`
	// Throttle is the API usage plan throttle of the tier.
	Throttle Throttle `yaml:"throttle" json:"throttle"`
	// Quota is the API usage plan quota of the tier.
	Quota Quota `yaml:"quota" json:"quota"`
	// Service is the default container size and scaling of the tier.
	Service ServiceDefaults `yaml:"service,omitempty" json:"service,omitempty"`
	// Data is the default data mode of the tier's tenants (where their model honours it).
	Data DataSpec `yaml:"data,omitempty" json:"data,omitempty"`
	// Ingress is how the tier's subnet-model tenants are reached: shared (the
	// platform's load balancer, the default) or dedicated (one of their own).
	Ingress Ingress `yaml:"ingress,omitempty" json:"ingress,omitempty"`
	// Waf is the web application firewall in front of the tier's load
	// balancers and the pooled API.
	WAF TierWAF `yaml:"waf,omitempty" json:"waf,omitempty"`
	// MonthlyBudgetUSD is the monthly budget of a siloed tenant's account (account model).
	MonthlyBudgetUSD float64 `yaml:"monthlyBudgetUsd,omitempty" json:"monthlyBudgetUsd,omitempty"`
	// AccountPool is the pool of baselined accounts kept ready for this tier.
	AccountPool AccountPool `yaml:"accountPool,omitempty" json:"accountPool,omitempty"`
}

// Throttle is an API throttle.
type Throttle struct {
	// RateLimit is the steady-state requests per second.
	RateLimit float64 `yaml:"rateLimit" json:"rateLimit"`
	// BurstLimit is the burst of requests allowed above the rate.
	BurstLimit int `yaml:"burstLimit" json:"burstLimit"`
}

// TierWAF is a tier's web ACL settings.
type TierWAF struct {
	// RateLimit is the most requests one client IP may send in 5 minutes
	// before the web ACL blocks it (10 to 2000000000; 2000 by default). A
	// tenant's own load balancer gets its tier's; the shared load balancers
	// and the pooled API, in front of several tiers, the highest of theirs.
	RateLimit int `yaml:"rateLimit,omitempty" json:"rateLimit,omitempty"`
}

// Quota is an API quota.
type Quota struct {
	// Limit is the number of requests per period.
	Limit int `yaml:"limit" json:"limit"`
	// Period is DAY, WEEK or MONTH.
	Period string `yaml:"period" json:"period"`
}

// ServiceDefaults is a tier's default container size.
type ServiceDefaults struct {
	// Cpu is the Fargate task CPU in units.
	CPU int `yaml:"cpu,omitempty" json:"cpu,omitempty"`
	// Memory is the Fargate task memory in MiB.
	Memory int `yaml:"memory,omitempty" json:"memory,omitempty"`
	// DesiredCount is the number of tasks a service starts with.
	DesiredCount int `yaml:"desiredCount,omitempty" json:"desiredCount,omitempty"`
	// MinCount is the fewest tasks autoscaling keeps.
	MinCount int `yaml:"minCount,omitempty" json:"minCount,omitempty"`
	// MaxCount is the most tasks autoscaling starts.
	MaxCount int `yaml:"maxCount,omitempty" json:"maxCount,omitempty"`
	// TargetCpu is the average CPU utilisation in percent autoscaling tracks.
	TargetCPU int `yaml:"targetCpu,omitempty" json:"targetCpu,omitempty"`
	// TargetMemory is the average memory utilisation in percent autoscaling tracks.
	TargetMemory int `yaml:"targetMemory,omitempty" json:"targetMemory,omitempty"`
}

// AccountPool is the pool of baselined accounts of a tier.
type AccountPool struct {
	// Target is the number of BASELINED accounts to keep ready.
	Target int `yaml:"target,omitempty" json:"target,omitempty"`
	// ServiceQuotas are the quotas baselining raises new accounts to.
	ServiceQuotas []QuotaTarget `yaml:"serviceQuotas,omitempty" json:"serviceQuotas,omitempty"`
}

// QuotaTarget is a Service Quotas value a baselined account must have.
type QuotaTarget struct {
	// ServiceCode is the Service Quotas service code (e.g. vpc).
	ServiceCode string `yaml:"serviceCode" json:"serviceCode"`
	// QuotaCode is the Service Quotas quota code (e.g. L-F678F1CE).
	QuotaCode string `yaml:"quotaCode" json:"quotaCode"`
	// Value is the least value the quota must have.
	Value float64 `yaml:"value" json:"value"`
}

// Source is the file a tenant or the settings came from, with what it takes to
// point errors found later at a line: the file's bytes, parsed again into a YAML
// node tree the first time a position is asked for. (Keeping every tree would hold
// ~14 KiB per tenant that a valid fleet never reads.)
type Source struct {
	File string
	tree *sourceTree
	// bad are the field paths the loader already reported as malformed (wrong
	// kind of value, duplicate key); validation stays silent about them.
	bad []string
}

// Fleet is everything under tenants/: the settings and every tenant, sorted by id.
type Fleet struct {
	// Dir is the directory the fleet was loaded from.
	Dir      string
	Settings Settings
	Tenants  []*Tenant
	// validated is set by Finish (and so LoadDir) when defaults and every
	// check passed: the proof the models ask for (Validated) before they
	// build anything, so they need not check the fleet's rules again.
	validated bool
}

// Validated reports whether the fleet went through defaults and validation
// without a problem: loaded by LoadDir, or built in memory and passed to
// Finish. A fleet changed afterwards keeps the mark; whoever changes it
// answers for it.
func (f *Fleet) Validated() bool { return f != nil && f.validated }

// Tenant returns the tenant with the id, or nil.
func (f *Fleet) Tenant(id string) *Tenant {
	for _, t := range f.Tenants {
		if t.ID == id {
			return t
		}
	}
	return nil
}

// TierOf returns the tier of a tenant; nil when the tier is not defined.
func (f *Fleet) TierOf(t *Tenant) *Tier { return f.Settings.Tiers[t.Tier] }
