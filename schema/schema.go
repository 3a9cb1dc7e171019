// Package schema embeds the JSON Schemas of the tenant file and the fleet
// settings, generated from internal/spec's types by `go generate ./internal/spec`.
// Editors read the files through the `# yaml-language-server: $schema=` line of
// the sample files; `tenantctl schema` prints them.
package schema

import _ "embed"

// Tenant is the JSON Schema of tenants/<id>.yaml.
//
//go:embed tenant.schema.json
var Tenant []byte

// Fleet is the JSON Schema of tenants/fleet.yaml.
//
//go:embed fleet.schema.json
var Fleet []byte
