package models_test

import (
	"fmt"
	"testing"

	"github.com/tenantctl/tenantctl/internal/render"
	"github.com/tenantctl/tenantctl/internal/testutil/samplefleet"
	"github.com/tenantctl/tenantctl/models"
	"github.com/tenantctl/tenantctl/models/platform"
	"github.com/tenantctl/tenantctl/models/webacl"
)

// checkWebACL: a regional web ACL named name that allows by default, blocks
// a client IP past limit requests in 5 minutes, then runs AWS's common and
// known-bad-inputs rule groups.
func checkWebACL(t *testing.T, acl *render.Resource, name string, limit int) {
	t.Helper()
	if str(acl, "name") != name || str(acl, "scope") != webacl.Scope || fmt.Sprint(acl.Inputs["defaultAction"]) != "map[allow:map[]]" {
		t.Errorf("web ACL %v", acl.Inputs)
	}
	rules, _ := acl.Inputs["rules"].([]any)
	if len(rules) != 3 {
		t.Fatalf("%d rules", len(rules))
	}
	rate := rules[0].(map[string]any)
	st := rate["statement"].(map[string]any)["rateBasedStatement"].(map[string]any)
	if rate["name"] != webacl.RateRule || rate["priority"] != int64(0) || fmt.Sprint(rate["action"]) != "map[block:map[]]" ||
		st["limit"] != int64(limit) || st["aggregateKeyType"] != "IP" {
		t.Errorf("rate rule %v", rate)
	}
	for i, group := range []string{webacl.CommonRuleSet, webacl.KnownBadInputsRules} {
		r := rules[i+1].(map[string]any)
		m := r["statement"].(map[string]any)["managedRuleGroupStatement"].(map[string]any)
		if m["vendorName"] != "AWS" || m["name"] != group || r["priority"] != int64(i+1) || fmt.Sprint(r["overrideAction"]) != "map[none:map[]]" {
			t.Errorf("rule %d: %v", i+1, r)
		}
		if fmt.Sprint(r["visibilityConfig"].(map[string]any)["cloudwatchMetricsEnabled"]) != "true" {
			t.Errorf("rule %d is not measured: %v", i+1, r)
		}
	}
}

// TestWebACLsGuardEveryEntrance: every load balancer of a tenant's own has a
// web ACL of its own at its tier's rate limit; the platform's web ACL, at the
// highest limit of the tiers behind them, guards every shared load balancer
// and the pooled API's stage; tenants behind the shared load balancer have
// none of their own.
func TestWebACLsGuardEveryEntrance(t *testing.T) {
	f := samplefleet.Load(t)
	for stack, limit := range map[string]int{"initech": 10000, "acme-corp": 10000, "globex": 10000, "umbrella": 5000} {
		t.Run(stack, func(t *testing.T) {
			res := mustRun(t, f, stack)
			if got := f.TierOf(f.Tenant(stack)).WAF.RateLimit; got != limit {
				t.Fatalf("the sample's tier gives %d", got)
			}
			acl := one(t, res, tWebACL)
			checkWebACL(t, acl, "saas-"+stack+"-waf", limit)
			link := one(t, res, tWebACLLink)
			if str(link, "webAclArn") != mockArn(tWebACL, acl.Name) || str(link, "resourceArn") != mockArn(tLB, stack+"-lb") {
				t.Errorf("association %v", link.Inputs)
			}
		})
	}
	for _, stack := range []string{"hooli", "soylent", "wonka"} {
		if n := len(ofType(mustRun(t, f, stack), tWebACL)); n != 0 {
			t.Errorf("%s has %d web ACLs of its own", stack, n)
		}
	}
	res := mustRun(t, f, models.PlatformStack)
	acl := one(t, res, tWebACL)
	if platform.SharedRateLimit(&f.Settings) != 5000 {
		t.Errorf("shared rate limit %d, want premium's 5000", platform.SharedRateLimit(&f.Settings))
	}
	checkWebACL(t, acl, "saas-platform-waf", 5000)
	targets := map[string]bool{}
	for _, l := range ofType(res, tWebACLLink) {
		if str(l, "webAclArn") != mockArn(tWebACL, acl.Name) {
			t.Errorf("%s: %v", l.Name, l.Inputs)
		}
		targets[str(l, "resourceArn")] = true
	}
	for _, want := range []string{mockArn(tLB, "platform-lb-0"), mockArn(tStage, "platform-api-v1")} {
		if !targets[want] {
			t.Errorf("the platform's web ACL is not in front of %s (%v)", want, targets)
		}
	}
}
