package spec

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sampleFiles reads the sample fleet into memory, as `validate --against` reads
// a git revision.
func sampleFiles(t *testing.T) map[string][]byte {
	t.Helper()
	paths, err := filepath.Glob(sampleDir + "/*.yaml")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no sample files: %v", err)
	}
	files := map[string][]byte{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files[filepath.Base(p)] = data
	}
	return files
}

func TestValidateChange(t *testing.T) {
	cases := []struct {
		name   string
		file   string
		before string
		after  string
		want   string
	}{
		{"suspended tenant changes model", "oscorp.yaml", "model: subnet\nstatus: suspended\n", "model: vpc\nstatus: suspended\nnetwork: {cidr: 10.12.0.0/16}\n",
			"tenants/oscorp.yaml:5:8: model: tenant oscorp is suspended and may not change model (subnet to vpc); set status: active first, or keep model: subnet"},
		{"tenant suspended and migrated in one change", "oscorp.yaml", "model: subnet\nstatus: active\n", "model: vpc\nstatus: suspended\nnetwork: {cidr: 10.12.0.0/16}\n",
			"tenants/oscorp.yaml:5:8: model: tenant oscorp is suspended and may not change model (subnet to vpc); set status: active first, or keep model: subnet"},
		{"active tenant may change model with a migration marker", "oscorp.yaml", "model: subnet\nstatus: active\n", "model: vpc\nstatus: active\nmigration: {from: subnet, to: vpc}\nnetwork: {cidr: 10.12.0.0/16}\n", ""},
		{"active tenant changes model without a migration marker", "oscorp.yaml", "model: subnet\nstatus: active\n", "model: vpc\nstatus: active\nnetwork: {cidr: 10.12.0.0/16}\n",
			"tenants/oscorp.yaml:5:8: model: tenant oscorp is active and changes model from subnet to vpc without a migration marker; add migration: {from: subnet, to: vpc} and run `tenantctl migrate oscorp --to vpc`, which moves its data before the old resources go"},
		{"a marker naming another change", "oscorp.yaml", "model: subnet\nstatus: active\n", "model: vpc\nstatus: active\nmigration: {from: container, to: vpc}\nnetwork: {cidr: 10.12.0.0/16}\n",
			"tenants/oscorp.yaml:5:8: model: tenant oscorp is active and changes model from subnet to vpc without a migration marker; add migration: {from: subnet, to: vpc} and run `tenantctl migrate oscorp --to vpc`, which moves its data before the old resources go"},
		{"an onboarding tenant may change model", "oscorp.yaml", "model: subnet\nstatus: onboarding\n", "model: vpc\nstatus: onboarding\nnetwork: {cidr: 10.12.0.0/16}\n", ""},
		{"listener priority is kept", "soylent.yaml", "listenerPriority: 10", "listenerPriority: 11",
			"tenants/soylent.yaml:10:21: service.listenerPriority: listenerPriority changed from 10 to 11; a container tenant keeps its priority for life, set it back to 10"},
		{"account is kept", "acme-corp.yaml", `id: "210987654321"`, `id: "210987654322"`,
			`tenants/acme-corp.yaml:11:7: account.id: account.id changed from 210987654321 to "210987654322"; a tenant's account is kept for its life (moving it is a migration), set it back to "210987654321"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before, after := sampleFiles(t), sampleFiles(t)
			edit(t, before, c.file, c.before)
			edit(t, after, c.file, c.after)
			prev, err := ParseFleet("tenants", before)
			if err != nil {
				t.Fatal(err)
			}
			cur, err := ParseFleet("tenants", after)
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if err := ValidateChange(prev, cur); err != nil {
				got = err.Error()
			}
			if got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

// edit replaces the model/status lines (or a given line) of a sample file.
func edit(t *testing.T, files map[string][]byte, name, text string) {
	t.Helper()
	s := string(files[name])
	if strings.HasPrefix(text, "model:") {
		var keep []string
		for _, l := range strings.Split(s, "\n") {
			if !strings.HasPrefix(l, "model:") && !strings.HasPrefix(l, "status:") && !strings.HasPrefix(l, "subnets:") && !strings.HasPrefix(l, "  - 10.0.2") {
				keep = append(keep, l)
			}
		}
		// model and status go where the sample has them: after tier (line 4).
		keep = append(keep[:4], append(strings.Split(strings.TrimSuffix(text, "\n"), "\n"), keep[4:]...)...)
		files[name] = []byte(strings.Join(keep, "\n"))
		return
	}
	old := map[string]string{"soylent.yaml": "listenerPriority: 10", "acme-corp.yaml": `id: "210987654321"`}[name]
	if !strings.Contains(s, old) {
		t.Fatalf("%s has no %q", name, old)
	}
	files[name] = []byte(strings.Replace(s, old, text, 1))
}
