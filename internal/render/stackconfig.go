package render

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"gopkg.in/yaml.v3"
)

// SecretPlaceholder stands in for a secret of the stack's configuration: the
// renderer cannot (and should not) decrypt secrets; it only needs to know one
// is set. It is shown as Secret.
const SecretPlaceholder = "secret-set-in-stack-config"

// StackConfig reads dir/Pulumi.<stack>.yaml, the stack's configuration as
// pulumi up sees it. Plain values are returned as they are; secure values as
// SecretPlaceholder, with their keys in secrets. A missing file is an empty
// configuration.
func StackConfig(dir, stack string) (config map[string]string, secrets []string, err error) {
	path := filepath.Join(dir, "Pulumi."+stack+".yaml")
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]string{}, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	var file struct {
		Config map[string]any `yaml:"config"`
	}
	if err := yaml.Unmarshal(data, &file); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	config = map[string]string{}
	for k, v := range file.Config {
		switch v := v.(type) {
		case map[string]any:
			if _, ok := v["secure"]; ok {
				config[k] = SecretPlaceholder
				secrets = append(secrets, k)
				continue
			}
			return nil, nil, fmt.Errorf("%s: config %s: structured values are not supported; tenantctl keys are strings", path, k)
		case string:
			config[k] = v
		case nil:
			config[k] = ""
		default:
			config[k] = fmt.Sprint(v)
		}
	}
	sort.Strings(secrets)
	return config, secrets, nil
}
