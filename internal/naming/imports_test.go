package naming

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestStdlibOnly keeps naming importable by internal/spec and the models alike:
// naming imports the standard library only, and spec (which must stay free of
// Pulumi and AWS) nothing of Pulumi's or AWS's.
func TestStdlibOnly(t *testing.T) {
	for dir, refused := range map[string]func(path string) bool{
		".": func(path string) bool { first, _, _ := strings.Cut(path, "/"); return strings.Contains(first, ".") },
		"../spec": func(path string) bool {
			return strings.Contains(path, "pulumi") || strings.Contains(path, "aws")
		},
	} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: no Go files (%v)", dir, err)
		}
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			f, err := parser.ParseFile(token.NewFileSet(), file, src, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range f.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				if refused(path) {
					t.Errorf("%s imports %s: naming takes the standard library only, spec no Pulumi or AWS", file, path)
				}
			}
		}
	}
}

// TestOneDefinition fails when the account-id pattern is written out again
// outside this package: it was once defined four times, free to drift.
func TestOneDefinition(t *testing.T) {
	root := filepath.Join("..", "..")
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || filepath.Dir(path) == filepath.Join(root, "internal", "naming") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.Contains(string(src), "[0-9]{12}") {
			t.Errorf("%s writes the account-id pattern out; use naming.IsAccountID or naming.AccountIDPattern", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
