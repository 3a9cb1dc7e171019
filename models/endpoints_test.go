package models_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tenantctl/tenantctl/internal/testutil/samplefleet"
	"github.com/tenantctl/tenantctl/models"
	"github.com/tenantctl/tenantctl/models/network"
)

// TestEveryVPCHasItsEndpoints: every VPC a model builds (the platform's
// shared VPC, vpc and account tenants' own, in their regions) has S3 and
// DynamoDB gateway endpoints on its private route table and ecr.api,
// ecr.dkr, logs and sts interface endpoints with private DNS behind a
// security group that admits only HTTPS from the VPC; the shared VPC's
// interface endpoints are in its public subnets, which subnet tenants'
// network ACLs admit.
func TestEveryVPCHasItsEndpoints(t *testing.T) {
	f := samplefleet.Load(t)
	cases := []struct {
		stack, owner, region, cidr, subnets string
	}{
		{models.PlatformStack, "platform-shared", "us-east-1", "10.0.0.0/16", "public"},
		{"initech", "initech-vpc", "us-east-1", "10.10.0.0/16", "private"},
		{"acme-corp", "acme-corp-vpc", "us-east-1", "10.20.0.0/16", "private"},
		{"globex", "globex-vpc", "eu-west-1", "10.21.0.0/16", "private"},
	}
	for _, c := range cases {
		t.Run(c.stack, func(t *testing.T) {
			res := mustRun(t, f, c.stack)
			sg := named(t, res, tSG, c.owner+"-endpoint-sg")
			ingress, _ := sg.Inputs["ingress"].([]any)
			if len(ingress) != 1 || fmt.Sprint(ingress[0].(map[string]any)["cidrBlocks"]) != "["+c.cidr+"]" ||
				ingress[0].(map[string]any)["fromPort"] != int64(443) || ingress[0].(map[string]any)["toPort"] != int64(443) {
				t.Errorf("endpoint security group ingress %v", ingress)
			}
			var subnets []any
			for _, s := range ofType(res, tSubnet) {
				if strings.HasPrefix(s.Name, c.owner+"-"+c.subnets+"-") {
					subnets = append(subnets, mockID(s.Name))
				}
			}
			endpoints := 0
			for _, e := range ofType(res, tEndpoint) {
				if !strings.HasPrefix(e.Name, c.owner+"-endpoint-") {
					continue
				}
				endpoints++
				svc := strings.TrimPrefix(e.Name, c.owner+"-endpoint-")
				if str(e, "serviceName") != network.EndpointService(c.region, svc) || str(e, "serviceName") != "com.amazonaws."+c.region+"."+svc ||
					str(e, "vpcId") != mockID(c.owner) {
					t.Errorf("%s: %v", e.Name, e.Inputs)
				}
				switch svc {
				case "s3", "dynamodb":
					if str(e, "vpcEndpointType") != "Gateway" || fmt.Sprint(e.Inputs["routeTableIds"]) != "["+mockID(c.owner+"-private")+"]" {
						t.Errorf("%s: %v", e.Name, e.Inputs)
					}
				case "ecr.api", "ecr.dkr", "logs", "sts":
					if str(e, "vpcEndpointType") != "Interface" || e.Inputs["privateDnsEnabled"] != true ||
						fmt.Sprint(e.Inputs["securityGroupIds"]) != "["+mockID(sg.Name)+"]" || fmt.Sprint(e.Inputs["subnetIds"]) != fmt.Sprint(subnets) {
						t.Errorf("%s: %v (subnets %v)", e.Name, e.Inputs, subnets)
					}
				default:
					t.Errorf("unexpected endpoint %s", e.Name)
				}
			}
			if endpoints != len(network.GatewayEndpoints)+len(network.InterfaceEndpoints) || len(subnets) == 0 {
				t.Errorf("%d endpoints in %d subnets", endpoints, len(subnets))
			}
		})
	}
}

// mockID is the id the recording mocks give a resource.
func mockID(name string) string { return name + "-id" }
