package spec

import (
	"fmt"
	"os"
	"testing"
)

// pooledFleet is the sample settings with n pooled tenants, the first
// withPolicy of them with a data policy.
func pooledFleet(t *testing.T, n, withPolicy int) *Fleet {
	t.Helper()
	settings, err := os.ReadFile(sampleDir + "/" + SettingsFile)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{SettingsFile: settings}
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("pooled-%04d", i)
		body := fmt.Sprintf("id: %s\nname: Pooled %d\ntier: free\ncostCenter: CC-1\nowner: ops@example.com\n", id, i)
		if i < withPolicy {
			body += "data:\n  policy:\n    - actions: [s3:GetObject]\n      resources: [\"arn:aws:s3:::exports/" + id + "/*\"]\n"
		}
		files[id+".yaml"] = []byte(body)
	}
	f, err := ParseFleet("tenants", files)
	if err != nil {
		t.Fatal(err)
	}
	if err := Validate(f); err != nil {
		t.Fatalf("the fleet of %d pooled tenants is invalid:\n%.2000s", n, err)
	}
	return f
}

// 1,000 pooled tenants share one data role: the SaaS account holds the
// platform's 3 identity roles and its security baseline's 5, where a role
// per tenant made 1,000 more, past IAM's default quota of 1,000 (which the
// fleet passes here). A tenant with a data policy adds its own role; groups
// stay two per tenant.
func TestPooledTenantsShareOneDataRole(t *testing.T) {
	f := pooledFleet(t, 1000, 0)
	u := UseOf(f)
	if got := u.IAMRoles(); got != PlatformRoles+BaselineRoles || PlatformRoles != 3 || BaselineRoles != 5 {
		t.Errorf("1,000 pooled tenants: %d IAM roles, want the platform's 3 and its baseline's 5", got)
	}
	if got := u.CognitoGroups(); got != 2001 {
		t.Errorf("1,000 tenants: %d Cognito groups, want 2,001", got)
	}
	if u.Pooled != 1000 {
		t.Errorf("%d pooled tenants counted", u.Pooled)
	}
	if got := UseOf(pooledFleet(t, 1000, 10)).IAMRoles(); got != 18 {
		t.Errorf("10 of 1,000 with a data policy: %d IAM roles, want 18", got)
	}
}
