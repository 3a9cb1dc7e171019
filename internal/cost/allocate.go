// Package cost is tenantctl's chargeback: one month's cost per tenant, from Cost
// Explorer (linked accounts and the TenantId cost-allocation tag) and, for
// pooled tenants, a share of the pooled resources' cost by metered usage
// (pkg/metering). Every report reconciles to Cost Explorer's total for
// the month, to the cent, with what could not be allocated shown as such.
package cost

import (
	"fmt"
	"math/big"
	"sort"
	"strings"

	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/pkg/metering"
)

// Cell is Cost Explorer's cost of one linked account and one TenantId tag value
// ("" for cost without the tag). The cells of a month partition its cost: each
// dollar is in exactly one cell, which is what makes "no double counting" hold.
type Cell struct {
	Account string
	Tag     string
	Amount  *big.Rat
}

// Weight is how much one metering metric counts in a tenant's usage share.
type Weight struct {
	Metric string  `json:"metric"`
	Factor float64 `json:"factor"`
}

// DefaultWeights count requests and consumed capacity units equally: requests
// stand for the compute and API cost of the pooled service, capacity units for
// the pooled tables.
var DefaultWeights = []Weight{{metering.MetricRequests, 0.5}, {metering.MetricCapacityUnits, 0.5}}

// Formula is the usage-share rule, as shown by --explain.
const Formula = "share(t) = Σ_m w_m × u_m(t) / U_m  ÷  Σ_m w_m, over the metrics m with U_m > 0, " +
	"where u_m(t) is tenant t's sum of metric m over the month and U_m the fleet's; " +
	"pooled(t) = pool × share(t), rounded to cents by largest remainder so the shares add up to the pool exactly"

// Inputs are everything a report is computed from; Allocate is a pure function
// of them.
type Inputs struct {
	Month     Month
	Metric    string
	Currency  string
	Estimated bool
	// Total is Cost Explorer's ungrouped total of the month.
	Total *big.Rat
	// Cells are the month's cost by linked account × TenantId tag.
	Cells []Cell
	// PoolCells are the cost tagged CostPool=application, grouped the same way.
	PoolCells []Cell
	// AccountTenants maps linked account ids to their TENANT_ID tag.
	AccountTenants map[string]string
	// Tenants is the fleet.
	Tenants []*spec.Tenant
	// Usage is each tenant's metering sums of the month: tenant → metric → sum.
	Usage   map[string]map[string]float64
	Weights []Weight
	// Warnings found while gathering the inputs, carried into the report.
	Warnings []string
}

// Basis words: how a tenant's cost was found.
const (
	BasisAccount = "linked account"
	BasisTag     = "tag"
	BasisUsage   = "usage share"
)

// Remainder reasons: the parts of the month's cost that belong to no tenant.
const (
	ReasonPlatform      = "platform"
	ReasonUntagged      = "untagged"
	ReasonUnknownTenant = "unknown-tenant"
	ReasonPoolUnmetered = "pool-unmetered"
	ReasonGrouping      = "grouping-difference"
)

var reasonText = map[string]string{
	ReasonPlatform:      "shared platform cost (TenantId=platform, not pooled)",
	ReasonUntagged:      "cost without a TenantId tag outside tenant accounts",
	ReasonUnknownTenant: "tenant ids not in the fleet",
	ReasonPoolUnmetered: "pooled cost (CostPool=application) with no metered usage this month",
	ReasonGrouping:      "Cost Explorer total minus the sum of its groups",
}

// Report is one month's chargeback.
type Report struct {
	Month     string `json:"month"`
	Metric    string `json:"metric"`
	Currency  string `json:"currency"`
	Estimated bool   `json:"estimated"`
	// TotalCents is Cost Explorer's total; AllocatedCents + UnallocatedCents.
	TotalCents       int64 `json:"totalCents"`
	AllocatedCents   int64 `json:"allocatedCents"`
	UnallocatedCents int64 `json:"unallocatedCents"`
	// PoolCents is the pooled cost split by usage (0 when nobody metered usage).
	PoolCents   int64              `json:"poolCents"`
	UsageTotals map[string]float64 `json:"usageTotals"`
	Weights     []Weight           `json:"weights"`
	Formula     string             `json:"formula"`
	Tenants     []TenantCost       `json:"tenants"`
	Unallocated []Remainder        `json:"unallocated"`
	Warnings    []string           `json:"warnings,omitempty"`
}

// TenantCost is one tenant's line: DirectCents + PooledCents = TotalCents.
type TenantCost struct {
	ID    string              `json:"id"`
	Tier  string              `json:"tier"`
	Model spec.IsolationModel `json:"model"`
	// Basis lists how the cost was found: linked account, tag, usage share.
	Basis       []string           `json:"basis"`
	Accounts    []string           `json:"accounts,omitempty"`
	DirectCents int64              `json:"directCents"`
	PooledCents int64              `json:"pooledCents"`
	TotalCents  int64              `json:"totalCents"`
	Usage       map[string]float64 `json:"usage,omitempty"`
	// Share is the tenant's usage share of the pool, 0 to 1.
	Share float64 `json:"share"`
	// Explain is the share formula with the tenant's numbers.
	Explain string `json:"explain,omitempty"`
}

// Remainder is a part of the month's cost that belongs to no tenant.
type Remainder struct {
	Reason string `json:"reason"`
	Detail string `json:"detail"`
	Cents  int64  `json:"cents"`
}

// owner is who a cell's cost goes to.
type owner struct {
	tenant string // a fleet tenant, or ""
	reason string // a remainder reason when tenant is ""
}

func cellKey(account, tag string) string { return account + "\x00" + tag }

// Allocate computes the report. The rule, for every tenant whatever its model
// and even when the model changed during the month:
//
//  1. Each Cost Explorer cell goes to exactly one place: the tenant named by its
//     linked account's TENANT_ID tag; else the fleet tenant its TenantId tag
//     names; else the remainder (platform, untagged, unknown tenant).
//  2. The pool is the cost tagged CostPool=application within cells that went to
//     the platform or untagged remainder (pool cost that already belongs to a
//     tenant stays with it, with a warning). It is split among every fleet
//     tenant with metered usage in the month, by share(t) (see Formula).
//
// A tenant that moved from application to a siloed model mid-month thus pays
// its usage share for the weeks it was pooled plus its tagged or linked cost
// for the rest; nothing is counted twice since every cell goes to one place.
func Allocate(in Inputs) (*Report, error) {
	weights := in.Weights
	if len(weights) == 0 {
		weights = DefaultWeights
	}
	if err := ValidateWeights(weights); err != nil {
		return nil, err
	}
	fleet := map[string]*spec.Tenant{}
	for _, t := range in.Tenants {
		fleet[t.ID] = t
	}
	r := &Report{
		Month: in.Month.String(), Metric: in.Metric, Currency: in.Currency, Estimated: in.Estimated,
		Weights: weights, Formula: Formula, Warnings: append([]string(nil), in.Warnings...),
	}

	direct := map[string]*big.Rat{}
	accounts := map[string]map[string]bool{}
	basis := map[string]map[string]bool{}
	mark := func(tenant, b string) {
		if basis[tenant] == nil {
			basis[tenant] = map[string]bool{}
		}
		basis[tenant][b] = true
	}
	rest := map[string]*big.Rat{}
	unknown := map[string]bool{}
	add := func(m map[string]*big.Rat, k string, v *big.Rat) {
		if m[k] == nil {
			m[k] = new(big.Rat)
		}
		m[k].Add(m[k], v)
	}

	owners := map[string]owner{}
	cellsSum := new(big.Rat)
	for _, c := range mergeCells(in.Cells) {
		cellsSum.Add(cellsSum, c.Amount)
		var o owner
		if id := in.AccountTenants[c.Account]; id != "" {
			if fleet[id] != nil {
				o.tenant = id
				if accounts[id] == nil {
					accounts[id] = map[string]bool{}
				}
				accounts[id][c.Account] = true
				mark(id, BasisAccount)
			} else {
				o.reason = ReasonUnknownTenant
				unknown[id+" (account "+c.Account+")"] = true
			}
		} else {
			switch {
			case c.Tag == spec.PlatformTenantID:
				o.reason = ReasonPlatform
			case c.Tag == "":
				o.reason = ReasonUntagged
			case fleet[c.Tag] != nil:
				o.tenant = c.Tag
				mark(c.Tag, BasisTag)
			default:
				o.reason = ReasonUnknownTenant
				unknown[c.Tag] = true
			}
		}
		owners[cellKey(c.Account, c.Tag)] = o
		if o.tenant != "" {
			add(direct, o.tenant, c.Amount)
		} else {
			add(rest, o.reason, c.Amount)
		}
	}

	pool := new(big.Rat)
	for _, c := range mergeCells(in.PoolCells) {
		o, ok := owners[cellKey(c.Account, c.Tag)]
		switch {
		case !ok:
			r.Warnings = append(r.Warnings, fmt.Sprintf("pooled cost of account %s, TenantId %q (%s) has no matching cell in the month's cost; left out of the pool", c.Account, c.Tag, c.Amount.FloatString(2)))
		case o.tenant != "":
			r.Warnings = append(r.Warnings, fmt.Sprintf("%s tagged CostPool=application in account %s also belongs to tenant %s; counted once, for %s", c.Amount.FloatString(2), c.Account, o.tenant, o.tenant))
		case o.reason == ReasonPlatform || o.reason == ReasonUntagged:
			pool.Add(pool, c.Amount)
			rest[o.reason].Sub(rest[o.reason], c.Amount)
		default:
			r.Warnings = append(r.Warnings, fmt.Sprintf("%s tagged CostPool=application in account %s carries TenantId %q of no fleet tenant; left unallocated", c.Amount.FloatString(2), c.Account, c.Tag))
		}
	}

	shares, totals, explains := usageShares(in.Tenants, in.Usage, weights)
	r.UsageTotals = totals
	poolShared := shares != nil
	if !poolShared {
		add(rest, ReasonPoolUnmetered, pool)
	}

	// Top-level atoms, rounded together so they sum to the rounded total:
	// each tenant's direct cost, the shared pool, then the remainder reasons.
	ids := make([]string, 0, len(in.Tenants))
	for _, t := range in.Tenants {
		ids = append(ids, t.ID)
	}
	sort.Strings(ids)
	var atoms []*big.Rat
	for _, id := range ids {
		atoms = append(atoms, orZero(direct[id]))
	}
	if poolShared {
		atoms = append(atoms, pool)
	} else {
		atoms = append(atoms, new(big.Rat)) // the pool went to ReasonPoolUnmetered
	}
	reasons := []string{ReasonPlatform, ReasonUntagged, ReasonUnknownTenant, ReasonPoolUnmetered, ReasonGrouping}
	total := orZero(in.Total)
	rest[ReasonGrouping] = new(big.Rat).Sub(total, cellsSum)
	for _, reason := range reasons {
		atoms = append(atoms, orZero(rest[reason]))
	}
	totalCents, cents, err := Apportion(atoms)
	if err != nil {
		return nil, err
	}
	if totalCents != roundCents(total) {
		return nil, fmt.Errorf("internal: report lines add up to %d cents, Cost Explorer's total is %d", totalCents, roundCents(total))
	}
	r.TotalCents = totalCents
	r.PoolCents = cents[len(ids)]

	var pooled []int64
	if poolShared {
		ws := make([]*big.Rat, len(ids))
		for i, id := range ids {
			ws[i] = orZero(shares[id])
		}
		if pooled, err = Split(r.PoolCents, ws); err != nil {
			return nil, err
		}
	}
	for i, id := range ids {
		t := fleet[id]
		tc := TenantCost{ID: id, Tier: t.Tier, Model: t.Model, DirectCents: cents[i], Usage: in.Usage[id]}
		if pooled != nil {
			tc.PooledCents = pooled[i]
			if s := shares[id]; s != nil && s.Sign() > 0 {
				tc.Share, _ = s.Float64()
				tc.Explain = explains[id]
				mark(id, BasisUsage)
			}
		}
		tc.TotalCents = tc.DirectCents + tc.PooledCents
		for _, b := range []string{BasisAccount, BasisTag, BasisUsage} {
			if basis[id][b] {
				tc.Basis = append(tc.Basis, b)
			}
		}
		tc.Accounts = sortedKeys(accounts[id])
		r.Tenants = append(r.Tenants, tc)
		r.AllocatedCents += tc.TotalCents
	}
	for j, reason := range reasons {
		c := cents[len(ids)+1+j]
		if c == 0 && orZero(rest[reason]).Sign() == 0 {
			continue
		}
		detail := reasonText[reason]
		if reason == ReasonUnknownTenant {
			detail += ": " + strings.Join(sortedKeys(unknown), ", ")
		}
		r.Unallocated = append(r.Unallocated, Remainder{Reason: reason, Detail: detail, Cents: c})
		r.UnallocatedCents += c
	}
	if r.AllocatedCents+r.UnallocatedCents != r.TotalCents {
		return nil, fmt.Errorf("internal: allocated %d + unallocated %d cents != total %d", r.AllocatedCents, r.UnallocatedCents, r.TotalCents)
	}
	return r, nil
}

// usageShares returns each tenant's share of the pool (nil when no tenant
// metered anything), the fleet's usage totals and the formula with each
// tenant's numbers.
func usageShares(tenants []*spec.Tenant, usage map[string]map[string]float64, weights []Weight) (map[string]*big.Rat, map[string]float64, map[string]string) {
	totals := map[string]*big.Rat{}
	floatTotals := map[string]float64{}
	for _, w := range weights {
		totals[w.Metric] = new(big.Rat)
		for _, t := range tenants {
			if v := usage[t.ID][w.Metric]; v > 0 {
				totals[w.Metric].Add(totals[w.Metric], new(big.Rat).SetFloat64(v))
			}
		}
		floatTotals[w.Metric], _ = totals[w.Metric].Float64()
	}
	active := new(big.Rat)
	for _, w := range weights {
		if w.Factor > 0 && totals[w.Metric].Sign() > 0 {
			active.Add(active, new(big.Rat).SetFloat64(w.Factor))
		}
	}
	if active.Sign() == 0 {
		return nil, floatTotals, nil
	}
	shares := map[string]*big.Rat{}
	explains := map[string]string{}
	for _, t := range tenants {
		s := new(big.Rat)
		var terms []string
		for _, w := range weights {
			if w.Factor <= 0 || totals[w.Metric].Sign() == 0 {
				continue
			}
			u := usage[t.ID][w.Metric]
			if u <= 0 {
				u = 0
			}
			term := new(big.Rat).SetFloat64(w.Factor)
			term.Mul(term, new(big.Rat).SetFloat64(u))
			term.Quo(term, totals[w.Metric])
			s.Add(s, term)
			terms = append(terms, fmt.Sprintf("%g × %s %g/%g", w.Factor, w.Metric, u, floatTotals[w.Metric]))
		}
		s.Quo(s, active)
		shares[t.ID] = s
		f, _ := s.Float64()
		af, _ := active.Float64()
		explains[t.ID] = fmt.Sprintf("(%s) ÷ %g = %.4f%%", strings.Join(terms, " + "), af, 100*f)
	}
	return shares, floatTotals, explains
}

// ValidateWeights checks that every weight names a metering metric once, is ≥ 0,
// and that at least one is positive.
func ValidateWeights(ws []Weight) error {
	seen := map[string]bool{}
	var sum float64
	for _, w := range ws {
		if !metering.KnownMetric(w.Metric) {
			return fmt.Errorf("weight for unknown metric %q: the metering metrics are %s", w.Metric, strings.Join(metering.Metrics, ", "))
		}
		if seen[w.Metric] {
			return fmt.Errorf("metric %s weighted twice", w.Metric)
		}
		seen[w.Metric] = true
		if w.Factor < 0 || w.Factor != w.Factor {
			return fmt.Errorf("weight of %s must be ≥ 0, got %v", w.Metric, w.Factor)
		}
		sum += w.Factor
	}
	if sum <= 0 {
		return fmt.Errorf("the weights sum to 0: give at least one metric a positive weight")
	}
	return nil
}

// mergeCells sums cells of the same account and tag (pages and monthly
// results may repeat a key) and orders them.
func mergeCells(cells []Cell) []Cell {
	m := map[string]*Cell{}
	var keys []string
	for _, c := range cells {
		k := cellKey(c.Account, c.Tag)
		if m[k] == nil {
			m[k] = &Cell{Account: c.Account, Tag: c.Tag, Amount: new(big.Rat)}
			keys = append(keys, k)
		}
		m[k].Amount.Add(m[k].Amount, orZero(c.Amount))
	}
	sort.Strings(keys)
	out := make([]Cell, len(keys))
	for i, k := range keys {
		out[i] = *m[k]
	}
	return out
}

func orZero(r *big.Rat) *big.Rat {
	if r == nil {
		return new(big.Rat)
	}
	return r
}

func sortedKeys(m map[string]bool) []string {
	if len(m) == 0 {
		return nil
	}
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
