package moto

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/tenantctl/tenantctl/internal/awscfg"
	"github.com/tenantctl/tenantctl/internal/objstore"
)

// Bucket creates the bucket of an S3 backend URL (s3://<bucket>[/<path>]) in
// the shared server, reset for the calling test, and returns the object
// store tenantctl keeps under it (.tenantctl/).
func Bucket(t testing.TB, backend string) *objstore.S3 {
	t.Helper()
	Shared(t)
	ctx := context.Background()
	cfg, err := awscfg.Load(ctx, awscfg.Options{Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	client := objstore.NewS3Client(cfg)
	loc, ok, err := objstore.ParseS3URL(backend)
	if !ok || err != nil {
		t.Fatalf("ParseS3URL(%s) = %v, %v", backend, ok, err)
	}
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(loc.Bucket)}); err != nil {
		t.Fatal(err)
	}
	return loc.Under(client, ".tenantctl")
}
