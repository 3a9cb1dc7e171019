package identity

import (
	"context"
	"fmt"
	"os"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/tenantctl/tenantctl/internal/awscfg"
	"github.com/tenantctl/tenantctl/internal/testutil/moto"
)

func TestMain(m *testing.M) { os.Exit(moto.Main(m)) }

func TestPurgeDeletesTheTenantsUsersAndGroupsOnly(t *testing.T) {
	moto.Shared(t)
	ctx := context.Background()
	cfg, err := awscfg.Load(ctx, awscfg.Options{Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	c := cip.NewFromConfig(cfg)
	pool, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("saas-platform-users")})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(pool.UserPool.Id)
	user := func(name, group string) {
		t.Helper()
		if _, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(id), Username: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: aws.String(id), Username: aws.String(name), GroupName: aws.String(group)}); err != nil {
			t.Fatal(err)
		}
	}
	for _, g := range []string{"acme", "acme-admin", "acme-corp"} {
		if _, err := c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String(id), GroupName: aws.String(g)}); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 3; i++ {
		user(fmt.Sprintf("u%d@acme.example.com", i), "acme")
	}
	user("boss@acme.example.com", "acme-admin")
	user("x@acme-corp.example.com", "acme-corp")

	if got, err := Existing(ctx, c, id, "acme"); err != nil || !slices.Equal(got, []string{"acme", "acme-admin"}) {
		t.Fatalf("existing groups %v, %v", got, err)
	}
	res, err := Purge(ctx, c, id, "acme")
	if err != nil || res.Users != 4 || !slices.Equal(res.Groups, []string{"acme", "acme-admin"}) {
		t.Fatalf("purge: %+v, %v", res, err)
	}
	if got, _ := Existing(ctx, c, id, "acme"); len(got) != 0 {
		t.Errorf("groups left: %v", got)
	}
	users, err := c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(id)})
	if err != nil || len(users.Users) != 1 || aws.ToString(users.Users[0].Username) != "x@acme-corp.example.com" {
		t.Errorf("users left: %+v, %v", users, err)
	}
	if res, err := Purge(ctx, c, id, "acme"); err != nil || res.Users != 0 || len(res.Groups) != 0 {
		t.Errorf("purging again: %+v, %v", res, err)
	}
}
