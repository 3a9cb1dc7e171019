package models_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tenantctl/tenantctl/internal/testutil/samplefleet"
	"github.com/tenantctl/tenantctl/models"
	"github.com/tenantctl/tenantctl/models/platform"
)

// TestAWSConfigRecordsIntoTheArchive: AWS Config records every resource type
// of the platform's account with a role trusted by Config for that account
// only, delivers into the log archive under config/ with the archive's key,
// is started once its channel exists; an aggregator reads the whole
// organization in every region.
func TestAWSConfigRecordsIntoTheArchive(t *testing.T) {
	res := mustRun(t, samplefleet.Load(t), models.PlatformStack)
	role := named(t, res, tRole, "platform-config")
	trust := policyBySid(t, str(role, "assumeRolePolicy"))[""]
	if str(role, "name") != "saas-platform-config" || fmt.Sprint(trust.Principal) != "map[Service:config.amazonaws.com]" ||
		fmt.Sprint(trust.Condition) != "map[StringEquals:map[aws:SourceAccount:"+platformAccount+"]]" {
		t.Errorf("config role %v", role.Inputs)
	}
	if str(named(t, res, tAttach, "platform-config"), "policyArn") != "arn:aws:iam::aws:"+platform.ConfigRolePolicy {
		t.Error("config role's managed policy")
	}
	bucketArn := mockArn(tBucket, "platform-log-archive")
	write := policyBySid(t, str(named(t, res, tRolePolicy, "platform-config"), "policy"))
	if fmt.Sprint(write["WriteToTheArchive"].Resource) != "["+bucketArn+" "+bucketArn+"/config/*]" ||
		fmt.Sprint(write["EncryptWithTheArchiveKey"].Resource) != "["+mockArn(tKey, "platform-log-archive-key")+"]" {
		t.Errorf("config role policy %v", write)
	}
	rec := one(t, res, "aws:cfg/recorder:Recorder")
	if str(rec, "roleArn") != mockArn(tRole, role.Name) || fmt.Sprint(rec.Inputs["recordingGroup"]) != "map[allSupported:true includeGlobalResourceTypes:true]" {
		t.Errorf("recorder %v", rec.Inputs)
	}
	ch := one(t, res, "aws:cfg/deliveryChannel:DeliveryChannel")
	if str(ch, "s3BucketName") != "saas-platform-log-archive-"+platformAccount || str(ch, "s3KeyPrefix") != platform.ConfigPrefix ||
		str(ch, "s3KmsKeyArn") != mockArn(tKey, "platform-log-archive-key") {
		t.Errorf("delivery channel %v", ch.Inputs)
	}
	if st := one(t, res, "aws:cfg/recorderStatus:RecorderStatus"); st.Inputs["isEnabled"] != true || str(st, "name") != "saas-platform-config" {
		t.Errorf("recorder status %v", st.Inputs)
	}
	agg := one(t, res, "aws:cfg/configurationAggregator:ConfigurationAggregator")
	src := agg.Inputs["organizationAggregationSource"].(map[string]any)
	if src["allRegions"] != true || src["roleArn"] != mockArn(tRole, "platform-config-aggregator") {
		t.Errorf("aggregator %v", agg.Inputs)
	}
	if !strings.HasSuffix(str(named(t, res, tAttach, "platform-config-aggregator"), "policyArn"), platform.AggregatorRolePolicy) {
		t.Error("aggregator role's managed policy")
	}
}
