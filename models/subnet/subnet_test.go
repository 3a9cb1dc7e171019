package subnet

import (
	"fmt"
	"testing"

	"github.com/tenantctl/tenantctl/internal/spec"
)

// TestRulesFitWhatValidationAllows: validation counts a tenant's NACL rules as
// spec.SubnetNACLRules against awsLimits.naclRules, and allows at most
// spec.MaxSubnetsOf subnets and spec.MaxAZCount zones, whose rule numbers must
// stay below the next group's. A rule added here without counting it there
// fails.
func TestRulesFitWhatValidationAllows(t *testing.T) {
	s := &spec.Settings{}
	s.SharedVPC.CIDR, s.SharedServices.CIDR = "10.0.0.0/16", "10.255.0.0/16"
	for i := range 2 * spec.MaxAZCount {
		s.SharedVPC.PlatformSubnets = append(s.SharedVPC.PlatformSubnets, fmt.Sprintf("10.0.%d.0/24", i))
	}
	for azs := 2; azs <= spec.MaxAZCount; azs++ {
		s.SharedVPC.AZCount = azs
		for n := 1; n <= spec.MaxSubnetsOf; n++ {
			tn := &spec.Tenant{}
			for i := range n {
				tn.Subnets = append(tn.Subnets, fmt.Sprintf("10.0.%d.0/24", 16+i))
			}
			rules := Rules(s, tn)
			if len(rules) != spec.SubnetNACLRules(s, tn) {
				t.Errorf("%d subnets, %d zones: %d rules, validation counts %d", n, azs, len(rules), spec.SubnetNACLRules(s, tn))
			}
			if last := rules[n-1].Number; last >= RuleSharedServices {
				t.Errorf("%d subnets: the last own rule is %d, not below the shared-services rule %d", n, last, RuleSharedServices)
			}
			if last := rules[n+azs].Number; last <= RuleSharedServices || last >= RuleDenySharedVPC || rules[n+azs].CIDR != s.SharedVPC.PlatformSubnets[azs-1] {
				t.Errorf("%d zones: the last load balancer rule is %d for %s, not between %d and %d", azs, last, rules[n+azs].CIDR, RuleSharedServices, RuleDenySharedVPC)
			}
		}
	}
}
