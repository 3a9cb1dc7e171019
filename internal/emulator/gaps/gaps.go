// Package gaps is the data half of internal/emulator: the documented gaps of
// each AWS emulator tenantctl knows, which the isolation models consult in
// emulator mode. It has no process code, so the models (which run inside
// every Pulumi program) link only this list, never the moto_server launcher.
package gaps

import (
	"fmt"
	"sort"
	"strings"
)

// Emulators tenantctl knows the gaps of.
const (
	MotoName = "moto"
)

// Gap is an AWS behaviour an emulator does not serve, and what the isolation
// models do about it in emulator mode. The models consult the list of the
// emulator a stack points at; nothing changes for a stack pointed at AWS.
type Gap struct {
	// ID is what the models check (Set.Has).
	ID string `json:"id"`
	// Resource is the Pulumi type token it concerns, or for the account
	// lifecycle (which speaks to AWS through the SDK) the API operation.
	Resource string `json:"resource"`
	// Action is "omit" (the resource is left out) or "adapt" (an input is changed).
	Action string `json:"action"`
	// Reason is the emulator's failure, as a user would see it.
	Reason string `json:"reason"`
}

// Gap ids.
const (
	BudgetTags           = "budget-tags"
	CostAllocationTag    = "cost-allocation-tag"
	MetricAlarm          = "metric-alarm"
	TransitGatewayAttach = "transit-gateway-attachment"
	ECSManagedTags       = "ecs-managed-tags"
	ServiceQuotaIncrease = "service-quota-increase"
	AWSManagedPolicies   = "aws-managed-policies"
	ServiceAutoscaling   = "service-autoscaling"
	Dashboard            = "dashboard"
	XRaySamplingRule     = "xray-sampling-rule"
	TaggingAPICoverage   = "tagging-api-coverage"
)

// motoGaps is moto 5.2.1's list, found by running the models and the account
// lifecycle against it, and the SDK calls of the resources the models
// register (models_test checks that no "omit" gap's resource is registered in
// emulator mode).
var motoGaps = []Gap{
	{ID: BudgetTags, Resource: "aws:budgets/budget:Budget", Action: "omit",
		Reason: "moto serves no Budgets tagging (ListTagsForResource answers 500, not implemented) and the provider reads a budget's tags after every create and read, retrying for many minutes; nor does it serve the notifications' DescribeSubscribersForNotification; the budget is left out"},
	{ID: CostAllocationTag, Resource: "aws:costexplorer/costAllocationTag:CostAllocationTag", Action: "omit",
		Reason: "moto does not serve Cost Explorer's UpdateCostAllocationTagsStatus (cost-allocation tag activation)"},
	{ID: MetricAlarm, Resource: "aws:cloudwatch/metricAlarm:MetricAlarm", Action: "omit",
		Reason: "moto answers newer SDKs' CloudWatch calls in the older query protocol only, so alarms fail to read back; tenants' and quota alarms are left out"},
	{ID: Dashboard, Resource: "aws:cloudwatch/dashboard:Dashboard", Action: "omit",
		Reason: "PutDashboard and GetDashboard go through the same CloudWatch client as alarms, whose RPCv2 CBOR answers moto cannot give (HTTP 404, \"unexpected minor value\"); tenants' dashboards are left out"},
	{ID: XRaySamplingRule, Resource: "aws:xray/samplingRule:SamplingRule", Action: "omit",
		Reason: "moto serves no X-Ray sampling rules (CreateSamplingRule and GetSamplingRules answer HTTP 404); the pooled API's sampling rule is left out, its stage still traces"},
	{ID: TransitGatewayAttach, Resource: "aws:ec2transitgateway/vpcAttachment:VpcAttachment", Action: "omit",
		Reason: "moto fails to delete Transit Gateway VPC attachments, which would leave `dev down` stuck; the attachment and its routes are left out"},
	{ID: ECSManagedTags, Resource: "aws:ecs/service:Service", Action: "adapt",
		Reason: "moto never stores enableEcsManagedTags, so every refresh would show drift; the flag is left unset"},
	{ID: ServiceQuotaIncrease, Resource: "servicequotas:RequestServiceQuotaIncrease", Action: "omit",
		Reason: "moto does not implement RequestServiceQuotaIncrease (HTTP 500) and knows GetServiceQuota for the vpc service only; dev up vends accounts without the tiers' accountPool.serviceQuotas"},
	{ID: AWSManagedPolicies, Resource: "iam:AttachRolePolicy", Action: "adapt",
		Reason: "moto knows AWS managed policies only when started with MOTO_IAM_LOAD_MANAGED_POLICIES=true, which makes creating an account take seconds; baselining gives the preview role its inline deny but not ReadOnlyAccess"},
	{ID: TaggingAPICoverage, Resource: "tagging:GetResources", Action: "adapt",
		Reason: "moto's Resource Groups Tagging API lists S3, DynamoDB, ECS, EC2, ELB, CloudWatch Logs, SNS, SQS, KMS, Kinesis and a few more, but no IAM roles, API Gateway keys or usage plans, Route 53 zones, Budgets or Cognito groups; offboarding's check that nothing tagged with the tenant is left also looks up the tenant's IAM roles, API key and user pool groups by name, service by service"},
	{ID: ServiceAutoscaling, Resource: "aws:appautoscaling/target:Target", Action: "omit",
		Reason: "moto implements neither ListTagsForResource nor TagResource for Application Auto Scaling (HTTP 500), and the provider lists a scalable target's tags after every create and read, so no target can be created; the services' scalable targets and their scaling policies are left out, and a service keeps its desiredCount (0 while suspended)"},
}

// For returns the documented gaps of an emulator.
func For(name string) (Set, error) {
	switch strings.ToLower(name) {
	case MotoName:
		return newSet(motoGaps), nil
	case "", "none", "aws":
		return Set{}, nil
	}
	return nil, fmt.Errorf("unknown emulator %q: tenantctl knows the gaps of %q", name, MotoName)
}

// Set is an emulator's gaps by id.
type Set map[string]Gap

func newSet(gaps []Gap) Set {
	s := Set{}
	for _, g := range gaps {
		s[g.ID] = g
	}
	return s
}

// Has reports whether the gap applies.
func (s Set) Has(id string) bool { _, ok := s[id]; return ok }

// List returns the gaps sorted by id.
func (s Set) List() []Gap {
	out := make([]Gap, 0, len(s))
	for _, g := range s {
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
