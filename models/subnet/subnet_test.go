package subnet

import (
	"fmt"
	"testing"

	"github.com/tenantctl/tenantctl/internal/spec"
)

// TestRulesFitWhatValidationAllows: validation counts a tenant's NACL rules as
// its subnets plus spec.SubnetNACLBaseRules against awsLimits.naclRules, and
// allows at most spec.MaxSubnetsOf subnets, whose rule numbers must stay below
// the shared rules'. A rule added here without raising the base fails.
func TestRulesFitWhatValidationAllows(t *testing.T) {
	s := &spec.Settings{}
	s.SharedVPC.CIDR, s.SharedServices.CIDR = "10.0.0.0/16", "10.255.0.0/16"
	for n := 1; n <= spec.MaxSubnetsOf; n++ {
		tn := &spec.Tenant{}
		for i := range n {
			tn.Subnets = append(tn.Subnets, fmt.Sprintf("10.0.%d.0/24", 16+i))
		}
		rules := Rules(s, tn)
		if len(rules) != n+spec.SubnetNACLBaseRules {
			t.Errorf("%d subnets: %d rules, validation counts %d", n, len(rules), n+spec.SubnetNACLBaseRules)
		}
		if last := rules[n-1].Number; last >= RuleSharedServices {
			t.Errorf("%d subnets: the last own rule is %d, not below the shared-services rule %d", n, last, RuleSharedServices)
		}
	}
}
