package main

// The generator: JSON Schemas from the Go types of internal/spec by reflection
// over their yaml tags, with the doc comments of types.go as descriptions and
// spec.SchemaRules as constraints. Only go generate and the stale-schema test
// run it; tenantctl itself embeds the generated files (package schema).

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"strings"

	"github.com/tenantctl/tenantctl/internal/spec"
)

// schemaKinds names the files a JSON Schema is generated for, and the schema
// file each is written to (under schema/, which the sample files reference).
var schemaKinds = map[string]string{
	"tenant": "tenant.schema.json",
	"fleet":  "fleet.schema.json",
}

// schemaRoots are the Go types at the root of each schema.
var schemaRoots = map[string]reflect.Type{
	"tenant": reflect.TypeOf(spec.Tenant{}),
	"fleet":  reflect.TypeOf(spec.Settings{}),
}

// schemaTitles are the schemas' titles.
var schemaTitles = map[string]string{
	"tenant": "tenantctl tenant file (tenants/<id>.yaml)",
	"fleet":  "tenantctl fleet settings (tenants/fleet.yaml)",
}

// docComments reads the doc comments of the types and struct fields declared in
// Go source (types.go): "Type" and "Type.Field" to their text. They become the
// schema's descriptions, so editors show the same words as the code.
func docComments(src []byte) (map[string]string, error) {
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "types.go", src, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	docs := map[string]string{}
	for _, d := range file.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.TYPE {
			continue
		}
		for _, s := range gd.Specs {
			ts := s.(*ast.TypeSpec)
			doc := ts.Doc
			if doc == nil && len(gd.Specs) == 1 {
				doc = gd.Doc
			}
			if doc != nil {
				docs[ts.Name.Name] = cleanDoc(doc.Text())
			}
			st, ok := ts.Type.(*ast.StructType)
			if !ok {
				continue
			}
			for _, f := range st.Fields.List {
				if f.Doc == nil {
					continue
				}
				for _, n := range f.Names {
					docs[ts.Name.Name+"."+n.Name] = cleanDoc(f.Doc.Text())
				}
			}
		}
	}
	return docs, nil
}

func cleanDoc(s string) string { return strings.Join(strings.Fields(s), " ") }

// jsonSchema generates the JSON Schema (draft 2020-12) of a file kind ("tenant" or
// "fleet") from the Go types by reflection over their yaml tags, with the doc
// comments as descriptions.
func jsonSchema(kind string, docs map[string]string) ([]byte, error) {
	root, ok := schemaRoots[kind]
	if !ok {
		return nil, fmt.Errorf("no schema %q; use tenant or fleet", kind)
	}
	g := &schemaGen{docs: docs, defs: map[string]any{}}
	s := g.object(root)
	s["$schema"] = "https://json-schema.org/draft/2020-12/schema"
	s["$id"] = "https://github.com/tenantctl/tenantctl/schema/" + schemaKinds[kind]
	s["title"] = schemaTitles[kind]
	if len(g.defs) > 0 {
		s["$defs"] = g.defs
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

type schemaGen struct {
	docs map[string]string
	defs map[string]any
}

// object is the schema of a struct type: its yaml fields as properties, those
// without omitempty required, nothing else allowed (the loader is strict too).
func (g *schemaGen) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		p := g.typeSchema(f.Type)
		if d := g.docs[t.Name()+"."+f.Name]; d != "" {
			p["description"] = d
		}
		for k, v := range spec.SchemaRules()[t.Name()+"."+f.Name] {
			p[k] = v
		}
		props[name] = p
		if !strings.Contains(opts, "omitempty") {
			required = append(required, name)
		}
	}
	s := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		s["required"] = required
	}
	if d := g.docs[t.Name()]; d != "" {
		s["description"] = d
	}
	return s
}

func (g *schemaGen) typeSchema(t reflect.Type) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t {
	case reflect.TypeOf(spec.IsolationModel("")):
		return map[string]any{"type": "string", "enum": spec.Models}
	case reflect.TypeOf(spec.Status("")):
		return map[string]any{"type": "string", "enum": spec.Statuses}
	case reflect.TypeOf(spec.DataMode("")):
		return map[string]any{"type": "string", "enum": spec.DataModes}
	case reflect.TypeOf(spec.Ingress("")):
		return map[string]any{"type": "string", "enum": spec.Ingresses}
	}
	switch t.Kind() {
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int64, reflect.Int32:
		return map[string]any{"type": "integer"}
	case reflect.Float64, reflect.Float32:
		return map[string]any{"type": "number"}
	case reflect.Slice:
		return map[string]any{"type": "array", "items": g.typeSchema(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.typeSchema(t.Elem())}
	case reflect.Struct:
		if _, done := g.defs[t.Name()]; !done {
			g.defs[t.Name()] = nil // reserve: a type refers to itself at most once
			g.defs[t.Name()] = g.object(t)
		}
		return map[string]any{"$ref": "#/$defs/" + t.Name()}
	}
	return map[string]any{}
}
