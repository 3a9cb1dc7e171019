package naming

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/tenantctl/tenantctl/internal/testutil/sourcetree"
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
	for _, file := range sourcetree.Containing(t, "[0-9]{12}", "internal/naming") {
		t.Errorf("%s writes the account-id pattern out; use naming.IsAccountID or naming.AccountIDPattern", file)
	}
}
