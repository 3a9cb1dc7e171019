package models_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/tenantctl/tenantctl/internal/render"
	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/internal/testutil/samplefleet"
	"github.com/tenantctl/tenantctl/models"
	"github.com/tenantctl/tenantctl/models/account"
	"github.com/tenantctl/tenantctl/models/certificate"
	"github.com/tenantctl/tenantctl/models/platform"
)

// exported runs a stack under the recording mocks (runResolved) and returns
// its resources and the values of its string and string-list outputs (lists
// joined by ",").
func exported(t *testing.T, f *spec.Fleet, stack string) ([]*render.Resource, map[string]string) {
	t.Helper()
	res, values := runResolved(t, f, stack)
	out := map[string]string{}
	for k, v := range values {
		switch v := v.(type) {
		case string:
			out[k] = v
		case pulumi.ID:
			out[k] = string(v)
		case []string:
			out[k] = strings.Join(v, ",")
		}
	}
	return res, out
}

// jsonOf prints a value as JSON, for exact comparisons of nested inputs.
func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func wantJSON(t *testing.T, what string, got, want any) {
	t.Helper()
	if g, w := jsonOf(t, got), jsonOf(t, want); g != w {
		t.Errorf("%s\n got %s\nwant %s", what, g, w)
	}
}

// redirect is the default action of every port-80 listener.
var redirect = []any{map[string]any{
	"type": "redirect", "redirect": map[string]any{"port": "443", "protocol": "HTTPS", "statusCode": "HTTP_301"},
}}

// webIngress is the ingress of every internet-facing load balancer's group.
var webIngress = []any{
	map[string]any{"description": "HTTPS", "protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": []any{"0.0.0.0/0"}},
	map[string]any{"description": "HTTP, redirected to HTTPS", "protocol": "tcp", "fromPort": 80, "toPort": 80, "cidrBlocks": []any{"0.0.0.0/0"}},
}

// checkCertificate checks a DNS-validated certificate of owner for domains:
// one validation record per name under a wildcard, in zone, and the
// validation of the certificate by those records. It returns the
// certificate's ARN.
func checkCertificate(t *testing.T, res []*render.Resource, owner string, domains []string, zone string) string {
	t.Helper()
	cert := named(t, res, tCert, owner+"-cert")
	if str(cert, "domainName") != domains[0] || str(cert, "validationMethod") != "DNS" {
		t.Errorf("%s certificate: %v", owner, cert.Inputs)
	}
	if got, want := fmt.Sprint(cert.Inputs["subjectAlternativeNames"]), fmt.Sprint(toAny(domains[1:])); len(domains) > 1 && got != want {
		t.Errorf("%s certificate names %s, want %s", owner, got, want)
	}
	var fqdns []any
	for i, name := range certificate.RecordOwners(domains) {
		rec := named(t, res, tRecord, fmt.Sprintf("%s-cert-validation-%d", owner, i))
		wantName := render.MockValidationLabel + "." + name + "."
		if str(rec, "zoneId") != zone || str(rec, "name") != wantName || str(rec, "type") != "CNAME" ||
			fmt.Sprint(rec.Inputs["records"]) != "["+render.MockValidationValue+"]" {
			t.Errorf("%s validation record %d: %v, want %s in %s", owner, i, rec.Inputs, wantName, zone)
		}
		fqdns = append(fqdns, strings.TrimSuffix(wantName, "."))
	}
	if n := len(ofType(res, tRecord)); len(fqdns) >= n {
		t.Errorf("%s: %d records, only validation records", owner, n)
	}
	arn := mockArn(tCert, owner+"-cert")
	v := named(t, res, tCertValid, owner+"-cert")
	if str(v, "certificateArn") != arn {
		t.Errorf("%s validation of %q, want %s", owner, str(v, "certificateArn"), arn)
	}
	wantJSON(t, owner+" validation records", v.Inputs["validationRecordFqdns"], fqdns)
	return arn
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// checkAlias checks the alias A record of host in zone, to a load balancer.
func checkAlias(t *testing.T, rec *render.Resource, host, zone, dnsName, lbZone string) {
	t.Helper()
	if str(rec, "name") != host || str(rec, "type") != "A" || str(rec, "zoneId") != zone {
		t.Errorf("alias record %s: %v, want %s in %s", rec.Name, rec.Inputs, host, zone)
	}
	wantJSON(t, rec.Name+" alias", rec.Inputs["aliases"], []any{map[string]any{"name": dnsName, "zoneId": lbZone, "evaluateTargetHealth": true}})
}

// TestPlatformServesHTTPS: the platform's zone and its certificate for the
// domain and every name under it (both validated by one record), an HTTPS
// listener on every shared load balancer with the certificate and the TLS
// policy, port 80 redirected, the load balancers' group open on 443 and 80,
// and the pooled API at api.<domain>; the stack exports all of it.
func TestPlatformServesHTTPS(t *testing.T) {
	f := samplefleet.Load(t)
	res, outs := exported(t, f, models.PlatformStack)
	zone := one(t, res, tZone)
	if str(zone, "name") != "app.example.com" {
		t.Errorf("zone %v", zone.Inputs)
	}
	zoneID := "platform-zone-id"
	certArn := checkCertificate(t, res, "platform", []string{"*.app.example.com", "app.example.com"}, zoneID)
	if n := len(ofType(res, tRecord)); n != 2 {
		t.Errorf("%d records, want the shared validation record and the API's alias", n)
	}
	var https []string
	for i := range platform.ListenerCount(f) {
		alb := mockArn(tLB, fmt.Sprintf("platform-lb-%d", i))
		l := named(t, res, tListener, fmt.Sprintf("platform-lb-%d-https", i))
		if str(l, "loadBalancerArn") != alb || l.Inputs["port"] != int64(443) || str(l, "protocol") != "HTTPS" ||
			str(l, "sslPolicy") != platform.TLSPolicy || str(l, "certificateArn") != certArn {
			t.Errorf("HTTPS listener %d: %v", i, l.Inputs)
		}
		https = append(https, mockArn(tListener, l.Name))
		h := named(t, res, tListener, fmt.Sprintf("platform-lb-%d-http", i))
		if str(h, "loadBalancerArn") != alb || h.Inputs["port"] != int64(80) || str(h, "protocol") != "HTTP" {
			t.Errorf("HTTP listener %d: %v", i, h.Inputs)
		}
		wantJSON(t, "HTTP listener's default action", h.Inputs["defaultActions"], redirect)
	}
	wantJSON(t, "load balancer ingress", named(t, res, tSG, "platform-lb").Inputs["ingress"], webIngress)

	api := one(t, res, tDomainName)
	if str(api, "domainName") != "api.app.example.com" || str(api, "regionalCertificateArn") != certArn ||
		str(api, "securityPolicy") != platform.APISecurityPolicy || fmt.Sprint(api.Inputs["endpointConfiguration"]) != "map[types:REGIONAL]" {
		t.Errorf("API domain %v", api.Inputs)
	}
	m := one(t, res, tBasePath)
	if str(m, "domainName") != "api.app.example.com" || str(m, "restApi") != "platform-api-id" || str(m, "stageName") != platform.APIStageName {
		t.Errorf("base path mapping %v", m.Inputs)
	}
	alias := named(t, res, tRecord, "platform-api-dns")
	if str(alias, "name") != "api.app.example.com" || str(alias, "type") != "A" || str(alias, "zoneId") != zoneID {
		t.Errorf("API alias %v", alias.Inputs)
	}
	wantJSON(t, "API alias", alias.Inputs["aliases"], []any{map[string]any{
		"name": "d-mock.execute-api.us-east-1.amazonaws.com", "zoneId": render.MockAPIZoneID, "evaluateTargetHealth": false,
	}})

	for k, want := range map[string]string{
		platform.OutZoneID:              zoneID,
		platform.OutZoneNameServers:     strings.Join(render.MockNameServers, ","),
		platform.OutCertificateArn:      certArn,
		platform.OutListenerArns:        strings.Join(https, ","),
		platform.OutLoadBalancerZoneIDs: render.MockLoadBalancerZoneID,
		platform.OutAPIDomain:           "api.app.example.com",
		platform.OutPublicSubnetIDs:     "platform-shared-public-0-id,platform-shared-public-1-id",
	} {
		if outs[k] != want {
			t.Errorf("output %s = %q, want %q", k, outs[k], want)
		}
	}
}

// TestPlatformUsesTheGivenZone: with dns.zoneId the platform creates no
// zone and puts its records in the given one.
func TestPlatformUsesTheGivenZone(t *testing.T) {
	f := samplefleet.Load(t)
	f.Settings.DNS.ZoneID = "Z0GIVEN"
	res, outs := exported(t, f, models.PlatformStack)
	if n := len(ofType(res, tZone)); n != 0 {
		t.Errorf("%d zones created", n)
	}
	for _, r := range ofType(res, tRecord) {
		if str(r, "zoneId") != "Z0GIVEN" {
			t.Errorf("%s in zone %q", r.Name, str(r, "zoneId"))
		}
	}
	if outs[platform.OutZoneID] != "Z0GIVEN" || outs[platform.OutZoneNameServers] == "" {
		t.Errorf("outputs zone %q, name servers %q", outs[platform.OutZoneID], outs[platform.OutZoneNameServers])
	}
}

// TestSharedIngress: container and subnet tenants (of a tier that says
// nothing) get a host rule for their name at their priority on the shared
// HTTPS listener of that priority, and an alias record of the name in the
// platform's zone to that listener's load balancer; nothing of their own
// serves HTTPS.
func TestSharedIngress(t *testing.T) {
	f := samplefleet.Load(t)
	for _, id := range []string{"soylent", "stark-industries", "hooli"} {
		t.Run(id, func(t *testing.T) {
			tn := f.Tenant(id)
			host := f.Settings.Hostname(tn)
			res, outs := exported(t, f, id)
			rule := one(t, res, tRule)
			i := platform.ListenerIndex(tn.Service.ListenerPriority, f.Settings.LoadBalancer.RulesPerListener)
			if str(rule, "listenerArn") != listenerArns[i] || rule.Inputs["priority"] != int64(tn.Service.ListenerPriority) {
				t.Errorf("rule on %q at %v", str(rule, "listenerArn"), rule.Inputs["priority"])
			}
			if got := fmt.Sprint(rule.Inputs["conditions"]); got != "[map[hostHeader:map[values:["+host+"]]]]" {
				t.Errorf("conditions %s", got)
			}
			tg := one(t, res, tTG)
			if str(tg, "vpcId") != "vpc-0shared" || str(tg, "targetType") != "ip" {
				t.Errorf("target group %v", tg.Inputs)
			}
			lbs, _ := one(t, res, tService).Inputs["loadBalancers"].([]any)
			if len(lbs) != 1 || lbs[0].(map[string]any)["targetGroupArn"] != mockArn(tTG, tg.Name) {
				t.Errorf("service load balancers %v", lbs)
			}
			checkAlias(t, one(t, res, tRecord), host, platformZone, lbDNSNames[i].(string), lbZoneIDs[i].(string))
			for _, typ := range []string{tLB, tListener, tCert, tCertValid, tZone} {
				if n := len(ofType(res, typ)); n > 0 {
					t.Errorf("%d %s of its own", n, typ)
				}
			}
			if outs["url"] != "https://"+host+"/" {
				t.Errorf("url %q", outs["url"])
			}
		})
	}
	if host := f.Settings.Hostname(f.Tenant("stark-industries")); host != "stark.app.example.com" {
		t.Errorf("stark-industries answers at %s, not its domainName", host)
	}
}

// dedicatedCase is a tenant with a load balancer of its own: where it lives
// and where its records go.
type dedicatedCase struct {
	id            string
	vpc, cidr     string
	publicSubnets []string
	zone          string
	region        string
}

// TestDedicatedIngress: vpc and account tenants, and subnet tenants of a
// tier with dedicated ingress, get an internet-facing load balancer in their
// network's public subnets, its group open on 443 and 80 and out to the
// service port only, an HTTPS listener with the TLS policy and a certificate
// for the tenant's name (validated in the zone) forwarding to the tenant's
// target group, port 80 redirected, and the alias record of the name.
func TestDedicatedIngress(t *testing.T) {
	f := samplefleet.Load(t)
	f.Settings.Tiers["premium"].Ingress = spec.IngressDedicated
	cases := []dedicatedCase{
		{"initech", "initech-vpc-id", "10.10.0.0/16", []string{"initech-vpc-public-0-id", "initech-vpc-public-1-id"}, platformZone, "us-east-1"},
		{"acme-corp", "acme-corp-vpc-id", "10.20.0.0/16", []string{"acme-corp-vpc-public-0-id", "acme-corp-vpc-public-1-id", "acme-corp-vpc-public-2-id"}, "acme-corp-zone-id", "us-east-1"},
		{"globex", "globex-vpc-id", "10.21.0.0/16", []string{"globex-vpc-public-0-id", "globex-vpc-public-1-id"}, "globex-zone-id", "eu-west-1"},
		{"hooli", "vpc-0shared", "10.0.0.0/16", []string{"subnet-0pub0", "subnet-0pub1"}, platformZone, "us-east-1"},
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			tn := f.Tenant(c.id)
			host := f.Settings.Hostname(tn)
			if tn.Network != nil && tn.Network.CIDR != c.cidr {
				t.Fatalf("the sample tenant's network is %s now", tn.Network.CIDR)
			}
			res, outs := exported(t, f, c.id)
			checkDedicated(t, res, tn, c, host)
			if outs["url"] != "https://"+host+"/" || outs["loadBalancerDnsName"] != "saas-"+c.id+"-lb-1."+c.region+".elb.amazonaws.com" {
				t.Errorf("outputs url %q, loadBalancerDnsName %q", outs["url"], outs["loadBalancerDnsName"])
			}
		})
	}
	if got := platform.ListenerCount(f); got != 1 {
		t.Errorf("the platform counts %d listeners with its subnet tenants on their own load balancers", got)
	}
}

func checkDedicated(t *testing.T, res []*render.Resource, tn *spec.Tenant, c dedicatedCase, host string) {
	t.Helper()
	id, port := tn.ID, tn.Service.Port
	alb := one(t, res, tLB)
	if str(alb, "name") != "saas-"+id+"-lb" || alb.Inputs["internal"] != false || str(alb, "loadBalancerType") != "application" ||
		fmt.Sprint(alb.Inputs["subnets"]) != fmt.Sprint(toAny(c.publicSubnets)) || fmt.Sprint(alb.Inputs["securityGroups"]) != "["+id+"-lb-id]" {
		t.Errorf("load balancer %v", alb.Inputs)
	}
	sg := named(t, res, tSG, id+"-lb")
	if str(sg, "vpcId") != c.vpc {
		t.Errorf("load balancer's group in %q", str(sg, "vpcId"))
	}
	wantJSON(t, "load balancer ingress", sg.Inputs["ingress"], webIngress)
	wantJSON(t, "load balancer egress", sg.Inputs["egress"], []any{map[string]any{
		"description": "To the tenant's tasks", "protocol": "tcp", "fromPort": port, "toPort": port, "cidrBlocks": []any{c.cidr},
	}})
	tg := one(t, res, tTG)
	if str(tg, "vpcId") != c.vpc || str(tg, "targetType") != "ip" {
		t.Errorf("target group %v", tg.Inputs)
	}
	certArn := checkCertificate(t, res, id, []string{host}, c.zone)
	https := named(t, res, tListener, id+"-lb-https")
	if str(https, "loadBalancerArn") != mockArn(tLB, alb.Name) || https.Inputs["port"] != int64(443) || str(https, "protocol") != "HTTPS" ||
		str(https, "sslPolicy") != platform.TLSPolicy || str(https, "certificateArn") != certArn {
		t.Errorf("HTTPS listener %v", https.Inputs)
	}
	wantJSON(t, "HTTPS listener's default action", https.Inputs["defaultActions"], []any{map[string]any{"type": "forward", "targetGroupArn": mockArn(tTG, tg.Name)}})
	http := named(t, res, tListener, id+"-lb-http")
	if str(http, "loadBalancerArn") != mockArn(tLB, alb.Name) || http.Inputs["port"] != int64(80) || str(http, "protocol") != "HTTP" {
		t.Errorf("HTTP listener %v", http.Inputs)
	}
	wantJSON(t, "HTTP listener's default action", http.Inputs["defaultActions"], redirect)
	checkAlias(t, named(t, res, tRecord, id+"-dns"), host, c.zone, "saas-"+id+"-lb-1."+c.region+".elb.amazonaws.com", render.MockLoadBalancerZoneID)
	if n := len(ofType(res, tRule)); n != 0 {
		t.Errorf("%d rules on the shared listener", n)
	}
	lbs, _ := one(t, res, tService).Inputs["loadBalancers"].([]any)
	if len(lbs) != 1 || lbs[0].(map[string]any)["targetGroupArn"] != mockArn(tTG, tg.Name) {
		t.Errorf("service load balancers %v", lbs)
	}
}

// TestAccountTenantDelegatesItsName: the zone of an account-model tenant's
// name is in its account, delegated by an NS record in the platform's zone
// written through the platform account's provider; its certificate's
// validation record and its alias record are in its own zone.
func TestAccountTenantDelegatesItsName(t *testing.T) {
	f := samplefleet.Load(t)
	for _, id := range []string{"acme-corp", "globex"} {
		t.Run(id, func(t *testing.T) {
			host := f.Settings.Hostname(f.Tenant(id))
			res, outs := exported(t, f, id)
			zone := one(t, res, tZone)
			if str(zone, "name") != host || zone.Provider != id {
				t.Errorf("zone %v through %s", zone.Inputs, zone.Provider)
			}
			ns := named(t, res, tRecord, id+"-zone-delegation")
			if ns.Provider != id+"-"+models.PlatformProviderSuffix || str(ns, "zoneId") != platformZone || str(ns, "name") != host ||
				str(ns, "type") != "NS" || ns.Inputs["ttl"] != int64(account.DelegationTTL) {
				t.Errorf("delegation %v through %s", ns.Inputs, ns.Provider)
			}
			wantJSON(t, "delegation", ns.Inputs["records"], toAny(render.MockNameServers))
			for _, r := range ofType(res, tRecord) {
				if r != ns && (r.Provider != id || str(r, "zoneId") != id+"-zone-id") {
					t.Errorf("%s in zone %q through %s, want the tenant's zone through its provider", r.Name, str(r, "zoneId"), r.Provider)
				}
			}
			for _, r := range []*render.Resource{one(t, res, tCert), one(t, res, tLB)} {
				if r.Provider != id {
					t.Errorf("%s through %s", r.Name, r.Provider)
				}
			}
			if outs["zoneId"] != id+"-zone-id" || outs["zoneNameServers"] != strings.Join(render.MockNameServers, ",") {
				t.Errorf("outputs zoneId %q, zoneNameServers %q", outs["zoneId"], outs["zoneNameServers"])
			}
		})
	}
}

// TestServicesAdmitOnlyTheirLoadBalancer: every tenant service's security
// group admits its port from the security group of the load balancer in
// front of it (the platform's shared one, or the tenant's own), and from
// nothing else.
func TestServicesAdmitOnlyTheirLoadBalancer(t *testing.T) {
	f := samplefleet.Load(t)
	checked := 0
	for _, tn := range f.Tenants {
		if !tn.Model.RunsService() {
			continue
		}
		res := mustRun(t, f, tn.ID)
		want := lbSG
		if !f.Settings.UsesSharedListener(tn) {
			want = tn.ID + "-lb-id"
		}
		port := tn.Service.Port
		wantJSON(t, tn.ID+" service ingress", named(t, res, tSG, tn.ID+"-service").Inputs["ingress"], []any{map[string]any{
			"description": "Service port, from the load balancer only", "protocol": "tcp", "fromPort": port, "toPort": port,
			"securityGroups": []any{want},
		}})
		checked++
	}
	if checked < 8 {
		t.Fatalf("only %d services checked", checked)
	}
}

// TestEveryTenantIsRegisteredAndExportsItsURL: every tenant's stack writes
// its item into the platform's registry table (in the platform's account)
// and exports its HTTPS address; application tenants' is the pooled API's.
func TestEveryTenantIsRegisteredAndExportsItsURL(t *testing.T) {
	f := samplefleet.Load(t)
	for _, tn := range f.Tenants {
		t.Run(tn.ID, func(t *testing.T) {
			res, outs := exported(t, f, tn.ID)
			url := f.Settings.URL(tn)
			if tn.Model == spec.ModelApplication && url != "https://api.app.example.com/" {
				t.Errorf("application tenant at %s", url)
			}
			if outs["url"] != url {
				t.Errorf("url output %q, want %q", outs["url"], url)
			}
			item := named(t, res, tItem, tn.ID+"-registry")
			wantProvider := tn.ID
			acct := platformAccount
			if tn.Model == spec.ModelAccount {
				wantProvider += "-" + models.PlatformProviderSuffix
				acct = tn.Account.ID
				if acct == "" {
					acct = "345678901234" // the stack's tenantctl:accountId
				}
			}
			if item.Provider != wantProvider || str(item, "tableName") != "saas-platform-registry" || str(item, "hashKey") != platform.RegistryHashKey {
				t.Errorf("registry item through %s: %v", item.Provider, item.Inputs)
			}
			var attrs map[string]map[string]string
			if err := json.Unmarshal([]byte(str(item, "item")), &attrs); err != nil {
				t.Fatal(err)
			}
			for k, want := range map[string]string{
				platform.RegistryHashKey: tn.ID, "name": tn.Name, "model": string(tn.Model), "tier": tn.Tier,
				"status": string(tn.Status), "url": url, "dataMode": string(tn.Data.Mode), "accountId": acct, "region": tn.Region,
			} {
				if attrs[k]["S"] != want {
					t.Errorf("attribute %s = %v, want %q", k, attrs[k], want)
				}
			}
			if tn.Model == spec.ModelApplication {
				for _, k := range []string{"apiKeyId", "usagePlanId", "dataRoleArn", "userGroup"} {
					if attrs[k]["S"] == "" {
						t.Errorf("application attribute %s missing: %v", k, attrs)
					}
				}
			}
		})
	}
}
