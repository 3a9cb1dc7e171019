package lambdabuild_test

import (
	"archive/zip"
	"bytes"
	"debug/elf"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tenantctl/tenantctl/internal/lambdabuild"
	"github.com/tenantctl/tenantctl/internal/testutil/sourcetree"
)

// The authorizer builds for arm64 Linux into a zip of one executable
// bootstrap; a second builder over the same cache finds the same zip without
// building, so a second preview sees the same hash.
func TestGoBuildsTheAuthorizerOnceIntoAStableZip(t *testing.T) {
	if testing.Short() {
		t.Skip("a real go build")
	}
	cache := t.TempDir()
	g := &lambdabuild.Go{ModuleDir: sourcetree.Root(), CacheDir: cache}
	p, err := g.Build("./programs/authorizer")
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(p.Path) != cache || p.SHA256 == "" {
		t.Fatalf("package %+v, want a zip in %s with its hash", p, cache)
	}
	zr, err := zip.OpenReader(p.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	if len(zr.File) != 1 || zr.File[0].Name != lambdabuild.Executable || zr.File[0].Mode().Perm() != 0o755 {
		t.Fatalf("zip holds %v, want one executable bootstrap", zr.File)
	}
	rc, err := zr.File[0].Open()
	if err != nil {
		t.Fatal(err)
	}
	bin, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		t.Fatal(err)
	}
	exe, err := elf.NewFile(bytes.NewReader(bin))
	if err != nil {
		t.Fatalf("bootstrap is not an ELF executable: %v", err)
	}
	if exe.Machine != elf.EM_AARCH64 {
		t.Errorf("bootstrap is built for %v, want arm64", exe.Machine)
	}
	info, err := os.Stat(p.Path)
	if err != nil {
		t.Fatal(err)
	}

	again, err := (&lambdabuild.Go{ModuleDir: sourcetree.Root(), CacheDir: cache}).Build("./programs/authorizer")
	if err != nil {
		t.Fatal(err)
	}
	if again != p {
		t.Errorf("second build %+v, want the cached %+v", again, p)
	}
	if info2, _ := os.Stat(p.Path); !info2.ModTime().Equal(info.ModTime()) {
		t.Error("the second build rewrote the cached zip")
	}
}

// Zipping the same executable twice gives the same bytes.
func TestZipIsDeterministic(t *testing.T) {
	var a, b bytes.Buffer
	if err := lambdabuild.Zip(&a, []byte("exe")); err != nil {
		t.Fatal(err)
	}
	if err := lambdabuild.Zip(&b, []byte("exe")); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("two zips of one executable differ")
	}
}

// The cache key follows the module's sources and nothing else.
func TestSourceKeyChangesWithTheSources(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module "+lambdabuild.Module+"\n\ngo 1.22\n")
	write("cmd/fn/main.go", "package main\n\nfunc main() {}\n")
	write("cmd/fn/other_windows.go", "package main\n")
	key := func() string {
		t.Helper()
		k, err := lambdabuild.SourceKey(dir, "./cmd/fn")
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	first := key()
	if key() != first {
		t.Fatal("the key of unchanged sources changed")
	}
	write("cmd/fn/other_windows.go", "package main\n\n// not built for linux\n")
	if key() != first {
		t.Error("a file the target does not build changed the key")
	}
	named := func() string {
		t.Helper()
		p, err := lambdabuild.Sources{ModuleDir: dir}.Build("./cmd/fn")
		if err != nil || p.SHA256 != "" {
			t.Fatalf("%+v, %v", p, err)
		}
		return p.Path
	}
	before := named()
	write("cmd/fn/main.go", "package main\n\nfunc main() { println() }\n")
	if key() == first {
		t.Error("a changed source kept the key")
	}
	// A fingerprint names the package by its sources: a change shows.
	if named() == before {
		t.Error("Sources named the changed package as before")
	}
}

func TestFindModuleWalksUp(t *testing.T) {
	root := sourcetree.Root()
	got, err := lambdabuild.FindModule(filepath.Join(root, "programs", "authorizer"))
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Clean(got) != filepath.Clean(root) {
		t.Errorf("module at %s, want %s", got, root)
	}
	if _, err := lambdabuild.FindModule(t.TempDir()); err == nil || !strings.Contains(err.Error(), "checkout") {
		t.Errorf("outside a checkout: %v", err)
	}
}

func TestUnbuiltBuildsNothing(t *testing.T) {
	p, err := lambdabuild.Unbuilt{}.Build("./programs/authorizer")
	if err != nil || p.SHA256 != "" || !strings.Contains(p.Path, "./programs/authorizer") {
		t.Errorf("%+v, %v", p, err)
	}
}
