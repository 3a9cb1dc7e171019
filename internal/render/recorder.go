// Package render runs a stack's program under the Pulumi SDK's mock monitor, in
// process — no engine, no cloud — and records every resource it registers, so
// that the CLI can print what a tenant file turns into and tests can assert on
// it. Formatters print the recorded graph as a table, JSON, YAML, Markdown or dot.
package render

import (
	"crypto/sha256"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/proto"

	"github.com/tenantctl/tenantctl/internal/iampolicy"
)

// Computed is how a value known only after deployment is shown.
const Computed = "<computed>"

// Secret is how a secret value is shown.
const Secret = "[secret]"

// Token of the stack reference resource.
const stackReferenceType = "pulumi:pulumi:StackReference"

// providerTypePrefix starts the type of every provider resource.
const providerTypePrefix = "pulumi:providers:"

// Resource is one registered resource.
type Resource struct {
	Type     string `json:"type" yaml:"type"`
	Name     string `json:"name" yaml:"name"`
	Provider string `json:"provider,omitempty" yaml:"provider,omitempty"`
	Parent   string `json:"parent,omitempty" yaml:"parent,omitempty"`
	// Inputs are the resource's inputs, tags left out (they are in Tags).
	Inputs map[string]any `json:"inputs,omitempty" yaml:"inputs,omitempty"`
	// Tags are the tags the resource ends up with: its provider's default tags
	// merged with its own; nil for resources that take no tags.
	Tags map[string]string `json:"tags,omitempty" yaml:"tags,omitempty"`

	// Custom is false for component resources and the stack reference.
	Custom bool `json:"-" yaml:"-"`
	// Raw are the inputs as the monitor received them, for tests.
	Raw resource.PropertyMap `json:"-" yaml:"-"`
	// ProviderRef is the provider reference as registered ("<urn>::<id>").
	ProviderRef string `json:"-" yaml:"-"`
	// ParentType is the type of the parent.
	ParentType string `json:"-" yaml:"-"`
	// IgnoreChanges are the inputs the resource's ignoreChanges option
	// names, for tests.
	IgnoreChanges []string `json:"-" yaml:"-"`
	// Registration digests everything the program sent the engine for this
	// resource: inputs, parent, provider, dependencies and every option.
	// Two programs whose registrations digest alike ask the engine for the
	// same thing, which is what a fingerprint of the desired state needs.
	Registration [sha256.Size]byte `json:"-" yaml:"-"`
}

// Key identifies a resource in a graph: type and logical name.
func (r *Resource) Key() string { return r.Type + "::" + r.Name }

// ParentKey is the parent's Key, "" for children of the stack.
func (r *Resource) ParentKey() string {
	if r.Parent == "" {
		return ""
	}
	return r.ParentType + "::" + r.Parent
}

// Recorder is a pulumi.MockResourceMonitor that records every registration.
//
// In Preview mode it behaves as `pulumi preview` does: ids and outputs not
// given as inputs are unknown, and so is every stack reference's output; the
// graph shows them as <computed>. Otherwise ids are "<name>-id", every
// resource gets an "arn" built from its type and name (in its region's
// partition) (and the outputs of
// computedOutputs), and stack references return PlatformOutputs, so that
// tests can read policies and wiring.
type Recorder struct {
	Preview bool
	// PlatformOutputs are what stack references return outside Preview mode.
	PlatformOutputs map[string]any

	mu        sync.Mutex
	resources []*Resource
	regions   map[string]string // provider name → region
}

// NewResource records a registration.
func (r *Recorder) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	res := &Resource{
		Type:        args.TypeToken,
		Name:        args.Name,
		Custom:      args.Custom,
		Raw:         args.Inputs,
		ProviderRef: args.Provider,
	}
	if args.RegisterRPC != nil {
		// The monitor drops unknown inputs from args.Inputs; read them again
		// from the request, keeping them, so the graph shows <computed>.
		raw, err := plugin.UnmarshalProperties(args.RegisterRPC.GetObject(), plugin.MarshalOptions{
			KeepUnknowns: true, KeepSecrets: true, KeepResources: true,
		})
		if err != nil {
			return "", nil, err
		}
		res.Raw = raw
		res.ParentType, res.Parent = urnTypeName(args.RegisterRPC.GetParent())
		res.IgnoreChanges = args.RegisterRPC.GetIgnoreChanges()
		if res.Registration, err = registrationDigest(args.RegisterRPC); err != nil {
			return "", nil, err
		}
	} else if args.ReadRPC != nil {
		res.ParentType, res.Parent = urnTypeName(args.ReadRPC.GetParent())
		var err error
		if res.Registration, err = registrationDigest(args.ReadRPC); err != nil {
			return "", nil, err
		}
	}
	if res.ParentType == "pulumi:pulumi:Stack" {
		res.ParentType, res.Parent = "", ""
	}
	if args.Provider != "" {
		_, res.Provider = urnTypeName(providerURN(args.Provider))
	}
	r.mu.Lock()
	r.resources = append(r.resources, res)
	if strings.HasPrefix(args.TypeToken, providerTypePrefix) {
		if r.regions == nil {
			r.regions = map[string]string{}
		}
		if v, ok := args.Inputs["region"]; ok && v.IsString() {
			r.regions[args.Name] = v.StringValue()
		}
	}
	r.mu.Unlock()

	if args.TypeToken == stackReferenceType {
		// In Preview mode no output is there, so every one reads as unknown.
		outputs := resource.PropertyMap{}
		if !r.Preview {
			outputs = resource.NewPropertyMapFromMap(r.PlatformOutputs)
		}
		state := resource.PropertyMap{"name": resource.NewProperty(args.Name), "outputs": resource.NewProperty(outputs)}
		return args.Name, state, nil
	}
	if r.Preview {
		// Only what was given is known; the id and every output are not.
		return "", args.Inputs, nil
	}
	state := args.Inputs.Copy()
	_, prov := urnTypeName(providerURN(args.Provider))
	r.mu.Lock()
	region := r.regions[prov]
	r.mu.Unlock()
	for k, v := range computedOutputs(args.TypeToken, args.Name, region, args.Inputs) {
		if _, ok := state[k]; !ok {
			state[k] = v
		}
	}
	id := args.Name + "-id"
	if _, ok := state["arn"]; !ok {
		// In the provider region's partition, as AWS's ARNs are.
		state["arn"] = resource.NewProperty(fmt.Sprintf("arn:%s:mock:::%s/%s", iampolicy.Partition(region), args.TypeToken, args.Name))
	}
	if _, ok := state["name"]; !ok {
		state["name"] = resource.NewProperty(args.Name)
	}
	return id, state, nil
}

// MockOrganizationID is the organization's id in non-preview runs.
const MockOrganizationID = "o-mock"

// Call answers the invokes the models make: availability zones (the region's
// a, b, c, ... zones), the caller's identity, the organization (its id and
// root) and an existing hosted zone.
func (r *Recorder) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	switch args.Token {
	case "aws:index/getAvailabilityZones:getAvailabilityZones":
		_, prov := urnTypeName(providerURN(args.Provider))
		r.mu.Lock()
		region := r.regions[prov]
		r.mu.Unlock()
		if region == "" {
			return nil, fmt.Errorf("render: availability zones asked through provider %q of unknown region", prov)
		}
		names := make([]resource.PropertyValue, 6)
		for i := range names {
			names[i] = resource.NewProperty(fmt.Sprintf("%s%c", region, 'a'+i))
		}
		return resource.PropertyMap{"names": resource.NewProperty(names)}, nil
	case "aws:index/getCallerIdentity:getCallerIdentity":
		acct := "111111111111"
		if r.Preview {
			acct = Computed
		}
		return resource.PropertyMap{"accountId": resource.NewProperty(acct)}, nil
	case "aws:route53/getZone:getZone":
		// The zone the fleet names by id (dns.zoneId).
		id := resource.NewProperty(Computed)
		if v, ok := args.Args["zoneId"]; ok && !r.Preview {
			id = v
		}
		return resource.PropertyMap{"zoneId": id, "id": id, "nameServers": nameServers()}, nil
	case "aws:organizations/getOrganization:getOrganization":
		root, id := "r-mock", MockOrganizationID
		if r.Preview {
			root, id = Computed, Computed
		}
		return resource.PropertyMap{"id": resource.NewProperty(id), "roots": resource.NewProperty([]resource.PropertyValue{
			resource.NewProperty(resource.PropertyMap{"id": resource.NewProperty(root)}),
		})}, nil
	}
	return nil, fmt.Errorf("render: no answer for invoke %s", args.Token)
}

// registrationDigest is the SHA-256 of a register or read request, marshalled
// deterministically (map keys sorted) without where in the program's source
// the call came from: moving a line of model code changes no resource.
func registrationDigest(req proto.Message) ([sha256.Size]byte, error) {
	req = proto.Clone(req)
	switch r := req.(type) {
	case *pulumirpc.RegisterResourceRequest:
		r.SourcePosition, r.StackTrace, r.ParentStackTraceHandle = nil, nil, ""
	case *pulumirpc.ReadResourceRequest:
		r.SourcePosition, r.StackTrace, r.ParentStackTraceHandle = nil, nil, ""
	}
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(req)
	if err != nil {
		return [sha256.Size]byte{}, fmt.Errorf("render: digest of a registration: %w", err)
	}
	return sha256.Sum256(b), nil
}

// Resources returns what was recorded, sorted by name then type; providers'
// default tags are merged into the tags of the resources that take tags.
func (r *Recorder) Resources() []*Resource {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]*Resource, len(r.resources))
	copy(out, r.resources)
	defaults := map[string]map[string]string{}
	for _, res := range out {
		if strings.HasPrefix(res.Type, providerTypePrefix) {
			defaults[res.Name] = stringMap(res.Raw["defaultTags"], "tags")
		}
	}
	for _, res := range out {
		res.Inputs = plainMap(res.Raw, "tags")
		if !Taggable(res.Type) {
			continue
		}
		tags := map[string]string{}
		for k, v := range defaults[res.Provider] {
			tags[k] = v
		}
		for k, v := range stringMap(resource.NewProperty(res.Raw), "tags") {
			tags[k] = v
		}
		res.Tags = tags
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].Type < out[j].Type
	})
	return out
}

// urnTypeName returns the (qualified type's last) type and name of a URN.
func urnTypeName(urn string) (string, string) {
	if urn == "" {
		return "", ""
	}
	u := resource.URN(urn)
	if !u.IsValid() {
		return "", urn
	}
	return string(u.Type()), u.Name()
}

// providerURN strips the id from a provider reference "<urn>::<id>".
func providerURN(ref string) string {
	if i := strings.LastIndex(ref, "::"); i >= 0 {
		return ref[:i]
	}
	return ref
}

// stringMap reads a map of strings at key of an object value.
func stringMap(v resource.PropertyValue, key resource.PropertyKey) map[string]string {
	for v.IsSecret() {
		v = v.SecretValue().Element
	}
	if v.IsOutput() {
		v = v.OutputValue().Element
	}
	if !v.IsObject() {
		return nil
	}
	inner := v.ObjectValue()[key]
	if inner.IsOutput() {
		inner = inner.OutputValue().Element
	}
	if !inner.IsObject() {
		return nil
	}
	out := map[string]string{}
	for k, e := range inner.ObjectValue() {
		out[string(k)] = fmt.Sprint(Plain(e))
	}
	return out
}

// plainMap converts inputs to plain values, leaving out keys in skip.
func plainMap(m resource.PropertyMap, skip ...resource.PropertyKey) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if k == "__defaults" || contains(skip, k) {
			continue
		}
		out[string(k)] = Plain(v)
	}
	return out
}

func contains(keys []resource.PropertyKey, k resource.PropertyKey) bool {
	for _, s := range keys {
		if s == k {
			return true
		}
	}
	return false
}

// Plain converts a property value into plain Go values: unknowns become
// Computed, secrets Secret, resource references the referenced name.
func Plain(v resource.PropertyValue) any {
	switch {
	case v.IsComputed():
		return Computed
	case v.IsSecret():
		return Secret
	case v.IsOutput():
		o := v.OutputValue()
		if o.Secret {
			return Secret
		}
		if !o.Known {
			return Computed
		}
		return Plain(o.Element)
	case v.IsNull():
		return nil
	case v.IsString():
		return v.StringValue()
	case v.IsNumber():
		f := v.NumberValue()
		if f == float64(int64(f)) {
			return int64(f)
		}
		return f
	case v.IsBool():
		return v.BoolValue()
	case v.IsArray():
		arr := v.ArrayValue()
		out := make([]any, len(arr))
		for i, e := range arr {
			out[i] = Plain(e)
		}
		return out
	case v.IsObject():
		return plainMap(v.ObjectValue())
	case v.IsArchive():
		// A deployment package: where it is read from (lambdabuild.Unbuilt
		// names the package a deployment builds).
		a := v.ArchiveValue()
		if a.Path != "" {
			return "archive " + a.Path
		}
		return "archive"
	case v.IsResourceReference():
		ref := v.ResourceReferenceValue()
		_, name := urnTypeName(string(ref.URN))
		return name
	}
	return fmt.Sprint(v)
}
