package plan

import (
	"fmt"
	"hash/fnv"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/tenantctl/tenantctl/internal/spec"
)

// Target is one stack a rollout may run on.
type Target struct {
	// Stack is the stack name: the tenant id, or PlatformStack.
	Stack string `json:"stack"`
	// Tier and Rank order tenants in waves; the platform has rank -1.
	Tier string `json:"tier,omitempty"`
	Rank int    `json:"rank"`
	// Model is the tenant's isolation model.
	Model spec.IsolationModel `json:"model,omitempty"`
}

// Skip is a stack the selection matched but leaves out, with the reason.
type Skip struct {
	Stack  string `json:"stack"`
	Reason string `json:"reason"`
	// Unchanged marks a stack left out because its desired state is the one
	// it was last deployed with (package unchanged).
	Unchanged bool `json:"unchanged,omitempty"`
}

// Selector picks stacks from the fleet. Every set criterion must hold (AND);
// the values of one repeated criterion are alternatives (OR).
type Selector struct {
	Tenants []string
	Tiers   []string
	Models  []string
	// Labels are k=v pairs; a tenant must carry every one.
	Labels []string
	// Changed, when not nil, limits the selection to these tenant ids (from
	// ChangedSince); AllChanged means every tenant is affected.
	Changed *ChangeSet
	// Shard is 1-based: shard Shard of Shards.
	Shard, Shards int
	// Release is the release being rolled out; tenants pinned to another are skipped.
	Release string
	// Platform adds the platform stack, first.
	Platform bool
	// PlatformOnly selects the platform stack and no tenant.
	PlatformOnly bool
	// Offboarding (destroy) keeps suspended and pinned tenants: suspension is how
	// a tenant is offboarded, and a release pin does not protect from removal.
	Offboarding bool
}

// Selection is the stacks to run, in wave order, and the stacks left out.
type Selection struct {
	Targets []Target
	Skipped []Skip
}

// ParseShard reads "i/n" (1 ≤ i ≤ n).
func ParseShard(s string) (i, n int, err error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 1 || i > n {
		return 0, 0, fmt.Errorf("--shard %q: want i/n with 1 ≤ i ≤ n, e.g. 2/4", s)
	}
	return i, n, nil
}

// ShardOf returns the 1-based shard of a stack among n: FNV-1a of the stack name,
// so the split is the same on every runner and every run.
func ShardOf(stack string, n int) int {
	h := fnv.New64a()
	h.Write([]byte(stack))
	return int(h.Sum64()%uint64(n)) + 1
}

// Select applies the selector to the fleet. Unknown tenant ids, tiers, models and
// malformed labels are errors, so a typo never turns into an empty rollout.
func Select(f *spec.Fleet, sel Selector) (*Selection, error) {
	if err := checkSelector(f, sel); err != nil {
		return nil, err
	}
	// The tier, model and label criteria are `tenantctl list`'s: one matcher.
	match := spec.Selector{Tiers: sel.Tiers, Labels: map[string]string{}}
	for _, m := range sel.Models {
		match.Models = append(match.Models, spec.IsolationModel(m))
	}
	for _, kv := range sel.Labels {
		k, v, _ := spec.ParseLabel(kv)
		match.Labels[k] = v
	}
	out := &Selection{}
	if sel.PlatformOnly {
		out.Targets = []Target{{Stack: PlatformStack, Rank: -1}}
		return out, nil
	}
	if sel.Platform && (sel.Shards <= 1 || sel.Shard == 1) {
		// The platform goes first, and in one shard only (the first).
		out.Targets = append(out.Targets, Target{Stack: PlatformStack, Rank: -1})
	}
	for _, t := range f.Tenants {
		if !matches(t, sel, match) {
			continue
		}
		if err := CheckStackName(t.ID, false); err != nil {
			return nil, fmt.Errorf("tenant %s in %s: %w; rename the tenant (tenantctl validate refuses it)", t.ID, f.Dir, err)
		}
		if sel.Shards > 1 && ShardOf(t.ID, sel.Shards) != sel.Shard {
			continue
		}
		switch {
		case sel.Offboarding:
		case t.Status == spec.StatusSuspended:
			out.Skipped = append(out.Skipped, Skip{Stack: t.ID, Reason: "suspended"})
			continue
		case t.Release != "" && t.Release != sel.Release:
			this := sel.Release
			if this == "" {
				this = "none named (--release)"
			}
			out.Skipped = append(out.Skipped, Skip{Stack: t.ID, Reason: fmt.Sprintf("pinned to release %s (this rollout: %s)", t.Release, this)})
			continue
		}
		rank := 0
		if tier := f.TierOf(t); tier != nil {
			rank = tier.Rank
		}
		out.Targets = append(out.Targets, Target{Stack: t.ID, Tier: t.Tier, Rank: rank, Model: t.Model})
	}
	sort.SliceStable(out.Targets, func(i, j int) bool {
		a, b := out.Targets[i], out.Targets[j]
		if a.Rank != b.Rank {
			return a.Rank < b.Rank
		}
		return a.Stack < b.Stack
	})
	return out, nil
}

// CheckStackName refuses a reserved id (spec.IsReservedTenantID) as a tenant
// stack: a tenant called "platform" would run, and destroy, the shared platform
// stack. The platform stack itself passes only where the platform runs
// (platformWave: the first wave, alone).
func CheckStackName(stack string, platformWave bool) error {
	if stack == PlatformStack && platformWave {
		return nil
	}
	if spec.IsReservedTenantID(stack) {
		return reservedTenant(stack)
	}
	return nil
}

func reservedTenant(id string) error {
	if id == PlatformStack {
		return fmt.Errorf("%q is the shared platform stack, never a tenant; select the platform with --platform", id)
	}
	return fmt.Errorf("%q is a name tenantctl reserves for itself (%s), never a tenant", id, strings.Join(spec.ReservedTenantIDs(), ", "))
}

func matches(t *spec.Tenant, sel Selector, match spec.Selector) bool {
	if len(sel.Tenants) > 0 && !slices.Contains(sel.Tenants, t.ID) {
		return false
	}
	if !match.Matches(t) {
		return false
	}
	if sel.Changed != nil && !sel.Changed.All && !sel.Changed.Tenants[t.ID] {
		return false
	}
	return true
}

func checkSelector(f *spec.Fleet, sel Selector) error {
	for _, id := range sel.Tenants {
		// Before the fleet lookup: a fleet that holds such a tenant anyway (it
		// fails validation) must not turn it into a stack.
		if spec.IsReservedTenantID(id) {
			return fmt.Errorf("--tenant %s: %w", id, reservedTenant(id))
		}
		if f.Tenant(id) == nil {
			return fmt.Errorf("--tenant %s: no tenant with that id in %s", id, f.Dir)
		}
	}
	for _, tier := range sel.Tiers {
		if _, ok := f.Settings.Tiers[tier]; !ok {
			return fmt.Errorf("--tier %s: no such tier in %s (tiers: %s)", tier, spec.SettingsFile, strings.Join(sortedTiers(f), ", "))
		}
	}
	for _, m := range sel.Models {
		if !slices.Contains(modelNames(), m) {
			return fmt.Errorf("--model %s: not an isolation model (one of %s)", m, strings.Join(modelNames(), ", "))
		}
	}
	for _, kv := range sel.Labels {
		if _, _, ok := spec.ParseLabel(kv); !ok {
			return fmt.Errorf("--label %q: want key=value", kv)
		}
	}
	if sel.Shards > 0 && (sel.Shard < 1 || sel.Shard > sel.Shards) {
		return fmt.Errorf("--shard %d/%d: want 1 ≤ i ≤ n", sel.Shard, sel.Shards)
	}
	return nil
}

func sortedTiers(f *spec.Fleet) []string {
	var names []string
	for n := range f.Settings.Tiers {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func modelNames() []string {
	var out []string
	for _, m := range spec.Models {
		out = append(out, string(m))
	}
	return out
}
