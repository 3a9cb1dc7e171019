package models_test

import (
	"fmt"
	"testing"

	"github.com/tenantctl/tenantctl/internal/iampolicy"
	"github.com/tenantctl/tenantctl/internal/render"
	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/internal/testutil/samplefleet"
	"github.com/tenantctl/tenantctl/models"
	"github.com/tenantctl/tenantctl/models/platform"
)

const (
	tVersioning = "aws:s3/bucketVersioningV2:BucketVersioningV2"
	tObjectLock = "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2"
	tBucketSSE  = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
	tLifecycle  = "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"
	tPAB        = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
	tOwnership  = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
)

// policyBySid parses a policy document into statements by Sid.
func policyBySid(t *testing.T, text string) map[string]iampolicy.Statement {
	t.Helper()
	d, err := iampolicy.Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]iampolicy.Statement{}
	for _, st := range d.Statement {
		out[st.Sid] = st
	}
	return out
}

// checkLogArchive: the archive bucket of account (through provider), locked,
// versioned, encrypted with its own key, expiring after the retention, its
// public access blocked, ACLs off, and its policy; the key's policy; the
// organization trail into it.
func checkLogArchive(t *testing.T, res []*render.Resource, account, provider string, days int) {
	t.Helper()
	bucket := named(t, res, tBucket, "platform-log-archive") // beside the lifecycle workflows' archive
	name := "saas-platform-log-archive-" + account
	if str(bucket, "bucket") != name || bucket.Inputs["objectLockEnabled"] != true || bucket.Provider != provider {
		t.Errorf("bucket %v on %s", bucket.Inputs, bucket.Provider)
	}
	bucketID, bucketArn := mockID(bucket.Name), mockArn(tBucket, bucket.Name)
	key := named(t, res, tKey, "platform-log-archive-key")
	keyArn := mockArn(tKey, key.Name)
	for _, typ := range []string{tVersioning, tObjectLock, tBucketSSE, tLifecycle, tPAB, tOwnership, tBucketPol} {
		var r *render.Resource // the log archive's (the lifecycle archive has a public access block too)
		for _, c := range res {
			if c.Type == typ && str(c, "bucket") == bucketID {
				r = c
			}
		}
		if r == nil || r.Provider != provider {
			t.Errorf("%s of bucket %q: %v", typ, bucketID, r)
		}
	}
	if key.Provider != provider || str(named(t, res, tKeyAlias, "platform-log-archive-key-alias"), "name") != "alias/saas-platform-log-archive" {
		t.Errorf("archive key on %s", key.Provider)
	}
	if got := fmt.Sprint(one(t, res, tVersioning).Inputs["versioningConfiguration"]); got != "map[status:Enabled]" {
		t.Errorf("versioning %s", got)
	}
	if got := fmt.Sprint(one(t, res, tObjectLock).Inputs["rule"]); got != fmt.Sprintf("map[defaultRetention:map[days:%d mode:GOVERNANCE]]", days) {
		t.Errorf("object lock %s", got)
	}
	if got := fmt.Sprint(one(t, res, tBucketSSE).Inputs["rules"]); got != "[map[applyServerSideEncryptionByDefault:map[kmsMasterKeyId:"+keyArn+" sseAlgorithm:aws:kms] bucketKeyEnabled:true]]" {
		t.Errorf("encryption %s", got)
	}
	if got := fmt.Sprint(one(t, res, tLifecycle).Inputs["rules"]); got != fmt.Sprintf("[map[expiration:map[days:%d] filter:map[prefix:] id:retention noncurrentVersionExpiration:map[noncurrentDays:%d] status:Enabled transitions:[map[days:90 storageClass:GLACIER]]]]", days, days) {
		t.Errorf("lifecycle %s", got)
	}
	var pab *render.Resource // the log archive's, beside the lifecycle archive's
	for _, r := range res {
		if r.Type == tPAB && r.Inputs["bucket"] == bucketID {
			pab = r
		}
	}
	if pab == nil {
		t.Fatalf("no public access block of %s", bucketID)
	}
	if got := fmt.Sprint(pab.Inputs); got != "map[blockPublicAcls:true blockPublicPolicy:true bucket:"+bucketID+" ignorePublicAcls:true restrictPublicBuckets:true]" {
		t.Errorf("public access block %s", got)
	}
	if got := fmt.Sprint(one(t, res, tOwnership).Inputs["rule"]); got != "map[objectOwnership:BucketOwnerEnforced]" {
		t.Errorf("ownership %s", got)
	}

	trail := "arn:aws:cloudtrail:us-east-1:" + platformAccount + ":trail/saas-platform-org-trail"
	pol := policyBySid(t, str(one(t, res, tBucketPol), "policy"))
	if len(pol) != 6 {
		t.Errorf("bucket policy %v", pol)
	}
	deny := pol["DenyInsecureTransport"]
	if deny.Effect != "Deny" || fmt.Sprint(deny.Condition) != "map[Bool:map[aws:SecureTransport:false]]" {
		t.Errorf("TLS statement %+v", deny)
	}
	for sid, want := range map[string]string{
		"CloudTrailChecksTheBucket": "map[StringEquals:map[aws:SourceArn:" + trail + "]]",
		"CloudTrailWritesTheTrail":  "map[StringEquals:map[aws:SourceArn:" + trail + " s3:x-amz-acl:bucket-owner-full-control]]",
		"ConfigChecksTheBucket":     "map[StringEquals:map[aws:SourceAccount:" + platformAccount + "]]",
	} {
		if got := fmt.Sprint(pol[sid].Condition); got != want {
			t.Errorf("%s condition %s, want %s", sid, got, want)
		}
	}
	if got := fmt.Sprint(pol["CloudTrailWritesTheTrail"].Resource); got != fmt.Sprintf("[%s/AWSLogs/%s/* %s/AWSLogs/%s/*]", bucketArn, platformAccount, bucketArn, render.MockOrganizationID) {
		t.Errorf("trail writes %s", got)
	}
	if got := fmt.Sprint(pol["LogArchiveStreamWritesLogs"].Principal); got != "map[AWS:"+mockArn(tRole, "platform-log-archive")+"]" {
		t.Errorf("stream writer %s", got)
	}

	sts := keyPolicy(t, key)
	checkKeyAdministration(t, sts, account)
	ct := sts["CloudTrailEncryptsTheTrail"]
	if fmt.Sprint(ct.Principal) != "map[Service:cloudtrail.amazonaws.com]" || fmt.Sprint(ct.Action) != "[kms:GenerateDataKey*]" ||
		fmt.Sprint(ct.Condition) != "map[StringEquals:map[aws:SourceArn:"+trail+"] StringLike:map[kms:EncryptionContext:aws:cloudtrail:arn:arn:aws:cloudtrail:*:"+platformAccount+":trail/*]]" {
		t.Errorf("CloudTrail's use of the key %+v", ct)
	}
	w := sts["ArchiveWritersThroughS3"]
	if fmt.Sprint(w.Condition) != "map[ArnEquals:map[aws:PrincipalArn:[arn:aws:iam::"+platformAccount+":role/saas-platform-log-archive arn:aws:iam::"+platformAccount+":role/saas-platform-config]] StringEquals:map[kms:ViaService:s3.us-east-1.amazonaws.com]]" {
		t.Errorf("writers %+v", w)
	}

	tr := one(t, res, tTrail)
	if str(tr, "name") != "saas-platform-org-trail" || tr.Inputs["isOrganizationTrail"] != true || tr.Inputs["isMultiRegionTrail"] != true ||
		tr.Inputs["enableLogFileValidation"] != true || str(tr, "kmsKeyId") != keyArn || str(tr, "s3BucketName") != name || tr.Provider != models.PlatformStack {
		t.Errorf("trail %v on %s", tr.Inputs, tr.Provider)
	}
}

// TestTheAuditTrailIsArchived: in the platform's account (the sample fleet
// names no log archive account), the log archive and the organization trail;
// the stream that archives log groups into it, and the role CloudWatch Logs
// puts into it with, exported for tenant stacks; the platform's access log
// archived.
func TestTheAuditTrailIsArchived(t *testing.T) {
	f := samplefleet.Load(t)
	res, outs := runObserved(t, f, models.PlatformStack, nil, nil)
	checkLogArchive(t, res, platformAccount, models.PlatformStack, spec.DefaultAuditRetentionDays)
	bucketArn := mockArn(tBucket, "platform-log-archive")
	stream := one(t, res, tFirehose)
	s3 := stream.Inputs["extendedS3Configuration"].(map[string]any)
	if str(stream, "destination") != "extended_s3" || s3["bucketArn"] != bucketArn || s3["roleArn"] != mockArn(tRole, "platform-log-archive") ||
		s3["kmsKeyArn"] != mockArn(tKey, "platform-log-archive-key") || s3["prefix"] != "logs/" {
		t.Errorf("stream %v", stream.Inputs)
	}
	streamPolicy := policyBySid(t, str(named(t, res, tRolePolicy, "platform-log-archive"), "policy"))
	if got := fmt.Sprint(streamPolicy["WriteToTheArchive"].Resource); got != "["+bucketArn+" "+bucketArn+"/logs/*]" {
		t.Errorf("stream role writes %s", got)
	}
	sub := named(t, res, tRole, "platform-log-subscription")
	trust := policyBySid(t, str(sub, "assumeRolePolicy"))[""]
	if fmt.Sprint(trust.Principal) != "map[Service:logs.us-east-1.amazonaws.com]" ||
		fmt.Sprint(trust.Condition) != "map[ArnLike:map[aws:SourceArn:arn:aws:logs:us-east-1:111111111111:*] StringEquals:map[aws:SourceAccount:111111111111]]" {
		t.Errorf("subscription role trust %+v", trust)
	}
	put := policyBySid(t, str(named(t, res, tRolePolicy, "platform-log-subscription"), "policy"))["PutIntoTheLogArchiveStream"]
	if fmt.Sprint(put.Action) != "[firehose:PutRecord firehose:PutRecordBatch]" || fmt.Sprint(put.Resource) != "["+mockArn(tFirehose, stream.Name)+"]" {
		t.Errorf("subscription role policy %+v", put)
	}
	filter := one(t, res, tSubFilter)
	if str(filter, "logGroup") != "/saas/platform/api-access" || str(filter, "destinationArn") != mockArn(tFirehose, stream.Name) || str(filter, "roleArn") != mockArn(tRole, sub.Name) {
		t.Errorf("access log subscription %v", filter.Inputs)
	}
	for _, k := range []string{platform.OutLogArchiveStreamArn, platform.OutLogSubscriptionRoleArn} {
		if _, ok := outs[k]; !ok {
			t.Errorf("no %s output", k)
		}
	}
	if n := len(ofType(res, tOU)); n != 2 {
		t.Errorf("%d OUs without a log archive account, want the workload and suspended ones", n)
	}
}

// TestLogArchiveAccount: a fleet that names a log archive account gets the
// archive there, through a provider assuming the organization's access role
// (no external id), and its Infrastructure OU; the trail and the stream stay
// in the platform's (management) account.
func TestLogArchiveAccount(t *testing.T) {
	f := samplefleet.Load(t)
	f.Settings.Audit.LogArchiveAccountID = "999999999999"
	f.Settings.Audit.RetentionDays = 400
	res := mustRun(t, f, models.PlatformStack)
	prov := providerNamed(t, res, platform.LogArchiveProvider)
	role, _ := prov.Inputs["assumeRole"].(map[string]any)
	if role["roleArn"] != "arn:aws:iam::999999999999:role/OrganizationAccountAccessRole" || role["sessionName"] != "tenantctl-platform" || role["externalId"] != nil ||
		fmt.Sprint(prov.Inputs["allowedAccountIds"]) != "[999999999999]" || prov.Inputs["region"] != "us-east-1" {
		t.Errorf("log archive provider %v", prov.Inputs)
	}
	if got, want := fmt.Sprint(prov.Inputs["defaultTags"]), fmt.Sprint(providerNamed(t, res, models.PlatformStack).Inputs["defaultTags"]); got != want {
		t.Errorf("log archive provider tags %s, want the platform's %s", got, want)
	}
	checkLogArchive(t, res, "999999999999", platform.LogArchiveProvider, 400)
	ou := named(t, res, tOU, "platform-ou-infrastructure")
	if str(ou, "name") != "Infrastructure" || str(ou, "parentId") != "r-mock" {
		t.Errorf("infrastructure OU %v", ou.Inputs)
	}
	for _, typ := range []string{tFirehose, tTrail} {
		if r := one(t, res, typ); r.Provider != models.PlatformStack {
			t.Errorf("%s on %s, want the platform's account", typ, r.Provider)
		}
	}
}

// TestTenantLogsAreArchived: every log group of a tenant in the platform's
// account is subscribed to the log archive stream; an account-model
// tenant's, in its own account, are not.
func TestTenantLogsAreArchived(t *testing.T) {
	f := samplefleet.Load(t)
	for _, tn := range f.Tenants {
		res := mustRun(t, f, tn.ID)
		filters := ofType(res, tSubFilter)
		if tn.Model == spec.ModelAccount {
			if len(filters) != 0 {
				t.Errorf("%s: %d subscriptions in its own account", tn.ID, len(filters))
			}
			continue
		}
		group := "/saas/" + tn.ID + "/service"
		if tn.Model == spec.ModelApplication {
			group = "/saas/" + tn.ID + "/app"
		}
		if len(filters) != 1 || str(filters[0], "logGroup") != group || str(filters[0], "destinationArn") != logArchiveStream ||
			str(filters[0], "roleArn") != logSubscriptionRole || str(filters[0], "name") != "saas-"+tn.ID+"-archive" || str(filters[0], "filterPattern") != "" {
			t.Errorf("%s subscriptions %v", tn.ID, filters)
		}
	}
}
