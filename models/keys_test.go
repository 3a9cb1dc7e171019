package models_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/tenantctl/tenantctl/internal/iampolicy"
	"github.com/tenantctl/tenantctl/internal/render"
	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/internal/testutil/samplefleet"
	"github.com/tenantctl/tenantctl/models"
	"github.com/tenantctl/tenantctl/models/kmskey"
)

// keyPolicy is a key's policy, statements by Sid.
func keyPolicy(t *testing.T, key *render.Resource) map[string]iampolicy.Statement {
	t.Helper()
	return policyBySid(t, str(key, "policy"))
}

// checkKeyAdministration: the account root manages the key and never uses
// it; only AWS services get grants.
func checkKeyAdministration(t *testing.T, sts map[string]iampolicy.Statement, account string) {
	t.Helper()
	admin, grants := sts["AccountAdministersTheKey"], sts["AWSServicesCreateGrants"]
	root := "map[AWS:arn:aws:iam::" + account + ":root]"
	if fmt.Sprint(admin.Principal) != root || fmt.Sprint(admin.Action) != fmt.Sprint(kmskey.AdminActions) {
		t.Errorf("administration %+v", admin)
	}
	for _, a := range admin.Action {
		for _, use := range []string{"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*", "kms:*", "kms:CreateGrant"} {
			if a == use {
				t.Errorf("the account root may %s", a)
			}
		}
	}
	if fmt.Sprint(grants.Principal) != root || fmt.Sprint(grants.Action) != "[kms:CreateGrant]" ||
		grants.Condition["Bool"]["kms:GrantIsForAWSResource"] != "true" {
		t.Errorf("grants %+v", grants)
	}
}

// TestSiloTenantsHaveTheirOwnKey: every siloed tenant has a key that
// rotates, alias/<prefix>-<id>, in its stack's account and region: its task
// role may use it through DynamoDB only, CloudWatch Logs for its log groups
// only; its table and its service's log group are encrypted with it.
func TestSiloTenantsHaveTheirOwnKey(t *testing.T) {
	f := samplefleet.Load(t)
	accounts := map[string]string{"acme-corp": "210987654321", "globex": "345678901234"}
	for _, tn := range f.Tenants {
		if tn.Model == spec.ModelApplication {
			continue
		}
		t.Run(tn.ID, func(t *testing.T) {
			res := mustRun(t, f, tn.ID)
			key := one(t, res, tKey)
			if key.Name != tn.ID+"-key" || key.Inputs["enableKeyRotation"] != true || key.Inputs["deletionWindowInDays"] != int64(kmskey.DeletionWindowDays) {
				t.Errorf("key %s %v", key.Name, key.Inputs)
			}
			alias := one(t, res, tKeyAlias)
			if str(alias, "name") != "alias/saas-"+tn.ID || str(alias, "targetKeyId") != key.Name+"-keyid" {
				t.Errorf("alias %v", alias.Inputs)
			}
			account := accounts[tn.ID]
			if account == "" {
				account = platformAccount
			}
			sts := keyPolicy(t, key)
			if len(sts) != 4 {
				t.Errorf("%d statements: %v", len(sts), sts)
			}
			checkKeyAdministration(t, sts, account)
			use := sts["OwnerRolesThroughServices"]
			if fmt.Sprint(use.Principal) != "map[AWS:*]" || fmt.Sprint(use.Action) != fmt.Sprint(kmskey.UseActions) ||
				fmt.Sprint(use.Condition["StringEquals"]) != fmt.Sprintf("map[kms:CallerAccount:%s kms:ViaService:[dynamodb.%s.amazonaws.com]]", account, tn.Region) ||
				fmt.Sprint(use.Condition["ArnLike"]) != fmt.Sprintf("map[aws:PrincipalArn:[arn:aws:iam::%s:role/saas-%s-task]]", account, tn.ID) {
				t.Errorf("use %+v", use)
			}
			logs := sts["CloudWatchLogsForOwnerLogGroups"]
			if fmt.Sprint(logs.Principal) != "map[Service:logs."+tn.Region+".amazonaws.com]" ||
				fmt.Sprint(logs.Condition["ArnLike"]) != fmt.Sprintf("map[kms:EncryptionContext:aws:logs:arn:[arn:aws:logs:%s:%s:log-group:/saas/%s/*]]", tn.Region, account, tn.ID) {
				t.Errorf("logs %+v", logs)
			}
			if lg := named(t, res, tLogGroup, tn.ID+"-logs"); str(lg, "kmsKeyId") != mockArn(tKey, key.Name) {
				t.Errorf("service log group key %q", str(lg, "kmsKeyId"))
			}
		})
	}
}

// TestPooledKeys: the platform's key encrypts the pooled table and its own
// log groups, usable by tenants' data and task roles through DynamoDB; each
// tier that allows pooled tenants has a key for their log groups, exported
// by tier, which an application tenant's log group uses.
func TestPooledKeys(t *testing.T) {
	f := samplefleet.Load(t)
	res, outs := runObserved(t, f, models.PlatformStack, nil, nil)
	key := named(t, res, tKey, "platform-key")
	sts := keyPolicy(t, key)
	checkKeyAdministration(t, sts, platformAccount)
	if got := fmt.Sprint(sts["OwnerRolesThroughServices"].Condition["ArnLike"]); got != "map[aws:PrincipalArn:[arn:aws:iam::111111111111:role/saas-*-data arn:aws:iam::111111111111:role/saas-*-task]]" {
		t.Errorf("pooled table's users %s", got)
	}
	if lg := named(t, res, tLogGroup, "platform-api-access"); str(lg, "kmsKeyId") != mockArn(tKey, key.Name) {
		t.Errorf("access log key %q", str(lg, "kmsKeyId"))
	}
	if str(named(t, res, tKeyAlias, "platform-key-alias"), "name") != "alias/saas-platform" {
		t.Error("platform key alias")
	}
	for _, tier := range []string{"free", "standard"} {
		k := named(t, res, tKey, "platform-key-"+tier)
		sts := keyPolicy(t, k)
		if _, ok := sts["OwnerRolesThroughServices"]; ok || len(sts) != 3 {
			t.Errorf("tier %s key statements %v", tier, sts)
		}
		if got := fmt.Sprint(sts["CloudWatchLogsForOwnerLogGroups"].Condition["ArnLike"]); got != "map[kms:EncryptionContext:aws:logs:arn:[arn:aws:logs:us-east-1:111111111111:log-group:/saas/*/app]]" {
			t.Errorf("tier %s logs %s", tier, got)
		}
		if str(named(t, res, tKeyAlias, "platform-key-"+tier+"-alias"), "name") != "alias/saas-platform-"+tier {
			t.Errorf("tier %s alias", tier)
		}
	}
	if n := len(ofType(res, tKey)); n != 4 {
		t.Errorf("%d keys, want the platform's, the two pooled tiers' and the log archive's", n)
	}
	if _, ok := outs["pooledKeyArns"]; !ok {
		t.Error("no pooledKeyArns output")
	}
	for id, tier := range map[string]string{"wonka": "free", "vandelay": "standard"} {
		res := mustRun(t, f, id)
		if lg := one(t, res, tLogGroup); str(lg, "kmsKeyId") != pooledKeyArn(tier) {
			t.Errorf("%s log group key %q, want tier %s's", id, str(lg, "kmsKeyId"), tier)
		}
		if len(ofType(res, tKey)) != 0 {
			t.Errorf("pooled tenant %s has a key of its own", id)
		}
	}
}

// TestBaselineARNsFollowThePartition: a fleet in China or GovCloud gets ARNs
// of its partition in every policy the baseline writes: key policies, topic
// policies, roles' trust, policies and managed policies, the log archive's
// bucket policy and the root lockdown. (ARNs the recording mocks make up for resources are
// left out: AWS makes them.)
func TestBaselineARNsFollowThePartition(t *testing.T) {
	for region, partition := range map[string]string{"cn-north-1": "aws-cn", "us-gov-west-1": "aws-us-gov"} {
		t.Run(region, func(t *testing.T) {
			f := samplefleet.Load(t)
			f.Settings.PlatformRegion = region
			res := mustRun(t, f, models.PlatformStack)
			checked := 0
			for _, r := range res {
				var text string
				switch r.Type {
				case tKey, tTopic, tBucketPol:
					text = str(r, "policy")
				case tRole:
					text = str(r, "assumeRolePolicy")
				case tRolePolicy:
					text = str(r, "policy")
				case tAttach:
					text = str(r, "policyArn")
				case tSCP:
					if r.Name != "platform-scp-root-lockdown" {
						continue
					}
					text = str(r, "content")
				default:
					continue
				}
				for _, m := range regexpServiceARN.FindAllStringSubmatch(text, -1) {
					if m[2] == "mock" {
						continue // made up by the recording mocks for a resource
					}
					if m[1] != partition {
						t.Errorf("%s %s: ARN partition %s, want %s: %s", r.Type, r.Name, m[1], partition, text)
					}
					checked++
				}
			}
			if checked < 20 {
				t.Fatalf("only %d ARNs checked", checked)
			}
		})
	}
}

// regexpServiceARN captures an ARN's partition and service.
var regexpServiceARN = regexp.MustCompile(`arn:([^:"]*):([^:"]*):`)
