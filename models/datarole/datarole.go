// Package datarole is the one data role the application (pooled) model's
// tenants share: attribute-based access control, where the session tag
// TenantId=<id> the pooled back end sets when it assumes the role (see
// pkg/tenantcontext.Credentials) stands in for the tenant id that a role per
// tenant writes into its policy. One role then serves every pooled tenant of
// an account instead of one role each, which IAM's roles-per-account quota
// (1,000 by default) would cap.
package datarole

import (
	"github.com/tenantctl/tenantctl/internal/iampolicy"
	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/models/datatable"
)

// TenantIDTag is the policy variable of the session's TenantId tag.
const TenantIDTag = "${aws:PrincipalTag/" + spec.TagTenantID + "}"

// Policy reaches the items of the session's tenant in the pooled table (the
// partition keys datatable.LeadingKeys names, with the tag in place of the
// id) and the objects under its prefix <tenant id>/ in bucket; bucket is ""
// where the platform keeps no pooled objects (the platform stack today),
// which leaves the objects statement out.
func Policy(partition, poolTableArn, bucket string) iampolicy.Document {
	d := iampolicy.Document{Version: iampolicy.Version, Statement: []iampolicy.Statement{
		datatable.OwnPartitionKeys(poolTableArn, TenantIDTag),
	}}
	if bucket != "" {
		d.Statement = append(d.Statement, iampolicy.Statement{
			Sid:      "OwnObjects",
			Effect:   "Allow",
			Action:   []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject"},
			Resource: []string{"arn:" + partition + ":s3:::" + bucket + "/" + TenantIDTag + "/*"},
		})
	}
	return d
}

// Trust lets only the pooled service role assume the data role, and only for a
// session tagged with a tenant: without TenantId the policy variable would
// resolve to nothing the policy allows, but refusing the session outright
// keeps an untagged call from ever holding the role. Tags other than TenantId
// and Tier are refused, so a session carries no tag the policy does not
// expect.
func Trust(pooledServiceRoleArn string) iampolicy.Document {
	return iampolicy.Document{Version: iampolicy.Version, Statement: []iampolicy.Statement{{
		Sid:       "PooledServiceWithTenantTag",
		Effect:    "Allow",
		Principal: map[string]any{"AWS": pooledServiceRoleArn},
		Action:    []string{"sts:AssumeRole", "sts:TagSession"},
		Condition: map[string]map[string]any{
			"Null":                      {"aws:RequestTag/" + spec.TagTenantID: "false"},
			"ForAllValues:StringEquals": {"aws:TagKeys": []string{spec.TagTenantID, spec.TagTier}},
		},
	}}}
}
