package datarole

import (
	"reflect"
	"testing"

	"github.com/tenantctl/tenantctl/internal/iampolicy"
	"github.com/tenantctl/tenantctl/internal/testutil/iameval"
	"github.com/tenantctl/tenantctl/models/datatable"
)

const (
	table  = "arn:aws:dynamodb:eu-west-1:111122223333:table/pool"
	bucket = "pool-objects"
)

// A session tagged TenantId=acme reaches acme's partition keys and objects and
// nothing of globex's, through the one policy every pooled tenant shares.
func TestPolicyConfinesTheSessionToItsTenantTag(t *testing.T) {
	text, err := Policy("aws", table, bucket).JSON()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := iampolicy.Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	acme := map[string]string{"TenantId": "acme"}
	cases := []struct {
		name    string
		req     iameval.Request
		allowed bool
	}{
		{"own key", iameval.Request{Action: "dynamodb:GetItem", Resource: table, Keys: map[string][]string{"dynamodb:LeadingKeys": {"acme"}}}, true},
		{"own shard", iameval.Request{Action: "dynamodb:Query", Resource: table + "/index/by-date", Keys: map[string][]string{"dynamodb:LeadingKeys": {"acme#x"}}}, true},
		{"own keys in a batch", iameval.Request{Action: "dynamodb:BatchWriteItem", Resource: table, Keys: map[string][]string{"dynamodb:LeadingKeys": {"acme", "acme#7"}}}, true},
		{"other tenant's key", iameval.Request{Action: "dynamodb:GetItem", Resource: table, Keys: map[string][]string{"dynamodb:LeadingKeys": {"globex"}}}, false},
		{"a batch with one other tenant's key", iameval.Request{Action: "dynamodb:BatchGetItem", Resource: table, Keys: map[string][]string{"dynamodb:LeadingKeys": {"acme", "globex"}}}, false},
		{"a tenant whose id extends acme's", iameval.Request{Action: "dynamodb:GetItem", Resource: table, Keys: map[string][]string{"dynamodb:LeadingKeys": {"acme-corp"}}}, false},
		{"no leading key", iameval.Request{Action: "dynamodb:Query", Resource: table}, false},
		{"scan", iameval.Request{Action: "dynamodb:Scan", Resource: table}, false},
		{"own object", iameval.Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::" + bucket + "/acme/report.csv"}, true},
		{"other tenant's object", iameval.Request{Action: "s3:PutObject", Resource: "arn:aws:s3:::" + bucket + "/globex/report.csv"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.req.PrincipalTags = acme
			if got := iameval.AllowedBy(t, doc, c.req) != ""; got != c.allowed {
				t.Errorf("allowed = %v, want %v", got, c.allowed)
			}
		})
	}
	// A session without the tag reaches nothing.
	untagged := iameval.Request{Action: "dynamodb:GetItem", Resource: table, Keys: map[string][]string{"dynamodb:LeadingKeys": {""}}}
	if sid := iameval.AllowedBy(t, doc, untagged); sid != "" {
		t.Errorf("an untagged session is allowed by %s", sid)
	}
}

// The table statement is the per-tenant one with the tag for the id: the same
// item actions, table and indexes.
func TestPolicyReusesTheTenantTableStatement(t *testing.T) {
	st := Policy("aws", table, bucket).Statement[0]
	want := datatable.OwnPartitionKeys(table, TenantIDTag)
	if !reflect.DeepEqual(st, want) {
		t.Errorf("table statement %+v, want %+v", st, want)
	}
	if got := datatable.LeadingKeys(TenantIDTag); got[0] != "${aws:PrincipalTag/TenantId}" || got[1] != "${aws:PrincipalTag/TenantId}#*" {
		t.Errorf("leading keys %v", got)
	}
}

func TestTrustAdmitsOnlyThePooledServiceWithATenantTag(t *testing.T) {
	const service = "arn:aws:iam::111122223333:role/acme-pooled-service"
	st := Trust(service).Statement[0]
	if st.Principal["AWS"] != service {
		t.Errorf("principal %v", st.Principal)
	}
	if len(st.Action) != 2 || st.Action[0] != "sts:AssumeRole" || st.Action[1] != "sts:TagSession" {
		t.Errorf("actions %v", st.Action)
	}
	if st.Condition["Null"]["aws:RequestTag/TenantId"] != "false" {
		t.Errorf("condition %v: TenantId tag not required", st.Condition)
	}
}

// Without a bucket the policy holds the table statement alone.
func TestPolicyWithoutABucketReachesOnlyTheTable(t *testing.T) {
	d := Policy("aws", table, "")
	if len(d.Statement) != 1 || !reflect.DeepEqual(d.Statement[0], datatable.OwnPartitionKeys(table, TenantIDTag)) {
		t.Errorf("statements %+v, want the table's only", d.Statement)
	}
}
