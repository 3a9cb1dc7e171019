// Command schemagen writes the JSON Schemas of the tenant and settings files from
// the Go types of internal/spec, with their doc comments as descriptions. It runs
// through `go generate ./internal/spec`; a test fails when the committed files
// are stale.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	types := flag.String("types", "types.go", "Go source of the schema types")
	out := flag.String("out", "../../schema", "directory to write the schemas to")
	flag.Parse()
	if err := run(*types, *out); err != nil {
		fmt.Fprintln(os.Stderr, "schemagen:", err)
		os.Exit(1)
	}
}

func run(types, out string) error {
	src, err := os.ReadFile(types)
	if err != nil {
		return err
	}
	docs, err := docComments(src)
	if err != nil {
		return err
	}
	for kind, file := range schemaKinds {
		data, err := jsonSchema(kind, docs)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(out, file), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}
