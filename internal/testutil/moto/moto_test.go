package moto

import (
	"context"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/tenantctl/tenantctl/internal/awscfg"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

func TestServerAnswersTheSDK(t *testing.T) {
	s := Shared(t)
	ctx := context.Background()
	cfg, err := awscfg.Load(ctx, awscfg.Options{})
	if err != nil {
		t.Fatal(err)
	}
	org := organizations.NewFromConfig(cfg)
	out, err := org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{})
	if err != nil {
		t.Fatalf("CreateOrganization against %s: %v", s.URL, err)
	}
	if out.Organization == nil || out.Organization.Id == nil {
		t.Fatal("no organization id")
	}
	s.Reset(t)
	if _, err := org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{}); err == nil {
		t.Fatal("reset did not forget the organization")
	}
}
