package leftovers

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	tagging "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/tenantctl/tenantctl/internal/awscfg"
	"github.com/tenantctl/tenantctl/internal/testutil/moto"
)

func TestMain(m *testing.M) { os.Exit(moto.Main(m)) }

// TestFindListsWhatIsLeftOfTheTenantOnly leaves tagged resources and named
// ones of tenant acme and of its neighbour acme-corp, finds acme's, removes
// them and finds nothing.
func TestFindListsWhatIsLeftOfTheTenantOnly(t *testing.T) {
	moto.Shared(t)
	ctx := context.Background()
	cfg, err := awscfg.Load(ctx, awscfg.Options{Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	objects := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	topics, roles, keys, users := sns.NewFromConfig(cfg), iam.NewFromConfig(cfg), apigateway.NewFromConfig(cfg), cip.NewFromConfig(cfg)
	for _, tenant := range []string{"acme", "acme-corp"} {
		if _, err := objects.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("saas-" + tenant + "-assets")}); err != nil {
			t.Fatal(err)
		}
		if _, err := objects.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String("saas-" + tenant + "-assets"),
			Tagging: &s3types.Tagging{TagSet: []s3types.Tag{{Key: aws.String("TenantId"), Value: aws.String(tenant)}}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := topics.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("saas-" + tenant + "-alerts"),
			Tags: []snstypes.Tag{{Key: aws.String("TenantId"), Value: aws.String(tenant)}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := roles.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("saas-" + tenant + "-task"), AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[]}`)}); err != nil {
			t.Fatal(err)
		}
		if _, err := keys.CreateApiKey(ctx, &apigateway.CreateApiKeyInput{Name: aws.String("saas-" + tenant + "-api")}); err != nil {
			t.Fatal(err)
		}
	}
	pool, err := users.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("saas-platform-users")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := users.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: pool.UserPool.Id, GroupName: aws.String("acme")}); err != nil {
		t.Fatal(err)
	}
	f := Finder{Tagging: tagging.NewFromConfig(cfg), IAM: roles, APIGateway: keys, Cognito: users, UserPoolID: *pool.UserPool.Id, NamePrefix: "saas"}
	left, err := f.Find(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"arn:aws:s3:::saas-acme-assets", "arn:aws:sns:us-east-1:123456789012:saas-acme-alerts", "iam role saas-acme-task", "api key saas-acme-api", "user pool group acme"}
	if !slices.Equal(left, want) {
		t.Fatalf("left:\n%s\nwant\n%s", strings.Join(left, "\n"), strings.Join(want, "\n"))
	}

	objects.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("saas-acme-assets")})
	topics.DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: aws.String(want[1])})
	roles.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("saas-acme-task")})
	all, _ := keys.GetApiKeys(ctx, &apigateway.GetApiKeysInput{})
	for _, k := range all.Items {
		if aws.ToString(k.Name) == "saas-acme-api" {
			keys.DeleteApiKey(ctx, &apigateway.DeleteApiKeyInput{ApiKey: k.Id})
		}
	}
	users.DeleteGroup(ctx, &cip.DeleteGroupInput{UserPoolId: pool.UserPool.Id, GroupName: aws.String("acme")})
	if left, err := f.Find(ctx, "acme"); err != nil || len(left) != 0 {
		t.Fatalf("after the clean-up: %v, %v", left, err)
	}
	if left, _ := f.Find(ctx, "acme-corp"); len(left) != 4 {
		t.Errorf("acme-corp's resources: %v", left)
	}
}
