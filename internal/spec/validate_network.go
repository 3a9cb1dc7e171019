package spec

import (
	"fmt"
	"math/bits"
	"net/netip"
	"sort"
)

// AWS bounds of VPC and subnet CIDR prefixes.
const (
	MinPrefixBits = 16
	MaxPrefixBits = 28
)

// ParseCIDR parses an IPv4 CIDR the way validation accepts it: IPv4, no host bits
// set, prefix between /16 and /28. Models use it to split a valid CIDR.
func ParseCIDR(s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	switch {
	case err != nil:
		return netip.Prefix{}, fmt.Errorf("%q is not an IPv4 CIDR; write a.b.c.d/n, e.g. 10.20.0.0/16", s)
	case !p.Addr().Is4():
		return netip.Prefix{}, fmt.Errorf("%q is not IPv4; VPC and subnet CIDRs here are IPv4, e.g. 10.20.0.0/16", s)
	case p.Bits() < MinPrefixBits || p.Bits() > MaxPrefixBits:
		return netip.Prefix{}, fmt.Errorf("%s is a /%d; AWS allows VPC and subnet CIDRs from /%d to /%d", s, p.Bits(), MinPrefixBits, MaxPrefixBits)
	case p != p.Masked():
		return netip.Prefix{}, fmt.Errorf("%s has host bits set; did you mean %s?", s, p.Masked())
	}
	return p, nil
}

func checkCIDR(src *Source, path, s string, e *errs) (netip.Prefix, bool) {
	p, err := ParseCIDR(s)
	if err != nil {
		e.at(src, path, "%s", err.Error())
		return p, false
	}
	return p, true
}

// subnetBits is how many prefix bits splitting a range into n equal parts takes.
func subnetBits(n int) int {
	if n <= 1 {
		return 0
	}
	return bits.Len(uint(n - 1))
}

func validateSettingsNetwork(s *Settings, e *errs) {
	src := &s.Source
	var vpc, services netip.Prefix
	var vpcOK, servicesOK bool
	if s.SharedVPC.CIDR == "" {
		e.at(src, "sharedVpc.cidr", "required field \"cidr\" is missing; give the shared VPC's IPv4 CIDR, e.g. 10.0.0.0/16")
	} else {
		vpc, vpcOK = checkCIDR(src, "sharedVpc.cidr", s.SharedVPC.CIDR, e)
	}
	azs := s.SharedVPC.AZCount
	if azs < 2 || azs > MaxAZCount {
		e.at(src, "sharedVpc.azCount", "azCount is %d; the shared load balancer needs subnets in at least 2 zones, use 2 to %d", azs, MaxAZCount)
	}
	if n := len(s.SharedVPC.PlatformSubnets); n == 0 {
		e.at(src, "sharedVpc.platformSubnets", "the platform needs its own subnets in the shared VPC (load balancer and cluster); list their CIDRs, e.g. [10.0.0.0/22, 10.0.4.0/22, 10.0.8.0/22, 10.0.12.0/22]")
	} else if azs >= 2 && n < 2*azs {
		e.at(src, "sharedVpc.platformSubnets", "%d platform subnets for azCount %d; list %d: the first %d public (load balancer), the next %d private (shared cluster), one per zone", n, azs, 2*azs, azs, azs)
	}
	for i, c := range s.SharedVPC.PlatformSubnets {
		path := fmt.Sprintf("sharedVpc.platformSubnets[%d]", i)
		if p, ok := checkCIDR(src, path, c, e); ok && vpcOK && !contains(vpc, p) {
			e.at(src, path, "platform subnet %s is outside the shared VPC %s; pick a range inside it", c, s.SharedVPC.CIDR)
		}
	}
	if s.SharedServices.CIDR == "" {
		e.at(src, "sharedServices.cidr", "required field \"cidr\" is missing; give the shared-services VPC's IPv4 CIDR, e.g. 10.255.0.0/16")
	} else {
		services, servicesOK = checkCIDR(src, "sharedServices.cidr", s.SharedServices.CIDR, e)
	}
	if servicesOK && azs >= 2 && azs <= MaxAZCount && services.Bits()+subnetBits(azs) > MaxPrefixBits {
		// The platform splits the shared-services VPC into a subnet per zone of the shared VPC.
		e.at(src, "sharedServices.cidr", "the shared-services CIDR %s is too small for a subnet in each of the %d AZs of sharedVpc.azCount (/%d subnets, AWS allows at most /%d); use a larger CIDR", s.SharedServices.CIDR, azs, services.Bits()+subnetBits(azs), MaxPrefixBits)
	}
	if vpcOK && servicesOK && vpc.Overlaps(services) {
		e.at(src, "sharedServices.cidr", "the shared-services CIDR %s overlaps the shared VPC %s; they are routed to each other, pick a disjoint range", s.SharedServices.CIDR, s.SharedVPC.CIDR)
	}
}

// contains reports whether inner lies inside outer.
func contains(outer, inner netip.Prefix) bool {
	return outer.Bits() <= inner.Bits() && outer.Contains(inner.Addr())
}

// cidrItem is one CIDR taking part in an overlap check: a range of addresses and
// where it was written.
type cidrItem struct {
	start, end uint32 // first and last address
	prefix     netip.Prefix
	src        *Source
	field      string // the field path, or of the list when index >= 0
	index      int
	tenant     string // "" for the platform's own ranges
}

// path is the item's field path, built only for messages.
func (c *cidrItem) path() string {
	if c.index < 0 {
		return c.field
	}
	return fmt.Sprintf("%s[%d]", c.field, c.index)
}

func newCIDRItem(p netip.Prefix, src *Source, field string, index int, tenant string) cidrItem {
	a := p.Addr().As4()
	start := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])
	end := start | (1<<(32-p.Bits()) - 1)
	return cidrItem{start: start, end: end, prefix: p, src: src, field: field, index: index, tenant: tenant}
}

// describe names the range for a message about another one.
func (c *cidrItem) describe(what string) string {
	if c.tenant == "" {
		return fmt.Sprintf("%s %s (%s %s)", what, c.prefix, where(c.src, c.path()), c.path())
	}
	return fmt.Sprintf("%s %s of tenant %s (%s)", what, c.prefix, c.tenant, where(c.src, c.path()))
}

// sweepOverlaps reports every range that overlaps another in O(n log n): sort by
// first address, sweep keeping the range that reaches furthest; a range starting
// before that end overlaps it. Each overlapping range gets at least one error.
func sweepOverlaps(items []cidrItem, what string, e *errs) {
	if len(items) < 2 {
		return
	}
	sort.Slice(items, func(i, j int) bool {
		if items[i].start != items[j].start {
			return items[i].start < items[j].start
		}
		return items[i].end > items[j].end
	})
	reach := 0
	for i := 1; i < len(items); i++ {
		cur, far := &items[i], &items[reach]
		if cur.start <= far.end {
			reportOverlap(cur, far, what, e)
		}
		if cur.end > far.end {
			reach = i
		}
	}
}

func reportOverlap(a, b *cidrItem, what string, e *errs) {
	fix := "pick a free range"
	switch {
	case a.tenant == "" && b.tenant == "":
		e.at(a.src, a.path(), "%s overlaps %s; platform ranges must be disjoint, %s", a.prefix, b.describe(what), fix)
	case a.tenant == "":
		e.at(b.src, b.path(), "%s overlaps %s; %s", b.prefix, a.describe(what), fix)
	case b.tenant == "" || a.tenant == b.tenant:
		e.at(a.src, a.path(), "%s overlaps %s; %s", a.prefix, b.describe(what), fix)
	default:
		e.at(a.src, a.path(), "%s overlaps %s; %s", a.prefix, b.describe(what), fix)
		e.at(b.src, b.path(), "%s overlaps %s; %s", b.prefix, a.describe(what), fix)
	}
}
