// Package lambdabuild makes the deployment packages of tenantctl's Go Lambda
// functions (the pooled API's authorizer): a zip holding one executable,
// bootstrap, for the provided.al2023 runtime on arm64. The platform stack asks
// a Builder for the package, so `pulumi up` builds what it deploys with no
// step of its own; the offline renderer asks Unbuilt, which builds nothing,
// and fingerprints Sources, which names the package by its sources.
package lambdabuild

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Module is the module path of tenantctl, whose main packages Go builds.
const Module = "github.com/tenantctl/tenantctl"

// Executable is the name Lambda's provided runtimes run.
const Executable = "bootstrap"

// Package is a Lambda deployment package.
type Package struct {
	// Path is the zip file; for Unbuilt, what render shows in its place.
	Path string
	// SHA256 is the base64 SHA-256 of the zip, the function's source code
	// hash, which makes a changed package a changed input; "" for Unbuilt.
	SHA256 string
}

// Builder makes the deployment package of a main package of the module,
// named as the go command takes it ("./programs/authorizer").
type Builder interface {
	Build(main string) (Package, error)
}

// Unbuilt is the Builder of offline renders and mock runs: it names the
// package a deployment builds and builds nothing, so rendering needs no Go
// toolchain and no time.
type Unbuilt struct{}

// Build names main's package as built at deployment.
func (Unbuilt) Build(main string) (Package, error) {
	return Package{Path: "(built at deployment from " + main + ")"}, nil
}

// Sources is the Builder of fingerprints (internal/fingerprint): it names
// each package by the hash of what building it reads (SourceKey) and builds
// nothing, so a change to a function's code changes the stack's desired
// state as a deployment would see it, at the cost of a `go list`.
type Sources struct {
	// ModuleDir is the module's root; found from the working directory
	// upwards when empty.
	ModuleDir string
}

// Build names main's package by its sources' hash.
func (s Sources) Build(main string) (Package, error) {
	dir, err := (&Go{ModuleDir: s.ModuleDir}).moduleDir()
	if err != nil {
		return Package{}, err
	}
	key, err := SourceKey(dir, main)
	if err != nil {
		return Package{}, err
	}
	return Package{Path: "(built at deployment from " + main + ", sources " + key[:16] + ")"}, nil
}

// Target is the platform the functions run on.
var Target = []string{"GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0"}

// Tags are the build tags: lambda.norpc leaves out aws-lambda-go's RPC mode,
// which only the retired go1.x runtime used.
const Tags = "lambda.norpc"

// Go builds with the go command for Target, zips the executable (Zip) and
// keeps the zip in CacheDir under a hash of everything the build reads
// (SourceKey), so a second run, or a second preview, finds the same bytes
// without building.
type Go struct {
	// ModuleDir is the module's root; found from the working directory
	// upwards when empty.
	ModuleDir string
	// CacheDir holds built packages; <ModuleDir>/.tenantctl/lambda when empty.
	CacheDir string

	mu    sync.Mutex
	built map[string]Package
}

// Build returns main's package, from the cache when its sources are unchanged.
func (g *Go) Build(main string) (Package, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if p, ok := g.built[main]; ok {
		return p, nil
	}
	dir, err := g.moduleDir()
	if err != nil {
		return Package{}, err
	}
	cache := g.CacheDir
	if cache == "" {
		cache = filepath.Join(dir, ".tenantctl", "lambda")
	}
	key, err := SourceKey(dir, main)
	if err != nil {
		return Package{}, err
	}
	path := filepath.Join(cache, filepath.Base(main)+"-"+key[:16]+".zip")
	zipped, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		zipped, err = build(dir, cache, main, path)
	}
	if err != nil {
		return Package{}, err
	}
	sum := sha256.Sum256(zipped)
	p := Package{Path: path, SHA256: base64.StdEncoding.EncodeToString(sum[:])}
	if g.built == nil {
		g.built = map[string]Package{}
	}
	g.built[main] = p
	return p, nil
}

func (g *Go) moduleDir() (string, error) {
	if g.ModuleDir != "" {
		return g.ModuleDir, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	return FindModule(wd)
}

// FindModule is the root of the tenantctl module at or above dir: the Lambda
// functions are built from source, so the program must run in a checkout.
func FindModule(dir string) (string, error) {
	for d := dir; ; d = filepath.Dir(d) {
		mod, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if err == nil && modulePath(mod) == Module {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("lambdabuild: no %s module at or above %s; the Lambda functions are built from its source, so run in a checkout", Module, dir)
		}
	}
}

func modulePath(gomod []byte) string {
	for _, line := range strings.Split(string(gomod), "\n") {
		if f := strings.Fields(line); len(f) == 2 && f[0] == "module" {
			return f[1]
		}
	}
	return ""
}

// build compiles main, zips it and stores the zip at path, through a
// temporary file so that a concurrent build never reads half a zip.
func build(dir, cache, main, path string) ([]byte, error) {
	tmp, err := os.MkdirTemp("", "lambdabuild-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	exe := filepath.Join(tmp, Executable)
	// -trimpath and no VCS stamp: the same sources give the same bytes on
	// every machine, so the zip's hash changes only with the code.
	cmd := exec.Command("go", "build", "-trimpath", "-buildvcs=false", "-tags", Tags, "-ldflags=-s -w", "-o", exe, main)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), Target...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("lambdabuild: go build %s: %w\n%s", main, err, out)
	}
	bin, err := os.ReadFile(exe)
	if err != nil {
		return nil, err
	}
	var zipped bytes.Buffer
	if err := Zip(&zipped, bin); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(cache, ".building-*.zip")
	if err != nil {
		return nil, err
	}
	_, werr := f.Write(zipped.Bytes())
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(f.Name(), 0o644)
	}
	if werr == nil {
		werr = os.Rename(f.Name(), path)
	}
	if werr != nil {
		os.Remove(f.Name())
		return nil, werr
	}
	return zipped.Bytes(), nil
}

// zipTime is every entry's modification time: a fixed one, so that zipping
// the same executable twice gives the same bytes.
var zipTime = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// Zip writes a deployment package of one executable, Executable, with mode
// 0755 (Lambda runs it as is) and a fixed time.
func Zip(w io.Writer, exe []byte) error {
	zw := zip.NewWriter(w)
	h := &zip.FileHeader{Name: Executable, Method: zip.Deflate, Modified: zipTime}
	h.SetMode(0o755)
	fw, err := zw.CreateHeader(h)
	if err != nil {
		return err
	}
	if _, err := fw.Write(exe); err != nil {
		return err
	}
	return zw.Close()
}

// SourceKey is a hex SHA-256 of what building main reads: the go command's
// version, the target and tags, the contents of main's packages in the module
// and of any other module without a version (a local replacement) — Go and
// embedded files, as `go list -deps` selects them for the target — and the
// module path and version of every other dependency.
func SourceKey(dir, main string) (string, error) {
	const sep = "\x1f"
	format := strings.Join([]string{"{{.ImportPath}}", "{{.Dir}}", "{{.Standard}}",
		"{{with .Module}}{{.Path}}@{{.Version}}{{end}}", `{{join .GoFiles " "}}`, `{{join .EmbedFiles " "}}`}, sep)
	cmd := exec.Command("go", "list", "-deps", "-tags", Tags, "-f", format, main)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), Target...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("lambdabuild: go list %s: %w\n%s", main, err, stderr.Bytes())
	}
	ver, err := exec.Command("go", "env", "GOVERSION").Output()
	if err != nil {
		return "", fmt.Errorf("lambdabuild: go env GOVERSION: %w", err)
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n%s\n", bytes.TrimSpace(ver), strings.Join(Target, " "), Tags)
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Split(line, sep)
		if len(f) != 6 || f[2] == "true" {
			continue // the standard library comes with the go version
		}
		fmt.Fprintf(h, "%s %s\n", f[0], f[3])
		if !strings.HasSuffix(f[3], "@") {
			continue // a versioned module: its version names its contents
		}
		for _, name := range append(strings.Fields(f[4]), strings.Fields(f[5])...) {
			b, err := os.ReadFile(filepath.Join(f[1], name))
			if err != nil {
				return "", err
			}
			fmt.Fprintf(h, "%s %d\n", name, len(b))
			h.Write(b)
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
