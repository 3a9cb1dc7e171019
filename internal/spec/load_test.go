package spec

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestSampleFleet loads the bundled fleet: valid, every model and tier present,
// defaults filled from the tiers.
func TestSampleFleet(t *testing.T) {
	f, err := LoadDir(sampleDir)
	if err != nil {
		t.Fatalf("sample fleet invalid:\n%v", err)
	}
	if len(f.Tenants) != 14 || !f.Validated() {
		t.Fatalf("want 14 tenants, validated; got %d, %v", len(f.Tenants), f.Validated())
	}
	models, tiers := map[IsolationModel]int{}, map[string]int{}
	for _, tn := range f.Tenants {
		models[tn.Model]++
		tiers[tn.Tier]++
	}
	for _, m := range Models {
		if models[m] == 0 {
			t.Errorf("no sample tenant uses the %s model", m)
		}
	}
	for name := range f.Settings.Tiers {
		if tiers[name] == 0 {
			t.Errorf("no sample tenant is in tier %s", name)
		}
	}
	stark := f.Tenant("stark-industries")
	if stark.Model != ModelSubnet || stark.Region != "us-east-1" || stark.Status != StatusActive {
		t.Errorf("stark-industries defaults: model %s region %s status %s", stark.Model, stark.Region, stark.Status)
	}
	if sv := stark.Service; sv == nil || sv.CPU != 1024 || sv.Memory != 2048 || sv.DesiredCount != 2 || sv.Port != DefaultPort || sv.Image != f.Settings.DefaultImage {
		t.Errorf("stark-industries service: %+v", stark.Service)
	}
	dm := f.Tenant("dunder-mifflin")
	if dm.Model != ModelApplication || dm.Service != nil || dm.Limits == nil || *dm.Limits != (LimitsSpec{RateLimit: 10, BurstLimit: 20, QuotaLimit: 10000, QuotaPeriod: "MONTH"}) {
		t.Errorf("dunder-mifflin: model %s limits %+v service %+v", dm.Model, dm.Limits, dm.Service)
	}
	if g := f.Tenant("globex"); g.Account == nil || g.Account.Pool != "enterprise" || g.Network.AZCount != DefaultAZCount {
		t.Errorf("globex: account %+v network %+v", g.Account, g.Network)
	}
	if line, col := f.Tenant("hooli").Source.Pos("subnets[1]"); line != 11 || col != 5 {
		t.Errorf("hooli subnets[1] at %d:%d, want 11:5", line, col)
	}
}

// TestParseTenantBadInput feeds ParseTenant what a broken editor, a wrong file
// or an attacker could put in tenants/: one clear error with a position, no
// panic. yaml.v3 reports syntax errors by line only; their column is 1.
func TestParseTenantBadInput(t *testing.T) {
	bomb := "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	for i := 'b'; i <= 'z'; i++ {
		bomb += string(i) + ": &" + string(i) + " [" + strings.Repeat("*"+string(i-1)+", ", 9) + "*" + string(i-1) + "]\n"
	}
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"5 MB", bytes.Repeat([]byte("# padding\n"), 500_000), "t.yaml: file is 5000000 bytes, more than the 262144 allowed; a tenant file holds one tenant of a few hundred bytes, check that the right file is here"},
		{"binary", []byte{0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0}, "t.yaml: not a text file (binary content); a tenant file is UTF-8 YAML, check that the right file is here"},
		{"empty", nil, "t.yaml: file is empty; a tenant file needs at least id, name, tier, costCenter and owner"},
		{"blank", []byte("\n  \n"), "t.yaml: file is empty; a tenant file needs at least id, name, tier, costCenter and owner"},
		{"billion laughs", []byte(bomb), "t.yaml:1:4: a: YAML anchors and aliases (&, *) are not allowed in tenant files; write the value out"},
		{"alias in unknown field", []byte("id: t\nx: {y: [1, &z 2]}\n"), "t.yaml:2:12: x.y[1]: YAML anchors and aliases (&, *) are not allowed in tenant files; write the value out"},
		{"deep flow", []byte("labels: " + strings.Repeat("[", 10000) + strings.Repeat("]", 10000)), "t.yaml:1:25: labels[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]: nested more than 16 levels deep; the schema is only a few levels deep, check the indentation"},
		{"20,000 keys", []byte(manyKeys(20000)), "t.yaml:1:1: more than 1000 entries; no field of a tenant file holds that many, check that the right file is here"},
		{"latin-1", []byte("id: t\nname: Soci\xe9t\xe9\n"), "t.yaml:2:11: byte 0xe9 is not UTF-8; save the file as UTF-8 (it looks like Latin-1 or another legacy encoding)"},
		{"scalar", []byte("just words\n"), "t.yaml:1:1: the file must be a mapping of fields (key: value), not a plain value"},
		{"flow key", []byte("{[a]: b}\n"), "t.yaml:1:2: keys must be plain strings, not a list; write key: value"},
		{"indentation", []byte("id: t\nservice:\n  cpu: 256\n memory: 512\n"), "t.yaml:3:1: did not find expected key (check the indentation of this line and the ones above)"},
		{"tab indent", []byte("id: t\nname: n\ntier: free\n\tcostCenter: c\n"), "t.yaml:4:1: found a tab character that violates indentation (indent with spaces; YAML does not allow tabs)"},
		{"tab after spaces", []byte("id: t\nservice:\n  cpu: 256\n  \tport: 1\n"), "t.yaml:4:3: found a tab character that violates indentation (indent with spaces; YAML does not allow tabs)"},
		{"colon in value", []byte("id: t\nname: a: b\n"), "t.yaml:2:1: mapping values are not allowed in this context (a value containing \": \" needs quotes)"},
		{"bool for int", []byte("id: t\nservice: {port: yes}\n"), "t.yaml:2:17: service.port: expected a whole number (e.g. 512, without quotes or units), got \"yes\""},
		{"int overflow", []byte("id: t\nservice: {port: 99999999999999999999}\n"), "t.yaml:2:17: service.port: expected a whole number (e.g. 512, without quotes or units), got \"99999999999999999999\""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// The tenant, when decoding got that far, is partial; only the errors count.
			_, err := ParseTenant("t.yaml", c.data)
			var list ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("want an ErrorList, got %v", err)
			}
			if got := list.Error(); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

// TestLoadDirBigFile checks the size bound is applied before reading a file.
func TestLoadDirBigFile(t *testing.T) {
	dir := t.TempDir()
	copyDir(t, sampleDir, dir)
	big := filepath.Join(dir, "huge.yaml")
	if err := os.WriteFile(big, bytes.Repeat([]byte("x"), 5<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := LoadDir(dir)
	want := big + ": file is 5242880 bytes, more than the 262144 allowed; a tenant file holds one tenant of a few hundred bytes, check that the right file is here"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}
	if len(f.Tenants) != 14 {
		t.Errorf("the other 14 tenants should load, got %d", len(f.Tenants))
	}
}

// FuzzParseTenant checks that no input makes the loader panic, and that every
// error it returns names the file and, when it has a line, a column too. The
// seed corpus (testdata/fuzz/FuzzParseTenant and every fixture) runs with go test.
func FuzzParseTenant(f *testing.F) {
	for _, glob := range []string{sampleDir + "/*.yaml", "testdata/invalid/*/*.yaml"} {
		files, _ := filepath.Glob(glob)
		for _, p := range files {
			if data, err := os.ReadFile(p); err == nil {
				f.Add(data)
			}
		}
	}
	sample, err := LoadDir(sampleDir)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tn, err := ParseTenant("fuzz.yaml", data)
		if tn != nil {
			// Whatever decoded also goes through defaults, every check and the
			// position lookups errors make, next to the sample fleet.
			fleet := &Fleet{Settings: sample.Settings, Tenants: append([]*Tenant{tn}, sample.Tenants...)}
			SetDefaults(fleet)
			var list ErrorList
			if verr := Validate(fleet); verr != nil && !errors.As(verr, &list) {
				t.Fatalf("Validate: want an ErrorList, got %v", verr)
			}
			for _, e := range list {
				if e.File == "" || e.Msg == "" {
					t.Fatalf("malformed validation error %#v", e)
				}
			}
		}
		if err == nil {
			if tn == nil {
				t.Fatal("no tenant and no error")
			}
			return
		}
		var list ErrorList
		if !errors.As(err, &list) || len(list) == 0 {
			t.Fatalf("want a non-empty ErrorList, got %T %v", err, err)
		}
		for _, e := range list {
			if e.File != "fuzz.yaml" || e.Msg == "" || (e.Line > 0) != (e.Col > 0) || !utf8.ValidString(e.Msg) {
				t.Fatalf("malformed error %#v", e)
			}
		}
	})
}

func manyKeys(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString("k")
		b.WriteString(strconv.Itoa(i))
		b.WriteString(": x\n")
	}
	return b.String()
}
