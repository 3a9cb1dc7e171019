package platform

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Names of the platform stack's outputs. Tenant stacks read them through a
// stack reference; renaming one is a breaking change for every tenant stack.
const (
	OutAccountID                = "accountId"
	OutSharedVPCID              = "sharedVpcId"
	OutSharedVPCCIDR            = "sharedVpcCidr"
	OutSharedRouteTableID       = "sharedRouteTableId"
	OutPrivateSubnetIDs         = "privateSubnetIds"
	OutClusterArn               = "clusterArn"
	OutLBSecurityGroupID        = "lbSecurityGroupId"
	OutListenerArns             = "listenerArns"
	OutLoadBalancerDNSNames     = "loadBalancerDnsNames"
	OutPoolTableName            = "poolTableName"
	OutPoolTableArn             = "poolTableArn"
	OutRegistryTableName        = "registryTableName"
	OutAPIID                    = "apiId"
	OutAPIStageName             = "apiStageName"
	OutUsagePlanIDs             = "usagePlanIds"
	OutUserPoolID               = "userPoolId"
	OutMeteringStreamArn        = "meteringStreamArn"
	OutTransitGatewayID         = "transitGatewayId"
	OutSharedServicesRouteTable = "sharedServicesRouteTableId"
	OutPooledServiceRoleArn     = "pooledServiceRoleArn"
)

// OutputNames lists every output the platform stack exports.
var OutputNames = []string{
	OutAccountID, OutSharedVPCID, OutSharedVPCCIDR, OutSharedRouteTableID, OutPrivateSubnetIDs,
	OutClusterArn, OutLBSecurityGroupID, OutListenerArns, OutLoadBalancerDNSNames,
	OutPoolTableName, OutPoolTableArn, OutRegistryTableName, OutAPIID, OutAPIStageName,
	OutUsagePlanIDs, OutUserPoolID, OutMeteringStreamArn, OutTransitGatewayID, OutSharedServicesRouteTable,
	OutPooledServiceRoleArn,
}

// Ref is the platform as a tenant stack sees it: the platform stack's outputs.
type Ref struct {
	AccountID                  pulumi.StringOutput
	SharedVPCID                pulumi.StringOutput
	SharedVPCCIDR              pulumi.StringOutput
	SharedRouteTableID         pulumi.StringOutput
	PrivateSubnetIDs           pulumi.StringArrayOutput
	ClusterArn                 pulumi.StringOutput
	LBSecurityGroupID          pulumi.StringOutput
	ListenerArns               pulumi.StringArrayOutput
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
		ClusterArn:                 str(OutClusterArn),
		LBSecurityGroupID:          str(OutLBSecurityGroupID),
		ListenerArns:               list(OutListenerArns),
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
	}
}

// Listener returns the listener ARN at index i, an error when the platform has
// fewer listeners (the platform stack must be deployed after the tenant's
// priority raised the listener count).
func (r Ref) Listener(i int) pulumi.StringOutput {
	return r.ListenerArns.ApplyT(func(arns []string) (string, error) {
		if i >= len(arns) {
			return "", fmt.Errorf("the platform has %d load balancer listeners and the tenant needs listener %d; deploy the platform stack first", len(arns), i+1)
		}
		return arns[i], nil
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
