package cost

import (
	"math/big"
	"math/rand"
	"slices"
	"testing"
)

func rat(s string) *big.Rat {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		panic(s)
	}
	return r
}

func rats(ss ...string) []*big.Rat {
	out := make([]*big.Rat, len(ss))
	for i, s := range ss {
		out[i] = rat(s)
	}
	return out
}

func TestRoundCents(t *testing.T) {
	for in, want := range map[string]int64{
		"0": 0, "0.004": 0, "0.005": 1, "0.0149999": 1, "1234.565": 123457,
		"-0.005": -1, "-0.004": 0, "-12.345": -1235, "0.0101516483": 1,
	} {
		if got := roundCents(rat(in)); got != want {
			t.Errorf("roundCents(%s) = %d, want %d", in, got, want)
		}
	}
}

func TestSplit(t *testing.T) {
	cases := []struct {
		name    string
		pool    int64
		weights []*big.Rat
		want    []int64
	}{
		{"thirds give the odd cent to the first", 100, rats("1", "1", "1"), []int64{34, 33, 33}},
		{"largest remainder wins", 100, rats("1", "2", "3"), []int64{17, 33, 50}},
		{"zero weight gets nothing", 1001, rats("0", "1", "1"), []int64{0, 501, 500}},
		{"single tenant takes all", 12345, rats("0.3"), []int64{12345}},
		{"negative pool (a credit)", -100, rats("1", "1", "1"), []int64{-33, -33, -34}},
		{"zero pool", 0, rats("5", "7"), []int64{0, 0}},
		{"fractional weights", 1000, rats("0.125", "0.375", "0.5"), []int64{125, 375, 500}},
		{"one cent among many", 1, rats("1", "1", "1", "1"), []int64{1, 0, 0, 0}},
	}
	for _, c := range cases {
		got, err := Split(c.pool, c.weights)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: Split(%d) = %v, want %v", c.name, c.pool, got, c.want)
		}
	}
	if _, err := Split(100, rats("0", "0")); err == nil {
		t.Error("all-zero weights were accepted")
	}
	if _, err := Split(100, rats("1", "-1")); err == nil {
		t.Error("a negative weight was accepted")
	}
}

// Property: whatever the pool and weights, the shares add up to the pool
// exactly and each is within one cent of its exact quota.
func TestSplitSumsToThePool(t *testing.T) {
	rng := rand.New(rand.NewSource(6))
	for n := 0; n < 2000; n++ {
		k := 1 + rng.Intn(40)
		pool := rng.Int63n(10_000_000_00) - 1_000_000_00
		ws := make([]*big.Rat, k)
		sum := new(big.Rat)
		for i := range ws {
			if rng.Intn(5) == 0 {
				ws[i] = new(big.Rat)
			} else {
				ws[i] = new(big.Rat).SetFloat64(rng.Float64() * float64(rng.Intn(100000)+1))
			}
			sum.Add(sum, ws[i])
		}
		if sum.Sign() == 0 {
			ws[0] = big.NewRat(1, 1)
			sum.SetInt64(1)
		}
		got, err := Split(pool, ws)
		if err != nil {
			t.Fatal(err)
		}
		var total int64
		for i, g := range got {
			total += g
			exact := new(big.Rat).Mul(big.NewRat(pool, 1), ws[i])
			exact.Quo(exact, sum)
			diff := new(big.Rat).Sub(big.NewRat(g, 1), exact)
			if diff.Abs(diff).Cmp(big.NewRat(1, 1)) >= 0 {
				t.Fatalf("share %d = %d is a cent or more from its quota %s", i, g, exact.FloatString(4))
			}
			if ws[i].Sign() == 0 && g != 0 {
				t.Fatalf("zero weight got %d", g)
			}
		}
		if total != pool {
			t.Fatalf("shares %v sum to %d, pool %d", got, total, pool)
		}
	}
}

// Property: apportioned lines add up to the rounded total, each within a cent
// of its exact amount.
func TestApportionReconciles(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	for n := 0; n < 2000; n++ {
		k := 1 + rng.Intn(30)
		amts := make([]*big.Rat, k)
		sum := new(big.Rat)
		for i := range amts {
			// Cost Explorer amounts carry up to 10 decimals; some are credits.
			amts[i] = big.NewRat(rng.Int63n(2_000_000_000_000)-200_000_000_000, 10_000_000_000)
			sum.Add(sum, amts[i])
		}
		total, cents, err := Apportion(amts)
		if err != nil {
			t.Fatal(err)
		}
		if total != roundCents(sum) {
			t.Fatalf("total %d, want %d", total, roundCents(sum))
		}
		var s int64
		for i, c := range cents {
			s += c
			d := new(big.Rat).Sub(big.NewRat(c, 100), amts[i])
			if d.Abs(d).Cmp(big.NewRat(1, 100)) >= 0 {
				t.Fatalf("line %d: %d cents for %s", i, c, amts[i].FloatString(10))
			}
		}
		if s != total {
			t.Fatalf("lines sum to %d, total %d", s, total)
		}
	}
}

func TestFormatCents(t *testing.T) {
	for c, want := range map[int64]string{0: "0.00", 5: "0.05", -5: "-0.05", 123456: "1234.56", -100: "-1.00"} {
		if got := formatCents(c); got != want {
			t.Errorf("formatCents(%d) = %q, want %q", c, got, want)
		}
	}
}

func BenchmarkSplit1000Tenants(b *testing.B) {
	rng := rand.New(rand.NewSource(1))
	ws := make([]*big.Rat, 1000)
	for i := range ws {
		ws[i] = new(big.Rat).SetFloat64(rng.Float64() * 1e6)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Split(123_456_789, ws); err != nil {
			b.Fatal(err)
		}
	}
}
