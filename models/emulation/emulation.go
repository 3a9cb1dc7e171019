// Package emulation is how a stack runs against a local AWS emulator: the
// endpoint its provider uses, and the emulator's documented gaps
// (internal/emulator) the models consult to leave out or adapt what the
// emulator cannot serve. Every gap a stack applied is recorded, and the stack
// exports the list: nothing is skipped silently. A stack pointed at AWS has no
// Mode (nil), and every method answers as for AWS.
package emulation

import (
	"fmt"
	"sort"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/tenantctl/tenantctl/internal/emulator/gaps"
	"github.com/tenantctl/tenantctl/models/provider"
)

// Stack configuration keys (tenantctl:<key>) that put a stack in emulator mode.
const (
	// ConfigEndpointURL is the emulator's URL; unset for AWS.
	ConfigEndpointURL = "endpointUrl"
	// ConfigEmulator names the emulator whose gaps apply (default "moto").
	ConfigEmulator = "emulator"
	// ConfigCredentials is "dummy" (static test credentials, the default) or
	// "environment" (the credentials the deployment's environment holds).
	ConfigCredentials = "emulatorCredentials"
)

// Credential sources of ConfigCredentials.
const (
	CredentialsDummy       = "dummy"
	CredentialsEnvironment = "environment"
)

// OutputGaps is the stack output listing the gap ids the stack applied; only
// stacks in emulator mode export it.
const OutputGaps = "emulatorGaps"

// Mode is a stack's emulator set-up.
type Mode struct {
	Endpoint provider.Endpoint
	// Emulator is the emulator's name, Gaps its documented gaps.
	Emulator string
	Gaps     gaps.Set

	mu      sync.Mutex
	applied map[string]bool
}

// FromConfig reads the mode from the stack's configuration (get returns ""
// for an unset key): nil when no endpoint is set.
func FromConfig(get func(key string) string) (*Mode, error) {
	url := get(ConfigEndpointURL)
	if url == "" {
		return nil, nil
	}
	if err := provider.CheckURL(url); err != nil {
		return nil, fmt.Errorf("tenantctl:%s: %w", ConfigEndpointURL, err)
	}
	name := get(ConfigEmulator)
	if name == "" {
		name = gaps.MotoName
	}
	set, err := gaps.For(name)
	if err != nil {
		return nil, fmt.Errorf("tenantctl:%s: %w", ConfigEmulator, err)
	}
	m := &Mode{Endpoint: provider.Endpoint{URL: url}, Emulator: name, Gaps: set}
	switch c := get(ConfigCredentials); c {
	case "", CredentialsDummy:
		m.Endpoint.DummyCredentials = true
	case CredentialsEnvironment:
	default:
		return nil, fmt.Errorf("tenantctl:%s %q: want %s or %s", ConfigCredentials, c, CredentialsDummy, CredentialsEnvironment)
	}
	return m, nil
}

// Provider is the provider endpoint of the mode, nil for AWS.
func (m *Mode) Provider() *provider.Endpoint {
	if m == nil {
		return nil
	}
	ep := m.Endpoint
	return &ep
}

// Gap reports whether the emulator has the gap, and records it as applied:
// the model leaves out or adapts the resource when it returns true.
func (m *Mode) Gap(id string) bool {
	if m == nil || !m.Gaps.Has(id) {
		return false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.applied == nil {
		m.applied = map[string]bool{}
	}
	m.applied[id] = true
	return true
}

// Applied are the ids of the gaps the stack applied, sorted.
func (m *Mode) Applied() []string {
	if m == nil {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]string, 0, len(m.applied))
	for id := range m.applied {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// AppliedIn reads OutputGaps back from a stack's outputs as the program built
// them (the offline renderer's view); false when the stack is not in emulator
// mode.
func AppliedIn(outputs map[string]pulumi.Input) ([]string, bool) {
	v, ok := outputs[OutputGaps]
	if !ok {
		return nil, false
	}
	arr, ok := v.(pulumi.StringArray)
	if !ok {
		return nil, false
	}
	ids := make([]string, 0, len(arr))
	for _, s := range arr {
		if str, ok := s.(pulumi.String); ok {
			ids = append(ids, string(str))
		}
	}
	return ids, true
}
