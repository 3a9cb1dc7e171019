// Package fingerprint says whether a stack's desired state changed since it
// was last deployed, without an engine: the stack's program runs under the
// render package's mock monitor, and the fingerprint digests what it asks the
// engine for (every resource's registration: inputs, parent, provider,
// dependencies and options), the names of its outputs, the stack's
// configuration and the version of the Pulumi SDK the binary was built with. A release that changes k stacks then runs k engine operations.
//
// The model version needs no number of its own: a change to a model that
// changes any registration changes the fingerprint, and one that changes none
// asks the engine for nothing new. What a fingerprint cannot see is the cloud
// itself; drift stays the business of `refresh --drift`.
package fingerprint

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"

	"github.com/tenantctl/tenantctl/internal/render"
	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/internal/stackconfig"
)

// Recipe names what goes into a fingerprint; changing the recipe changes
// every fingerprint, so every stack runs once after an upgrade that does.
const Recipe = "tenantctl-fingerprint/1"

// prefix starts every fingerprint, naming the hash.
const prefix = "sha256:"

// Tools are the versions of what the program is built with that the
// registrations do not show: the Pulumi SDK decides how the program speaks to
// the engine. (The AWS provider's version is in every registration of an AWS
// resource, so a new provider changes every fingerprint already.)
type Tools struct {
	PulumiSDK string
}

// BuiltWith is the Tools of the running binary.
func BuiltWith() Tools { return Tools{PulumiSDK: sdk.Version.String()} }

// Of is the fingerprint of one rendered stack with its configuration.
// Secret configuration values go into the digest (a rotated secret is a
// change) and never anywhere else.
func Of(g *render.Graph, config map[string]auto.ConfigValue, tools Tools) string {
	h := sha256.New()
	field := func(parts ...string) {
		for _, p := range parts {
			fmt.Fprintf(h, "%d:%s", len(p), p)
		}
		h.Write([]byte{'\n'})
	}
	field("recipe", Recipe)
	field("tools", tools.PulumiSDK)
	field("stack", g.Stack)
	keys := make([]string, 0, len(config))
	for k := range config {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := config[k]
		field("config", k, fmt.Sprint(v.Secret), v.Value)
	}
	field(append([]string{"outputs"}, g.Outputs...)...)
	// Sorted digests, not registration order: goroutines in a program may
	// register in any order, and each digest names its resource already.
	digests := make([][sha256.Size]byte, len(g.Resources))
	for i, r := range g.Resources {
		digests[i] = r.Registration
	}
	slices.SortFunc(digests, func(a, b [sha256.Size]byte) int { return bytes.Compare(a[:], b[:]) })
	for _, d := range digests {
		h.Write(d[:])
	}
	return prefix + hex.EncodeToString(h.Sum(nil))
}

// Valid reports whether s has the shape of a fingerprint, for records read
// back from a store.
func Valid(s string) bool {
	hexPart, ok := strings.CutPrefix(s, prefix)
	if !ok || len(hexPart) != 2*sha256.Size {
		return false
	}
	_, err := hex.DecodeString(hexPart)
	return err == nil
}

// Stacks fingerprints the named stacks of a validated fleet, rendering them
// in parallel (render.Stacks), with each stack's configuration from config.
// Every stack that cannot be rendered is reported.
func Stacks(f *spec.Fleet, stacks []string, config stackconfig.Source) (map[string]string, error) {
	cfgs := make(map[string]map[string]auto.ConfigValue, len(stacks))
	source := config
	if config != nil {
		// Each stack's configuration is read once: the renderer and the
		// digest see the same values.
		var mu sync.Mutex
		source = func(stack string) (map[string]auto.ConfigValue, error) {
			cfg, err := config(stack)
			if err == nil {
				mu.Lock()
				cfgs[stack] = cfg
				mu.Unlock()
			}
			return cfg, err
		}
	}
	graphs, err := render.Stacks(f, stacks, source)
	if err != nil {
		return nil, err
	}
	tools := BuiltWith()
	out := make(map[string]string, len(graphs))
	for _, g := range graphs {
		out[g.Stack] = Of(g, cfgs[g.Stack], tools)
	}
	return out, nil
}
