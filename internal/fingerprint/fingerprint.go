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
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"golang.org/x/sync/errgroup"

	"github.com/tenantctl/tenantctl/internal/lambdabuild"
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
// in parallel, with each stack's configuration from config. A stack that
// cannot be rendered (a missing secret, say) has no fingerprint: it is in
// failed with the reason, and a rollout runs it, so the engine reports the
// problem where it belongs.
func Stacks(f *spec.Fleet, stacks []string, config stackconfig.Source) (fps map[string]string, failed map[string]error) {
	tools := BuiltWith()
	fps, failed = make(map[string]string, len(stacks)), map[string]error{}
	var mu sync.Mutex
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for _, s := range stacks {
		g.Go(func() error {
			var cfg map[string]auto.ConfigValue
			var err error
			if config != nil {
				cfg, err = config(s)
			}
			var fp string
			if err == nil {
				// The renderer and the digest see the same configuration.
				var g *render.Graph
				// Lambda packages are named by their sources, so a change
				// to a function's code is a change of the platform stack.
				if g, err = render.StackWith(f, s, func(string) (map[string]auto.ConfigValue, error) { return cfg, nil }, lambdabuild.Sources{}); err == nil {
					fp = Of(g, cfg, tools)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				failed[s] = err
			} else {
				fps[s] = fp
			}
			return nil
		})
	}
	g.Wait()
	return fps, failed
}
