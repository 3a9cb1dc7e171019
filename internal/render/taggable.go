package render

import "strings"

// taggable are the resource types of tenantctl's models that take tags (and
// receive the provider's default tags). Tests fail on a registered type that is
// in neither this list nor untaggable, so a new type gets a decision.
var taggable = map[string]bool{
	"aws:ec2/vpc:Vpc":                                           true,
	"aws:ec2/subnet:Subnet":                                     true,
	"aws:ec2/internetGateway:InternetGateway":                   true,
	"aws:ec2/natGateway:NatGateway":                             true,
	"aws:ec2/eip:Eip":                                           true,
	"aws:ec2/routeTable:RouteTable":                             true,
	"aws:ec2/securityGroup:SecurityGroup":                       true,
	"aws:ec2/networkAcl:NetworkAcl":                             true,
	"aws:ec2transitgateway/transitGateway:TransitGateway":       true,
	"aws:ec2transitgateway/vpcAttachment:VpcAttachment":         true,
	"aws:ecs/cluster:Cluster":                                   true,
	"aws:ecs/service:Service":                                   true,
	"aws:ecs/taskDefinition:TaskDefinition":                     true,
	"aws:iam/role:Role":                                         true,
	"aws:cloudwatch/logGroup:LogGroup":                          true,
	"aws:dynamodb/table:Table":                                  true,
	"aws:budgets/budget:Budget":                                 true,
	"aws:lb/loadBalancer:LoadBalancer":                          true,
	"aws:lb/listener:Listener":                                  true,
	"aws:lb/listenerRule:ListenerRule":                          true,
	"aws:lb/targetGroup:TargetGroup":                            true,
	"aws:apigateway/restApi:RestApi":                            true,
	"aws:apigateway/stage:Stage":                                true,
	"aws:apigateway/usagePlan:UsagePlan":                        true,
	"aws:apigateway/apiKey:ApiKey":                              true,
	"aws:cognito/userPool:UserPool":                             true,
	"aws:kinesis/stream:Stream":                                 true,
	"aws:organizations/organizationalUnit:OrganizationalUnit":   true,
	"aws:organizations/policy:Policy":                           true,
	"aws:appautoscaling/target:Target":                          true,
	"aws:route53/zone:Zone":                                     true,
	"aws:acm/certificate:Certificate":                           true,
	"aws:apigateway/domainName:DomainName":                      true,
	"aws:sns/topic:Topic":                                       true,
	"aws:cloudwatch/metricAlarm:MetricAlarm":                    true,
	"aws:xray/samplingRule:SamplingRule":                        true,
	"aws:kms/key:Key":                                           true,
	"aws:ec2/vpcEndpoint:VpcEndpoint":                           true,
	"aws:wafv2/webAcl:WebAcl":                                   true,
	"aws:s3/bucketV2:BucketV2":                                  true,
	"aws:cloudtrail/trail:Trail":                                true,
	"aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": true,
	"aws:cfg/configurationAggregator:ConfigurationAggregator":   true,
	"aws:lambda/function:Function":                              true,
}

// untaggable are the types that take no tags in pulumi-aws v6.
var untaggable = map[string]bool{
	"aws:ec2/route:Route": true,
	"aws:ec2/routeTableAssociation:RouteTableAssociation":                                        true,
	"aws:ec2/networkAclRule:NetworkAclRule":                                                      true,
	"aws:ec2/networkAclAssociation:NetworkAclAssociation":                                        true,
	"aws:iam/rolePolicy:RolePolicy":                                                              true,
	"aws:iam/rolePolicyAttachment:RolePolicyAttachment":                                          true,
	"aws:apigateway/method:Method":                                                               true,
	"aws:apigateway/integration:Integration":                                                     true,
	"aws:apigateway/deployment:Deployment":                                                       true,
	"aws:apigateway/usagePlanKey:UsagePlanKey":                                                   true,
	"aws:cognito/userGroup:UserGroup":                                                            true,
	"aws:dynamodb/tableItem:TableItem":                                                           true,
	"aws:organizations/policyAttachment:PolicyAttachment":                                        true,
	"aws:costexplorer/costAllocationTag:CostAllocationTag":                                       true,
	"aws:appautoscaling/policy:Policy":                                                           true,
	"aws:route53/record:Record":                                                                  true,
	"aws:acm/certificateValidation:CertificateValidation":                                        true,
	"aws:apigateway/basePathMapping:BasePathMapping":                                             true,
	"aws:sns/topicSubscription:TopicSubscription":                                                true,
	"aws:cloudwatch/dashboard:Dashboard":                                                         true,
	"aws:cloudwatch/logMetricFilter:LogMetricFilter":                                             true,
	"aws:apigateway/account:Account":                                                             true,
	"aws:kms/alias:Alias":                                                                        true,
	"aws:wafv2/webAclAssociation:WebAclAssociation":                                              true,
	"aws:s3/bucketVersioningV2:BucketVersioningV2":                                               true,
	"aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2":                     true,
	"aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2": true,
	"aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2":                       true,
	"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock":                                     true,
	"aws:s3/bucketOwnershipControls:BucketOwnershipControls":                                     true,
	"aws:s3/bucketPolicy:BucketPolicy":                                                           true,
	"aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter":                                 true,
	"aws:cfg/recorder:Recorder":                                                                  true,
	"aws:cfg/deliveryChannel:DeliveryChannel":                                                    true,
	"aws:cfg/recorderStatus:RecorderStatus":                                                      true,
	"aws:apigateway/resource:Resource":                                                           true,
	"aws:apigateway/authorizer:Authorizer":                                                       true,
	"aws:apigateway/methodResponse:MethodResponse":                                               true,
	"aws:apigateway/integrationResponse:IntegrationResponse":                                     true,
	"aws:lambda/permission:Permission":                                                           true,
	"aws:cognito/userPoolClient:UserPoolClient":                                                  true,
	"aws:cognito/userPoolDomain:UserPoolDomain":                                                  true,
}

// Taggable reports whether resources of the type take tags.
func Taggable(typ string) bool { return taggable[typ] }

// Classified reports whether the type is known to take tags or not; component
// resources, providers and stack references are not AWS resources and are
// classified too.
func Classified(typ string) bool {
	return taggable[typ] || untaggable[typ] || typ == stackReferenceType ||
		strings.HasPrefix(typ, providerTypePrefix) || strings.HasPrefix(typ, "tenantctl:")
}
