package network

import (
	"fmt"
	"math/bits"
	"net/netip"

	"github.com/tenantctl/tenantctl/internal/spec"
)

// Split divides cidr into n equal, consecutive subnets, as large as possible.
// A /16 split in 6 gives eight /19s of which the first six are returned. The
// CIDRs it splits come from a validated fleet, which parsed them with
// spec.ParseCIDR and sized them for their subnets; the errors guard the
// arithmetic, they do not explain a rule.
func Split(cidr string, n int) ([]string, error) {
	p, err := spec.ParseCIDR(cidr)
	if err != nil {
		return nil, err
	}
	if n < 1 {
		return nil, fmt.Errorf("cidr %q: cannot split into %d subnets", cidr, n)
	}
	newBits := bits.Len(uint(n - 1))
	size := p.Bits() + newBits
	// AWS subnets are /16 to /28.
	if size > 28 {
		return nil, fmt.Errorf("cidr %q is too small for %d subnets of at least /28", cidr, n)
	}
	base := p.Addr().As4()
	start := uint32(base[0])<<24 | uint32(base[1])<<16 | uint32(base[2])<<8 | uint32(base[3])
	step := uint32(1) << (32 - size)
	out := make([]string, n)
	for i := range n {
		a := start + uint32(i)*step
		addr := netip.AddrFrom4([4]byte{byte(a >> 24), byte(a >> 16), byte(a >> 8), byte(a)})
		out[i] = netip.PrefixFrom(addr, size).String()
	}
	return out, nil
}

// Contains reports whether CIDR outer contains the whole of CIDR inner.
func Contains(outer, inner string) (bool, error) {
	o, err := netip.ParsePrefix(outer)
	if err != nil {
		return false, err
	}
	i, err := netip.ParsePrefix(inner)
	if err != nil {
		return false, err
	}
	return o.Bits() <= i.Bits() && o.Contains(i.Addr()), nil
}
