package platform

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Names of the platform stack's outputs. Tenant stacks read them through a
// stack reference; renaming one is a breaking change for every tenant stack.
const (
	OutAccountID          = "accountId"
	OutSharedVPCID        = "sharedVpcId"
	OutSharedVPCCIDR      = "sharedVpcCidr"
	OutSharedRouteTableID = "sharedRouteTableId"
	OutPrivateSubnetIDs   = "privateSubnetIds"
	OutPublicSubnetIDs    = "publicSubnetIds"
	OutClusterArn         = "clusterArn"
	OutLBSecurityGroupID  = "lbSecurityGroupId"
	// OutListenerArns are the shared load balancers' HTTPS listeners, where
	// tenants' host rules go (their port-80 listeners only redirect).
	OutListenerArns         = "listenerArns"
	OutLoadBalancerDNSNames = "loadBalancerDnsNames"
	// OutLoadBalancerZoneIDs are the shared load balancers' canonical hosted
	// zones, which alias records name with their DNS names.
	OutLoadBalancerZoneIDs = "loadBalancerZoneIds"
	// OutZoneID is the public hosted zone of the fleet's domain, and
	// OutZoneNameServers its name servers, to which the domain's registrar
	// (or parent zone) delegates.
	OutZoneID          = "zoneId"
	OutZoneNameServers = "zoneNameServers"
	// OutCertificateArn is the certificate of the domain and every name
	// one label under it.
	OutCertificateArn = "certificateArn"
	// OutAPIDomain is the pooled API's custom domain name.
	OutAPIDomain         = "apiDomain"
	OutPoolTableName     = "poolTableName"
	OutPoolTableArn      = "poolTableArn"
	OutRegistryTableName = "registryTableName"
	OutAPIID             = "apiId"
	OutAPIStageName      = "apiStageName"
	OutUsagePlanIDs      = "usagePlanIds"
	OutUserPoolID        = "userPoolId"
	// OutUserPoolClientID is the app client tenants' users sign in with,
	// the audience of their id tokens; OutUserPoolDomain the prefix of the
	// pool's domain (<prefix>.auth.<region>.amazoncognito.com); and
	// OutTokenIssuer the pool's issuer URL, the iss of its tokens.
	OutUserPoolClientID         = "userPoolClientId"
	OutUserPoolDomain           = "userPoolDomain"
	OutTokenIssuer              = "tokenIssuer"
	OutMeteringStreamArn        = "meteringStreamArn"
	OutTransitGatewayID         = "transitGatewayId"
	OutSharedServicesRouteTable = "sharedServicesRouteTableId"
	OutPooledServiceRoleArn     = "pooledServiceRoleArn"
	// OutDataRoleArn is the data role pooled tenants share.
	OutDataRoleArn = "dataRoleArn"
	// OutPooledServiceEnv is the environment a pooled service needs
	// (Platform.PooledServiceEnv).
	OutPooledServiceEnv = "pooledServiceEnv"
)

// OutputNames lists every output the platform stack exports.
var OutputNames = []string{
	OutAccountID, OutSharedVPCID, OutSharedVPCCIDR, OutSharedRouteTableID, OutPrivateSubnetIDs, OutPublicSubnetIDs,
	OutClusterArn, OutLBSecurityGroupID, OutListenerArns, OutLoadBalancerDNSNames, OutLoadBalancerZoneIDs,
	OutZoneID, OutZoneNameServers, OutCertificateArn, OutAPIDomain,
	OutPoolTableName, OutPoolTableArn, OutRegistryTableName, OutAPIID, OutAPIStageName,
	OutUsagePlanIDs, OutUserPoolID, OutMeteringStreamArn, OutTransitGatewayID, OutSharedServicesRouteTable,
	OutPooledServiceRoleArn, OutLifecycleTopicArn, OutArchiveBucket,
	OutUserPoolClientID, OutUserPoolDomain, OutTokenIssuer, OutDataRoleArn, OutPooledServiceEnv,
	OutOnCallTopicArn, OutPooledKeyArns, OutLogArchiveStreamArn, OutLogSubscriptionRoleArn,
}

// Ref is the platform as a tenant stack sees it: the platform stack's outputs.
type Ref struct {
	AccountID            pulumi.StringOutput
	SharedVPCID          pulumi.StringOutput
	SharedVPCCIDR        pulumi.StringOutput
	SharedRouteTableID   pulumi.StringOutput
	PrivateSubnetIDs     pulumi.StringArrayOutput
	PublicSubnetIDs      pulumi.StringArrayOutput
	ClusterArn           pulumi.StringOutput
	LBSecurityGroupID    pulumi.StringOutput
	ListenerArns         pulumi.StringArrayOutput
	LoadBalancerDNSNames pulumi.StringArrayOutput
	LoadBalancerZoneIDs  pulumi.StringArrayOutput
	// ZoneID is the public hosted zone of the fleet's domain, where tenants
	// in the platform's account put their records and account-model tenants
	// delegate their names.
	ZoneID                     pulumi.StringOutput
	PoolTableName              pulumi.StringOutput
	PoolTableArn               pulumi.StringOutput
	RegistryTableName          pulumi.StringOutput
	APIID                      pulumi.StringOutput
	APIStageName               pulumi.StringOutput
	UsagePlanIDs               pulumi.StringMapOutput
	UserPoolID                 pulumi.StringOutput
	MeteringStreamArn          pulumi.StringOutput
	TransitGatewayID           pulumi.StringOutput
	SharedServicesRouteTableID pulumi.StringOutput
	// PooledServiceRoleArn is the role the pooled back end runs as, the one
	// principal application tenants' data roles trust.
	PooledServiceRoleArn pulumi.StringOutput
	baselineRef
	// DataRoleArn is the data role pooled tenants share, which a tenant's
	// registry item names unless the tenant has a data role of its own.
	DataRoleArn pulumi.StringOutput
}

// FromStackReference reads the platform's outputs from a stack reference. A
// missing output fails the tenant's deployment with the output's name, rather
// than deploying resources with empty ids.
func FromStackReference(ref *pulumi.StackReference) Ref {
	str := func(name string) pulumi.StringOutput {
		return ref.GetOutput(pulumi.String(name)).ApplyT(func(v any) (string, error) {
			s, ok := v.(string)
			if !ok || s == "" {
				return "", fmt.Errorf("platform stack output %q is missing or not a string (got %T); deploy the platform stack first", name, v)
			}
			return s, nil
		}).(pulumi.StringOutput)
	}
	list := func(name string) pulumi.StringArrayOutput {
		return ref.GetOutput(pulumi.String(name)).ApplyT(func(v any) ([]string, error) {
			items, ok := v.([]any)
			if !ok {
				return nil, fmt.Errorf("platform stack output %q is missing or not a list (got %T)", name, v)
			}
			out := make([]string, len(items))
			for i, it := range items {
				if out[i], ok = it.(string); !ok {
					return nil, fmt.Errorf("platform stack output %q[%d] is not a string (got %T)", name, i, it)
				}
			}
			return out, nil
		}).(pulumi.StringArrayOutput)
	}
	dict := func(name string) pulumi.StringMapOutput {
		return ref.GetOutput(pulumi.String(name)).ApplyT(func(v any) (map[string]string, error) {
			items, ok := v.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("platform stack output %q is missing or not a map (got %T)", name, v)
			}
			out := make(map[string]string, len(items))
			for k, it := range items {
				if out[k], ok = it.(string); !ok {
					return nil, fmt.Errorf("platform stack output %q[%q] is not a string (got %T)", name, k, it)
				}
			}
			return out, nil
		}).(pulumi.StringMapOutput)
	}
	return Ref{
		AccountID:                  str(OutAccountID),
		SharedVPCID:                str(OutSharedVPCID),
		SharedVPCCIDR:              str(OutSharedVPCCIDR),
		SharedRouteTableID:         str(OutSharedRouteTableID),
		PrivateSubnetIDs:           list(OutPrivateSubnetIDs),
		PublicSubnetIDs:            list(OutPublicSubnetIDs),
		ClusterArn:                 str(OutClusterArn),
		LBSecurityGroupID:          str(OutLBSecurityGroupID),
		ListenerArns:               list(OutListenerArns),
		LoadBalancerDNSNames:       list(OutLoadBalancerDNSNames),
		LoadBalancerZoneIDs:        list(OutLoadBalancerZoneIDs),
		ZoneID:                     str(OutZoneID),
		PoolTableName:              str(OutPoolTableName),
		PoolTableArn:               str(OutPoolTableArn),
		RegistryTableName:          str(OutRegistryTableName),
		APIID:                      str(OutAPIID),
		APIStageName:               str(OutAPIStageName),
		UsagePlanIDs:               dict(OutUsagePlanIDs),
		UserPoolID:                 str(OutUserPoolID),
		MeteringStreamArn:          str(OutMeteringStreamArn),
		TransitGatewayID:           str(OutTransitGatewayID),
		SharedServicesRouteTableID: str(OutSharedServicesRouteTable),
		PooledServiceRoleArn:       str(OutPooledServiceRoleArn),
		baselineRef:                newBaselineRef(str, dict),
		DataRoleArn:                str(OutDataRoleArn),
	}
}

// Listener returns the HTTPS listener ARN at index i, an error when the
// platform has fewer listeners (the platform stack must be deployed after the
// tenant's priority raised the listener count).
func (r Ref) Listener(i int) pulumi.StringOutput { return at(r.ListenerArns, i) }

// LoadBalancer returns the DNS name and canonical hosted zone of the shared
// load balancer at index i (the one of listener i), errors as Listener's.
func (r Ref) LoadBalancer(i int) (dnsName, zoneID pulumi.StringOutput) {
	return at(r.LoadBalancerDNSNames, i), at(r.LoadBalancerZoneIDs, i)
}

func at(list pulumi.StringArrayOutput, i int) pulumi.StringOutput {
	return list.ApplyT(func(items []string) (string, error) {
		if i >= len(items) {
			return "", fmt.Errorf("the platform has %d load balancer listeners and the tenant needs listener %d; deploy the platform stack first", len(items), i+1)
		}
		return items[i], nil
	}).(pulumi.StringOutput)
}

// UsagePlan returns the usage plan id of a tier.
func (r Ref) UsagePlan(tier string) pulumi.StringOutput {
	return r.UsagePlanIDs.ApplyT(func(ids map[string]string) (string, error) {
		id, ok := ids[tier]
		if !ok {
			return "", fmt.Errorf("the platform has no usage plan for tier %q; deploy the platform stack first", tier)
		}
		return id, nil
	}).(pulumi.StringOutput)
}
