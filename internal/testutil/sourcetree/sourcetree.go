// Package sourcetree lets a test guard a single definition: it lists the Go
// files of the repository that write out something only one place may hold
// (a pattern, a command run by one launcher, ...).
package sourcetree

import (
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// Root is the repository root, found from this file's own path, wherever the
// test runs from.
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..")
}

// Containing lists, relative to the repository root and slash-separated, the
// non-test Go files that contain needle, except those at or below the paths
// in owners (the one home allowed to hold it).
func Containing(tb testing.TB, needle string, owners ...string) []string {
	tb.Helper()
	top := Root()
	var found []string
	err := filepath.WalkDir(top, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(top, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		for _, o := range owners {
			if rel == o || strings.HasPrefix(rel, o+"/") {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
		}
		if d.IsDir() {
			if d.Name() == ".git" || d.Name() == "testdata" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.Contains(string(src), needle) {
			found = append(found, rel)
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return found
}
