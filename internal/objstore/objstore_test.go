package objstore_test

import (
	"context"
	"errors"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/tenantctl/tenantctl/internal/objstore"
	"github.com/tenantctl/tenantctl/internal/testutil/moto"
)

func TestMain(m *testing.M) { os.Exit(moto.Main(m)) }

func stores(t *testing.T) map[string]objstore.Store {
	return map[string]objstore.Store{"mem": &objstore.Mem{}, "s3": moto.Bucket(t, "s3://tenantctl-state/fleet-a?region=us-east-1")}
}

// TestConditionalWrites: the contract every Store keeps, checked on S3 as moto
// serves it (conditional writes included) and on Mem.
func TestConditionalWrites(t *testing.T) {
	ctx := context.Background()
	for name, st := range stores(t) {
		t.Run(name, func(t *testing.T) {
			if _, err := st.Get(ctx, "lock.json"); !errors.Is(err, objstore.ErrNotFound) {
				t.Fatalf("get of nothing: %v", err)
			}
			etag, err := st.Create(ctx, "lock.json", []byte(`{"rollout":"a"}`))
			if err != nil || etag == "" {
				t.Fatalf("create: %q, %v", etag, err)
			}
			if _, err := st.Create(ctx, "lock.json", []byte(`{"rollout":"b"}`)); !errors.Is(err, objstore.ErrExists) {
				t.Fatalf("second create: %v, want ErrExists", err)
			}
			got, err := st.Get(ctx, "lock.json")
			if err != nil || string(got.Data) != `{"rollout":"a"}` || got.ETag != etag {
				t.Fatalf("get: %+v, %v", got, err)
			}
			etag2, err := st.Replace(ctx, "lock.json", []byte(`{"rollout":"a","beat":1}`), etag)
			if err != nil || etag2 == etag {
				t.Fatalf("replace: %q, %v", etag2, err)
			}
			if _, err := st.Replace(ctx, "lock.json", []byte(`{}`), etag); !errors.Is(err, objstore.ErrChanged) {
				t.Fatalf("replace of a stale version: %v, want ErrChanged", err)
			}
			if err := st.Delete(ctx, "lock.json", etag); !errors.Is(err, objstore.ErrChanged) {
				t.Fatalf("delete of a stale version: %v, want ErrChanged", err)
			}
			if err := st.Delete(ctx, "lock.json", etag2); err != nil {
				t.Fatalf("delete: %v", err)
			}
			if err := st.Delete(ctx, "lock.json", etag2); err != nil {
				t.Fatalf("delete of what is gone: %v", err)
			}
			for _, k := range []string{"log/b/2", "log/a/1", "log/b/1", "other"} {
				if _, err := st.Create(ctx, k, []byte(k)); err != nil {
					t.Fatal(err)
				}
			}
			keys, err := st.List(ctx, "log/")
			if err != nil || !slices.Equal(keys, []string{"log/a/1", "log/b/1", "log/b/2"}) {
				t.Fatalf("list: %v, %v", keys, err)
			}
		})
	}
}

// TestOneCreatorWins: many writers racing for one key, one wins.
func TestOneCreatorWins(t *testing.T) {
	ctx := context.Background()
	for name, st := range stores(t) {
		t.Run(name, func(t *testing.T) {
			var wins, lost atomic.Int32
			var wg sync.WaitGroup
			for i := range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, err := st.Create(ctx, "halt.json", []byte{byte('0' + i)})
					switch {
					case err == nil:
						wins.Add(1)
					case errors.Is(err, objstore.ErrExists):
						lost.Add(1)
					default:
						t.Error(err)
					}
				}()
			}
			wg.Wait()
			if wins.Load() != 1 || lost.Load() != 7 {
				t.Fatalf("%d creators won and %d lost, want 1 and 7", wins.Load(), lost.Load())
			}
		})
	}
}

func TestParseS3URL(t *testing.T) {
	for _, c := range []struct {
		in      string
		ok      bool
		bucket  string
		path    string
		wantErr bool
	}{
		{"s3://state-bucket", true, "state-bucket", "", false},
		{"s3://state-bucket/prod/eu?region=eu-west-1", true, "state-bucket", "prod/eu", false},
		{"file:///srv/state", false, "", "", false},
		{"https://api.pulumi.com", false, "", "", false},
		{"s3:///nobucket", true, "", "", true},
	} {
		loc, ok, err := objstore.ParseS3URL(c.in)
		if ok != c.ok || (err != nil) != c.wantErr || loc.Bucket != c.bucket || loc.Path != c.path {
			t.Errorf("ParseS3URL(%s) = %+v, %v, %v", c.in, loc, ok, err)
		}
	}
}
