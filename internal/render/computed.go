package render

import (
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Made-up values of what AWS computes, for the recorder's non-preview runs.
const (
	// MockLoadBalancerZoneID is every load balancer's canonical hosted zone.
	MockLoadBalancerZoneID = "ZMOCKELB"
	// MockAPIZoneID is every API Gateway regional domain name's hosted zone.
	MockAPIZoneID = "ZMOCKAPI"
	// MockValidationLabel starts the name of every certificate's DNS
	// validation record; its value is MockValidationValue.
	MockValidationLabel = "_mock-validation"
	MockValidationValue = "_mock.acm-validations.aws."
	// MockArnSuffixID ends every load balancer's and target group's ARN
	// suffix (app/<name>/<id>, targetgroup/<name>/<id>), which alarms name
	// them by.
	MockArnSuffixID = "0123456789abcdef"
)

// MockNameServers are the name servers of every hosted zone.
var MockNameServers = []string{"ns-1.awsdns-mock.com", "ns-2.awsdns-mock.net"}

// computedOutputs are the outputs AWS computes that the models read back
// (alias targets, certificates' validation records, zones' name servers,
// the ARN suffixes alarms name load balancers and target groups by, keys'
// ids that aliases point at),
// made up from the resource's inputs so that tests can follow the wiring.
// Preview runs leave them unknown, as `pulumi preview` does.
func computedOutputs(typ, name, region string, in resource.PropertyMap) resource.PropertyMap {
	str := func(k resource.PropertyKey) string {
		if v, ok := in[k]; ok && v.IsString() {
			return v.StringValue()
		}
		return ""
	}
	switch typ {
	case "aws:lb/loadBalancer:LoadBalancer":
		return resource.PropertyMap{
			"dnsName":   resource.NewProperty(str("name") + "-1." + region + ".elb.amazonaws.com"),
			"zoneId":    resource.NewProperty(MockLoadBalancerZoneID),
			"arnSuffix": resource.NewProperty("app/" + str("name") + "/" + MockArnSuffixID),
		}
	case "aws:kms/key:Key":
		return resource.PropertyMap{"keyId": resource.NewProperty(name + "-keyid")}
	case "aws:lb/targetGroup:TargetGroup":
		return resource.PropertyMap{"arnSuffix": resource.NewProperty("targetgroup/" + str("name") + "/" + MockArnSuffixID)}
	case "aws:route53/record:Record":
		return resource.PropertyMap{"fqdn": resource.NewProperty(strings.TrimSuffix(str("name"), "."))}
	case "aws:route53/zone:Zone":
		return resource.PropertyMap{"zoneId": resource.NewProperty(name + "-id"), "nameServers": nameServers()}
	case "aws:apigateway/domainName:DomainName":
		return resource.PropertyMap{
			"regionalDomainName": resource.NewProperty("d-mock.execute-api." + region + ".amazonaws.com"),
			"regionalZoneId":     resource.NewProperty(MockAPIZoneID),
		}
	case "aws:acm/certificate:Certificate":
		domains := []string{str("domainName")}
		if sans, ok := in["subjectAlternativeNames"]; ok && sans.IsArray() {
			for _, v := range sans.ArrayValue() {
				if v.IsString() {
					domains = append(domains, v.StringValue())
				}
			}
		}
		var opts []resource.PropertyValue
		for _, d := range domains {
			opts = append(opts, resource.NewProperty(resource.PropertyMap{
				"domainName":          resource.NewProperty(d),
				"resourceRecordName":  resource.NewProperty(MockValidationLabel + "." + strings.TrimPrefix(d, "*.") + "."),
				"resourceRecordType":  resource.NewProperty("CNAME"),
				"resourceRecordValue": resource.NewProperty(MockValidationValue),
			}))
		}
		return resource.PropertyMap{"domainValidationOptions": resource.NewProperty(opts)}
	}
	return nil
}

func nameServers() resource.PropertyValue {
	out := make([]resource.PropertyValue, len(MockNameServers))
	for i, ns := range MockNameServers {
		out[i] = resource.NewProperty(ns)
	}
	return resource.NewProperty(out)
}
