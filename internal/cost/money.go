package cost

import (
	"fmt"
	"math/big"
	"sort"
	"strings"
)

// Amounts are kept exact: Cost Explorer's decimal strings become big.Rat, sums
// and usage shares stay rational, and only the final report is rounded to
// cents, by largest remainder, so the rounded lines add up exactly to the
// rounded total.

// parseAmount reads a Cost Explorer amount ("12.3456789012", "-0.01", "1E-7").
func parseAmount(s string) (*big.Rat, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return new(big.Rat), nil
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return nil, fmt.Errorf("Cost Explorer returned an amount that is not a number: %q", s)
	}
	return r, nil
}

var hundred = big.NewRat(100, 1)

// roundCents rounds a dollar amount to whole cents, halves away from zero.
func roundCents(x *big.Rat) int64 {
	c := new(big.Rat).Mul(x, hundred)
	neg := c.Sign() < 0
	if neg {
		c.Neg(c)
	}
	c.Add(c, big.NewRat(1, 2))
	q := new(big.Int).Quo(c.Num(), c.Denom())
	if neg {
		q.Neg(q)
	}
	return q.Int64()
}

// floorDiv returns floor(x) and x - floor(x) (in [0, 1)).
func floorFrac(x *big.Rat) (int64, *big.Rat) {
	q, m := new(big.Int).DivMod(x.Num(), x.Denom(), new(big.Int))
	return q.Int64(), new(big.Rat).SetFrac(m, x.Denom())
}

// largestRemainder rounds the quotas (exact amounts in cents) to integers that
// sum exactly to target: every quota is floored, then the cents still missing
// go one each to the quotas with the largest fractional parts (ties: the
// earlier quota). target must lie between the sum of the floors and that sum
// plus len(quotas), which holds whenever target is the sum of the quotas
// rounded to an integer.
func largestRemainder(target int64, quotas []*big.Rat) ([]int64, error) {
	out := make([]int64, len(quotas))
	fracs := make([]*big.Rat, len(quotas))
	var floors int64
	for i, q := range quotas {
		out[i], fracs[i] = floorFrac(q)
		floors += out[i]
	}
	missing := target - floors
	if missing < 0 || missing > int64(len(quotas)) {
		return nil, fmt.Errorf("cannot round %d quotas summing to %d cents (floored) to %d cents", len(quotas), floors, target)
	}
	order := make([]int, len(quotas))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return fracs[order[a]].Cmp(fracs[order[b]]) > 0 })
	for _, i := range order[:missing] {
		out[i]++
	}
	return out, nil
}

// Apportion rounds exact dollar amounts to cents so that they sum exactly to
// their total rounded to the cent.
func Apportion(amounts []*big.Rat) (total int64, cents []int64, err error) {
	sum := new(big.Rat)
	quotas := make([]*big.Rat, len(amounts))
	for i, a := range amounts {
		sum.Add(sum, a)
		quotas[i] = new(big.Rat).Mul(a, hundred)
	}
	total = roundCents(sum)
	cents, err = largestRemainder(total, quotas)
	return total, cents, err
}

// Split divides pool cents among weights (each ≥ 0, at least one > 0) in
// proportion, as integers summing exactly to pool. Pool may be negative (a
// credit shared the same way).
func Split(pool int64, weights []*big.Rat) ([]int64, error) {
	sum := new(big.Rat)
	for i, w := range weights {
		if w.Sign() < 0 {
			return nil, fmt.Errorf("weight %d is negative (%s)", i, w.FloatString(6))
		}
		sum.Add(sum, w)
	}
	if sum.Sign() == 0 {
		return nil, fmt.Errorf("no weight to split %d cents by", pool)
	}
	p := new(big.Rat).SetInt64(pool)
	quotas := make([]*big.Rat, len(weights))
	for i, w := range weights {
		q := new(big.Rat).Mul(p, w)
		quotas[i] = q.Quo(q, sum)
	}
	return largestRemainder(pool, quotas)
}

// formatCents renders cents as a dollar amount with two decimals ("-12.05").
func formatCents(c int64) string {
	sign := ""
	if c < 0 {
		sign = "-"
		c = -c
	}
	return fmt.Sprintf("%s%d.%02d", sign, c/100, c%100)
}
