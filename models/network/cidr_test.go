package network

import (
	"fmt"
	"strings"
	"testing"
)

func TestSplit(t *testing.T) {
	cases := []struct {
		cidr string
		n    int
		want string
		err  string
	}{
		{"10.20.0.0/16", 6, "[10.20.0.0/19 10.20.32.0/19 10.20.64.0/19 10.20.96.0/19 10.20.128.0/19 10.20.160.0/19]", ""},
		{"10.11.0.0/16", 4, "[10.11.0.0/18 10.11.64.0/18 10.11.128.0/18 10.11.192.0/18]", ""},
		{"172.16.5.0/24", 2, "[172.16.5.0/25 172.16.5.128/25]", ""},
		{"10.0.0.0/16", 1, "[10.0.0.0/16]", ""},
		{"10.0.0.0/27", 4, "", "too small for 4 subnets"},
		{"10.0.0.1/16", 2, "", "has host bits set; did you mean 10.0.0.0/16?"},
		{"fd00::/8", 2, "", "is not IPv4"},
		{"nonsense", 2, "", `"nonsense" is not an IPv4 CIDR`},
	}
	for _, c := range cases {
		got, err := Split(c.cidr, c.n)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("Split(%s, %d) error %v, want %q", c.cidr, c.n, err, c.err)
			}
			continue
		}
		if err != nil || fmt.Sprint(got) != c.want {
			t.Errorf("Split(%s, %d) = %v, %v; want %s", c.cidr, c.n, got, err, c.want)
		}
	}
}

func TestContains(t *testing.T) {
	for _, c := range []struct {
		outer, inner string
		want         bool
	}{
		{"10.0.0.0/16", "10.0.16.0/24", true},
		{"10.0.0.0/16", "10.1.0.0/24", false},
		{"10.0.16.0/24", "10.0.0.0/16", false},
	} {
		if got, err := Contains(c.outer, c.inner); err != nil || got != c.want {
			t.Errorf("Contains(%s, %s) = %v, %v", c.outer, c.inner, got, err)
		}
	}
}
