package objstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// S3 is a Store in an S3 bucket under a key prefix.
type S3 struct {
	Client *s3.Client
	Bucket string
	// Prefix is put before every key ("" or ending in "/").
	Prefix string
}

// Location is where a Pulumi S3 backend URL keeps its state:
// s3://<bucket>[/<path>][?region=…&profile=…].
type Location struct {
	Bucket, Path, Region, Profile string
}

// ParseS3URL reads a Pulumi S3 backend URL. ok is false for other backends.
func ParseS3URL(backend string) (loc Location, ok bool, err error) {
	u, err := url.Parse(backend)
	if err != nil || !strings.EqualFold(u.Scheme, "s3") {
		return Location{}, false, nil
	}
	if u.Host == "" {
		return Location{}, true, fmt.Errorf("backend %s: no bucket (want s3://<bucket>[/<path>])", backend)
	}
	q := u.Query()
	return Location{Bucket: u.Host, Path: strings.Trim(u.Path, "/"), Region: q.Get("region"), Profile: q.Get("profile")}, true, nil
}

// Under returns the Store of the keys under prefix within l's path.
func (l Location) Under(client *s3.Client, prefix string) *S3 {
	p := path.Join(l.Path, prefix)
	if p != "" && p != "." {
		p += "/"
	} else {
		p = ""
	}
	return &S3{Client: client, Bucket: l.Bucket, Prefix: p}
}

func (s *S3) key(k string) *string { return aws.String(s.Prefix + k) }

// Get implements Store.
func (s *S3) Get(ctx context.Context, key string) (Object, error) {
	out, err := s.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.Bucket, Key: s.key(key)})
	if err != nil {
		return Object{}, s.classify("reading", key, err)
	}
	defer out.Body.Close()
	data, err := io.ReadAll(out.Body)
	if err != nil {
		return Object{}, fmt.Errorf("reading s3://%s/%s%s: %w", s.Bucket, s.Prefix, key, err)
	}
	return Object{Data: data, ETag: aws.ToString(out.ETag)}, nil
}

// Create implements Store.
func (s *S3) Create(ctx context.Context, key string, data []byte) (string, error) {
	out, err := s.Client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: &s.Bucket, Key: s.key(key), Body: bytes.NewReader(data), IfNoneMatch: aws.String("*"),
		ContentType: aws.String("application/json"),
	})
	if err != nil {
		return "", s.classify("creating", key, err)
	}
	return aws.ToString(out.ETag), nil
}

// Replace implements Store.
func (s *S3) Replace(ctx context.Context, key string, data []byte, etag string) (string, error) {
	out, err := s.Client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: &s.Bucket, Key: s.key(key), Body: bytes.NewReader(data), IfMatch: aws.String(etag),
		ContentType: aws.String("application/json"),
	})
	if err != nil {
		return "", s.classify("replacing", key, err)
	}
	return aws.ToString(out.ETag), nil
}

// Delete implements Store.
func (s *S3) Delete(ctx context.Context, key, etag string) error {
	_, err := s.Client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &s.Bucket, Key: s.key(key), IfMatch: aws.String(etag)})
	if err = s.classify("deleting", key, err); errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

// List implements Store.
func (s *S3) List(ctx context.Context, prefix string) ([]string, error) {
	var keys []string
	p := s3.NewListObjectsV2Paginator(s.Client, &s3.ListObjectsV2Input{Bucket: &s.Bucket, Prefix: s.key(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, s.classify("listing", prefix, err)
		}
		for _, o := range page.Contents {
			keys = append(keys, strings.TrimPrefix(aws.ToString(o.Key), s.Prefix))
		}
	}
	sort.Strings(keys)
	return keys, nil
}

// classify maps S3's answers onto the Store's errors: 412 Precondition
// Failed is ErrExists for a create and ErrChanged otherwise (a delete's 412
// or 404 on a version that is gone is the same news).
func (s *S3) classify(doing, key string, err error) error {
	if err == nil {
		return nil
	}
	var nsk *types.NoSuchKey
	var api smithy.APIError
	switch {
	case errors.As(err, &nsk):
		return ErrNotFound
	case errors.As(err, &api):
		switch api.ErrorCode() {
		case "NoSuchKey", "NotFound":
			return ErrNotFound
		case "PreconditionFailed", "ConditionalRequestConflict":
			if doing == "creating" {
				return ErrExists
			}
			return ErrChanged
		}
	}
	return fmt.Errorf("%s s3://%s/%s%s: %w", doing, s.Bucket, s.Prefix, key, err)
}

// NewS3Client is the S3 client of an AWS configuration. Against a custom
// endpoint (an emulator such as moto_server) buckets are addressed by path,
// since <bucket>.127.0.0.1 names no host.
func NewS3Client(cfg aws.Config) *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		if cfg.BaseEndpoint != nil || o.BaseEndpoint != nil {
			o.UsePathStyle = true
		}
		// Small JSON objects tenantctl wrote itself; a response without a
		// checksum (an emulator's) is no news worth a log line per read.
		o.DisableLogOutputChecksumValidationSkipped = true
	})
}
