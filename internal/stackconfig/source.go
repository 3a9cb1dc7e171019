package stackconfig

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"gopkg.in/yaml.v3"

	"github.com/tenantctl/tenantctl/internal/naming"
	"github.com/tenantctl/tenantctl/internal/spec"
)

// A stack's configuration has one shape everywhere: keys as namespace:key,
// each value with its secret flag, as the Automation API takes it. The
// rollout hands it to the engine, render to the mock monitor (Plain), and
// `pulumi up` reads the same keys from stacks/Pulumi.<stack>.yaml (ReadFile).

// Source gives a stack's configuration ("platform" or a tenant id).
type Source func(stack string) (map[string]auto.ConfigValue, error)

// SecretPlaceholder stands in for a secret of a stack file: the renderer
// cannot (and should not) decrypt secrets; it only needs to know one is set.
const SecretPlaceholder = "secret-set-in-stack-config"

// FromSpec is a stack's configuration as the spec says it: the region of its
// default provider and what the stack is, so `pulumi config` on a stack shows
// which tenant, tier and model it holds.
func FromSpec(f *spec.Fleet, stack string) (map[string]auto.ConfigValue, error) {
	s := f.Settings
	cfg := map[string]auto.ConfigValue{
		"tenantctl:environment": {Value: s.Environment},
		"tenantctl:namePrefix":  {Value: s.NamePrefix},
	}
	if stack == naming.PlatformStack {
		cfg["aws:region"] = auto.ConfigValue{Value: s.PlatformRegion}
		cfg["tenantctl:stack"] = auto.ConfigValue{Value: naming.PlatformStack}
		return cfg, nil
	}
	t := f.Tenant(stack)
	if t == nil {
		return nil, fmt.Errorf("stack %s: no tenant with that id in %s", stack, f.Dir)
	}
	region := t.Region
	if region == "" {
		region = s.PlatformRegion
	}
	cfg["aws:region"] = auto.ConfigValue{Value: region}
	cfg["tenantctl:stack"] = auto.ConfigValue{Value: "tenant"}
	cfg["tenantctl:tenant"] = auto.ConfigValue{Value: t.ID}
	cfg["tenantctl:tier"] = auto.ConfigValue{Value: t.Tier}
	cfg["tenantctl:model"] = auto.ConfigValue{Value: string(t.Model)}
	return cfg, nil
}

// ReadFile reads dir/Pulumi.<stack>.yaml, the stack's configuration as
// `pulumi up` sees it. Plain values are returned as they are; secure values
// as SecretPlaceholder, marked secret. A missing file is an empty
// configuration.
func ReadFile(dir, stack string) (map[string]auto.ConfigValue, error) {
	path := filepath.Join(dir, "Pulumi."+stack+".yaml")
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]auto.ConfigValue{}, nil
	}
	if err != nil {
		return nil, err
	}
	var file struct {
		Config map[string]any `yaml:"config"`
	}
	if err := yaml.Unmarshal(data, &file); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	cfg := map[string]auto.ConfigValue{}
	for k, v := range file.Config {
		switch v := v.(type) {
		case map[string]any:
			if _, ok := v["secure"]; ok {
				cfg[k] = auto.ConfigValue{Value: SecretPlaceholder, Secret: true}
				continue
			}
			return nil, fmt.Errorf("%s: config %s: structured values are not supported; tenantctl keys are strings", path, k)
		case string:
			cfg[k] = auto.ConfigValue{Value: v}
		case nil:
			cfg[k] = auto.ConfigValue{}
		default:
			cfg[k] = auto.ConfigValue{Value: fmt.Sprint(v)}
		}
	}
	return cfg, nil
}

// Dir reads each stack's configuration from dir/Pulumi.<stack>.yaml.
func Dir(dir string) Source {
	return func(stack string) (map[string]auto.ConfigValue, error) { return ReadFile(dir, stack) }
}

// WithExtra adds the same plain keys to every stack's configuration (an
// emulator endpoint, say); they win over the stack's own. src may be nil.
func WithExtra(src Source, extra map[string]string) Source {
	return func(stack string) (map[string]auto.ConfigValue, error) {
		cfg := map[string]auto.ConfigValue{}
		if src != nil {
			var err error
			if cfg, err = src(stack); err != nil {
				return nil, err
			}
		}
		for k, v := range extra {
			cfg[k] = auto.ConfigValue{Value: v}
		}
		return cfg, nil
	}
}

// FromStrings is plain keys as a configuration; nil when there are none.
func FromStrings(plain map[string]string) map[string]auto.ConfigValue {
	if len(plain) == 0 {
		return nil
	}
	cfg := make(map[string]auto.ConfigValue, len(plain))
	for k, v := range plain {
		cfg[k] = auto.ConfigValue{Value: v}
	}
	return cfg
}

// Plain splits a configuration the way the mock monitor takes it: every
// value as a string, and the secret keys, sorted.
func Plain(cfg map[string]auto.ConfigValue) (values map[string]string, secrets []string) {
	values = make(map[string]string, len(cfg))
	for k, v := range cfg {
		values[k] = v.Value
		if v.Secret {
			secrets = append(secrets, k)
		}
	}
	sort.Strings(secrets)
	return values, secrets
}
