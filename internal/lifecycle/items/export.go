package items

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Objects is the part of the S3 API Export uses.
type Objects interface {
	PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error)
}

// Export writes every item of the store to s3://bucket/key as JSON lines, one
// item per line in DynamoDB's JSON ({"pk":{"S":"acme"},"n":{"N":"1"}}, what
// DynamoDB's own export and `aws dynamodb` print), so an item comes back with
// its types. The lines go to a temporary file first: the object is put whole
// (a retried export overwrites the same key), and a tenant's data never has
// to fit in memory. It returns the number of items exported.
func Export(ctx context.Context, db DB, objects Objects, s Store, bucket, key string) (int, error) {
	f, err := os.CreateTemp("", "tenantctl-export-*.jsonl")
	if err != nil {
		return 0, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	w := bufio.NewWriter(f)
	n := 0
	if err := Each(ctx, db, s, func(it Item) error {
		line, err := json.Marshal(jsonItem(it))
		if err != nil {
			return err
		}
		n++
		_, err = w.Write(append(line, '\n'))
		return err
	}); err != nil {
		return 0, err
	}
	if err := w.Flush(); err != nil {
		return 0, err
	}
	if _, err := f.Seek(0, 0); err != nil {
		return 0, err
	}
	if _, err := objects.PutObject(ctx, &s3.PutObjectInput{
		Bucket:      aws.String(bucket),
		Key:         aws.String(key),
		Body:        f,
		ContentType: aws.String("application/x-ndjson"),
		Metadata:    map[string]string{"items": fmt.Sprint(n)},
	}); err != nil {
		return 0, fmt.Errorf("writing s3://%s/%s: %w", bucket, key, err)
	}
	return n, nil
}

// jsonItem is an item in DynamoDB's JSON.
func jsonItem(it Item) map[string]any {
	out := make(map[string]any, len(it))
	for k, v := range it {
		out[k] = jsonValue(v)
	}
	return out
}

func jsonValue(v types.AttributeValue) map[string]any {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return map[string]any{"S": v.Value}
	case *types.AttributeValueMemberN:
		return map[string]any{"N": v.Value}
	case *types.AttributeValueMemberB:
		return map[string]any{"B": v.Value} // base64, as encoding/json writes []byte
	case *types.AttributeValueMemberBOOL:
		return map[string]any{"BOOL": v.Value}
	case *types.AttributeValueMemberNULL:
		return map[string]any{"NULL": v.Value}
	case *types.AttributeValueMemberSS:
		return map[string]any{"SS": v.Value}
	case *types.AttributeValueMemberNS:
		return map[string]any{"NS": v.Value}
	case *types.AttributeValueMemberBS:
		return map[string]any{"BS": v.Value}
	case *types.AttributeValueMemberM:
		return map[string]any{"M": jsonItem(v.Value)}
	case *types.AttributeValueMemberL:
		l := make([]any, len(v.Value))
		for i, e := range v.Value {
			l[i] = jsonValue(e)
		}
		return map[string]any{"L": l}
	}
	return map[string]any{}
}
