package provider

import (
	"fmt"
	"net/url"
	"reflect"
	"sort"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Endpoint points a provider at an AWS API emulator (moto_server, LocalStack):
// every service the models call goes to URL, and the provider skips the checks
// an emulator cannot answer (credentials validation, the account id lookup,
// the instance metadata API).
type Endpoint struct {
	// URL is the emulator's base URL, e.g. http://127.0.0.1:5000.
	URL string
	// DummyCredentials gives the provider static test credentials; set when the
	// environment of the deployment holds none (the models never read it).
	DummyCredentials bool
}

// DummyAccessKey is the access key (and secret key) of DummyCredentials, the
// one moto and LocalStack document for tests.
const DummyAccessKey = "testing"

// moduleServices maps the Pulumi module of a resource or invoke token
// ("aws:<module>/<name>:<Type>") to the provider's endpoint name of the
// service it calls; tokenServices holds the tokens of a module that call
// another service. A token found in neither has no endpoint: ServiceOf says
// so, and the models' tests fail on it.
var moduleServices = map[string]string{
	"acm":               "acm",
	"apigateway":        "apigateway",
	"appautoscaling":    "appautoscaling",
	"budgets":           "budgets",
	"cfg":               "configservice",
	"cloudtrail":        "cloudtrail",
	"cloudwatch":        "cloudwatch",
	"cognito":           "cognitoidp",
	"costexplorer":      "ce",
	"dynamodb":          "dynamodb",
	"ec2":               "ec2",
	"ec2transitgateway": "ec2",
	"ecs":               "ecs",
	"iam":               "iam",
	"kinesis":           "kinesis",
	"kms":               "kms",
	"lambda":            "lambda",
	"lb":                "elbv2",
	"organizations":     "organizations",
	"route53":           "route53",
	"s3":                "s3",
	"sns":               "sns",
	"wafv2":             "wafv2",
	"xray":              "xray",
}

var tokenServices = map[string]string{
	"aws:cloudwatch/logGroup:LogGroup":                           "cloudwatchlogs",
	"aws:cloudwatch/logMetricFilter:LogMetricFilter":             "cloudwatchlogs",
	"aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter": "cloudwatchlogs",
	"aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream":  "firehose",
	"aws:index/getAvailabilityZones:getAvailabilityZones":        "ec2",
	"aws:index/getCallerIdentity:getCallerIdentity":              "sts",
	"aws:organizations/getOrganization:getOrganization":          "organizations",
}

// alwaysServices are called by the provider itself: STS to assume the
// account model's deploy role, IAM and STS to find the caller's account.
var alwaysServices = []string{"iam", "sts"}

// ServiceOf is the endpoint name of the service a resource or invoke token
// calls, false when tenantctl maps none.
func ServiceOf(token string) (string, bool) {
	if s, ok := tokenServices[token]; ok {
		return s, true
	}
	rest, ok := strings.CutPrefix(token, "aws:")
	if !ok {
		return "", false
	}
	module, _, _ := strings.Cut(rest, "/")
	s, ok := moduleServices[module]
	return s, ok
}

// Services are the endpoint names an emulated provider sets, sorted.
func Services() []string {
	seen := map[string]bool{}
	for _, s := range alwaysServices {
		seen[s] = true
	}
	for _, s := range moduleServices {
		seen[s] = true
	}
	for _, s := range tokenServices {
		seen[s] = true
	}
	out := make([]string, 0, len(seen))
	for s := range seen {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// CheckURL refuses what cannot be an emulator's endpoint.
func CheckURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("endpoint %q is not an http(s) URL such as http://127.0.0.1:5000", raw)
	}
	return nil
}

// apply sends every service to the endpoint and sets the emulator switches.
func (ep *Endpoint) apply(args *aws.ProviderArgs) error {
	if err := CheckURL(ep.URL); err != nil {
		return fmt.Errorf("provider: %w", err)
	}
	var endpoints aws.ProviderEndpointArgs
	v := reflect.ValueOf(&endpoints).Elem()
	fields := map[string]int{}
	for i := 0; i < v.NumField(); i++ {
		fields[v.Type().Field(i).Tag.Get("pulumi")] = i
	}
	for _, s := range Services() {
		i, ok := fields[s]
		if !ok {
			return fmt.Errorf("provider: the AWS provider has no endpoint setting %q", s)
		}
		v.Field(i).Set(reflect.ValueOf(pulumi.StringPtr(ep.URL)))
	}
	args.Endpoints = aws.ProviderEndpointArray{endpoints}
	args.SkipCredentialsValidation = pulumi.BoolPtr(true)
	args.SkipRequestingAccountId = pulumi.BoolPtr(true)
	args.SkipMetadataApiCheck = pulumi.BoolPtr(true)
	args.S3UsePathStyle = pulumi.BoolPtr(true)
	if ep.DummyCredentials {
		args.AccessKey = pulumi.StringPtr(DummyAccessKey)
		args.SecretKey = pulumi.StringPtr(DummyAccessKey)
	}
	return nil
}
