package cost

import (
	"strings"
	"testing"

	"github.com/tenantctl/tenantctl/internal/spec"
)

func cells(gs ...ceGroup) []Cell {
	out := make([]Cell, len(gs))
	for i, g := range gs {
		out[i] = Cell{Account: g.account, Tag: g.tag, Amount: rat(g.amount)}
	}
	return out
}

// A tenant that left its own account for the pool on the 15th: the account's
// cost of the first half and a usage share of the second half, each counted
// once. Another that left the pool for a VPC: the reverse.
func TestAllocateModelChangedMidMonth(t *testing.T) {
	r, err := Allocate(Inputs{
		Month: october, Metric: "UnblendedCost", Currency: "USD",
		Total: rat("1100"),
		Cells: cells(
			ceGroup{"111111111111", "", "300"},         // stark's former account
			ceGroup{"111111111111", "stark", "100"},    // tagged too: still one account cell
			ceGroup{"999999999999", "tyrell", "200"},   // tyrell's VPC since the 15th
			ceGroup{"999999999999", "platform", "500"}, // pooled tables and API
		),
		PoolCells:      cells(ceGroup{"999999999999", "platform", "500"}),
		AccountTenants: map[string]string{"111111111111": "stark"},
		Tenants:        []*spec.Tenant{tenant("stark", spec.ModelApplication, "premium"), tenant("tyrell", spec.ModelVPC, "standard")},
		Usage: map[string]map[string]float64{
			"stark":  {"Requests": 300, "CapacityUnits": 10},
			"tyrell": {"Requests": 100, "CapacityUnits": 30},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	assertReconciles(t, r, 110000)
	got := byID(r)
	// stark: 0.5×300/400 + 0.5×10/40 = 0.5; tyrell 0.5×100/400 + 0.5×30/40 = 0.5.
	if s := got["stark"]; s.DirectCents != 40000 || s.PooledCents != 25000 || strings.Join(s.Basis, "+") != "linked account+usage share" {
		t.Errorf("stark %+v", s)
	}
	if ty := got["tyrell"]; ty.DirectCents != 20000 || ty.PooledCents != 25000 || strings.Join(ty.Basis, "+") != "tag+usage share" {
		t.Errorf("tyrell %+v", ty)
	}
	if r.UnallocatedCents != 0 || len(r.Unallocated) != 0 {
		t.Errorf("unallocated %v", r.Unallocated)
	}
}

func TestAllocatePoolCostAlreadyATenantsIsNotCountedTwice(t *testing.T) {
	r, err := Allocate(Inputs{
		Month: october, Metric: "UnblendedCost", Total: rat("100.00"),
		Cells: cells(ceGroup{"999999999999", "initech", "60"}, ceGroup{"999999999999", "platform", "40"}),
		PoolCells: cells(
			ceGroup{"999999999999", "initech", "10"}, // mis-tagged: also CostPool=application
			ceGroup{"999999999999", "platform", "40"},
			ceGroup{"888888888888", "platform", "5"}, // no such cell
		),
		Tenants: []*spec.Tenant{tenant("initech", spec.ModelVPC, "enterprise"), tenant("globex", spec.ModelApplication, "free")},
		Usage:   map[string]map[string]float64{"globex": {"Requests": 1}},
	})
	if err != nil {
		t.Fatal(err)
	}
	assertReconciles(t, r, 10000)
	got := byID(r)
	if got["initech"].TotalCents != 6000 || got["globex"].PooledCents != 4000 {
		t.Errorf("initech %d, globex pooled %d; want 6000 and 4000", got["initech"].TotalCents, got["globex"].PooledCents)
	}
	// Only Requests was metered: the capacity weight drops out of the share.
	if got["globex"].Share != 1 || !strings.Contains(got["globex"].Explain, "÷ 0.5 = 100.0000%") {
		t.Errorf("globex share %v, explain %q", got["globex"].Share, got["globex"].Explain)
	}
	w := strings.Join(r.Warnings, "\n")
	if !strings.Contains(w, "10.00 tagged CostPool=application in account 999999999999 also belongs to tenant initech; counted once") ||
		!strings.Contains(w, "pooled cost of account 888888888888") {
		t.Errorf("warnings:\n%s", w)
	}
}

func TestAllocateGroupingDifferenceIsShown(t *testing.T) {
	r, err := Allocate(Inputs{
		Month: october, Metric: "UnblendedCost", Total: rat("10.05"),
		Cells:   cells(ceGroup{"999999999999", "initech", "10.00"}),
		Tenants: []*spec.Tenant{tenant("initech", spec.ModelVPC, "enterprise")},
	})
	if err != nil {
		t.Fatal(err)
	}
	assertReconciles(t, r, 1005)
	if rem := remainders(r); rem[ReasonGrouping] != 5 {
		t.Errorf("unallocated %v, want a 5-cent grouping difference", rem)
	}
}

func TestAllocateRefusesBadWeights(t *testing.T) {
	for _, c := range []struct {
		ws   []Weight
		want string
	}{
		{[]Weight{{"Bytes", 1}}, `unknown metric "Bytes": the metering metrics are Requests, CapacityUnits`},
		{[]Weight{{"Requests", -1}}, "weight of Requests must be ≥ 0"},
		{[]Weight{{"Requests", 0}}, "the weights sum to 0"},
		{[]Weight{{"Requests", 1}, {"Requests", 2}}, "weighted twice"},
	} {
		_, err := Allocate(Inputs{Total: rat("0"), Weights: c.ws})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("weights %v: error %v, want %q", c.ws, err, c.want)
		}
	}
}
