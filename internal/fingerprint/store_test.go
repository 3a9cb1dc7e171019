package fingerprint_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tenantctl/tenantctl/internal/fingerprint"
	"github.com/tenantctl/tenantctl/internal/objstore"
)

const fpA = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
const fpB = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

func TestStoresKeepForgetAndDecide(t *testing.T) {
	for name, store := range map[string]fingerprint.Store{
		"dir":     fingerprint.DirFor(t.TempDir(), "file:///srv/state"),
		"objects": fingerprint.Objects{Store: &objstore.Mem{}},
	} {
		t.Run(name, func(t *testing.T) { keepForgetAndDecide(t, store) })
	}
}

func keepForgetAndDecide(t *testing.T, store fingerprint.Store) {
	ctx := context.Background()
	now := time.Date(2026, 12, 2, 6, 0, 0, 0, time.UTC)
	for _, r := range []fingerprint.Record{
		{Stack: "hooli", Fingerprint: fpA, Rollout: "r1", Release: "abc123", Deployed: now},
		{Stack: "wonka", Fingerprint: fpA, Rollout: "r1", Deployed: now},
		{Stack: "platform", Fingerprint: fpB, Rollout: "r1", Deployed: now},
	} {
		if err := store.Put(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := store.Forget(ctx, "wonka"); err != nil {
		t.Fatal(err)
	}
	if err := store.Forget(ctx, "never-deployed"); err != nil {
		t.Fatalf("forgetting a stack without a record: %v", err)
	}
	stacks := []string{"platform", "hooli", "wonka", "initech"}
	records, err := store.Load(ctx, stacks)
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != 2 || records["hooli"].Release != "abc123" || !records["hooli"].Deployed.Equal(now) {
		t.Fatalf("records = %+v", records)
	}
	desired := map[string]string{"platform": fpA, "hooli": fpA, "wonka": fpA, "initech": fpA}
	got := fingerprint.Unchanged(stacks, desired, records)
	if strings.Join(got, ",") != "hooli" {
		t.Fatalf("unchanged = %v, want [hooli]: platform changed, wonka was forgotten, initech never deployed", got)
	}
}

func TestDirStoreSeparatesBackends(t *testing.T) {
	state := t.TempDir()
	a, b := fingerprint.DirFor(state, "file:///one"), fingerprint.DirFor(state, "s3://two")
	if a.Path == b.Path {
		t.Fatal("two backends share a record directory")
	}
	if err := a.Put(context.Background(), fingerprint.Record{Stack: "hooli", Fingerprint: fpA}); err != nil {
		t.Fatal(err)
	}
	if got, err := b.Load(context.Background(), []string{"hooli"}); err != nil || len(got) != 0 {
		t.Fatalf("the other backend's records: %v, %v", got, err)
	}
}

func TestDirStoreRefusesBadInput(t *testing.T) {
	ctx := context.Background()
	store := fingerprint.DirFor(t.TempDir(), "file:///srv/state")
	if err := store.Put(ctx, fingerprint.Record{Stack: "../escape", Fingerprint: fpA}); err == nil || !strings.Contains(err.Error(), "not a stack name") {
		t.Fatalf("a path as stack name: %v", err)
	}
	if got, err := store.Load(ctx, []string{"../escape"}); err != nil || len(got) != 0 {
		t.Fatalf("loading a name no record can have: %v, %v", got, err)
	}
	if err := store.Forget(ctx, "../escape"); err != nil {
		t.Fatalf("forgetting a name no record can have: %v", err)
	}
	if err := store.Put(ctx, fingerprint.Record{Stack: "hooli", Fingerprint: "md5:1"}); err == nil {
		t.Fatal("a record without a fingerprint was kept")
	}
	if err := os.MkdirAll(store.Path, 0o755); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(store.Path, "hooli.json")
	if err := os.WriteFile(bad, []byte(`{"stack":"wonka","fingerprint":"`+fpA+`"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Load(ctx, []string{"hooli"}); err == nil || !strings.Contains(err.Error(), bad) || !strings.Contains(err.Error(), "delete it") {
		t.Fatalf("another stack's record under hooli's name: %v", err)
	}
	if err := os.Remove(bad); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(bad, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Load(ctx, []string{"hooli"}); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("a directory as record: %v", err)
	}
}

func TestObjectsStoreRefusesBadInput(t *testing.T) {
	ctx := context.Background()
	mem := &objstore.Mem{}
	store := fingerprint.Objects{Store: mem}
	if err := store.Put(ctx, fingerprint.Record{Stack: "../escape", Fingerprint: fpA}); err == nil || !strings.Contains(err.Error(), "not a stack name") {
		t.Fatalf("a path as stack name: %v", err)
	}
	if _, err := mem.Create(ctx, "fingerprints/hooli.json", []byte(`{"stack":"wonka"}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Load(ctx, []string{"hooli"}); err == nil || !strings.Contains(err.Error(), "fingerprints/hooli.json") {
		t.Fatalf("a damaged record: %v", err)
	}
	if err := store.Put(ctx, fingerprint.Record{Stack: "hooli", Fingerprint: fpA}); err != nil {
		t.Fatalf("replacing a damaged record: %v", err)
	}
}
