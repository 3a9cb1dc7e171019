package cost

import (
	"strings"
	"testing"
	"time"
)

func TestParseMonth(t *testing.T) {
	now := time.Date(2026, 11, 22, 14, 0, 0, 0, time.UTC)
	good := map[string]Month{"2026-10": {2026, time.October}, "2026-11": {2026, time.November}, "2025-01": {2025, time.January}}
	for in, want := range good {
		got, err := ParseMonth(in, now)
		if err != nil || got != want {
			t.Errorf("ParseMonth(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	bad := map[string]string{
		"2026-13":    `month 13 is not between 01 and 12`,
		"2026-00":    `month 00 is not between 01 and 12`,
		"2026-1":     `want YYYY-MM, e.g. 2026-10`,
		"oct":        `want YYYY-MM`,
		"2026-10-01": `want YYYY-MM`,
		"":           `want YYYY-MM`,
		"2026-12":    `--month 2026-12 is in the future (it is 2026-11 now, UTC)`,
		"2030-01":    `in the future`,
		"1999-12":    `before Cost Explorer's data`,
	}
	for in, want := range bad {
		_, err := ParseMonth(in, now)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseMonth(%q): error %v, want it to contain %q", in, err, want)
		}
	}
	m := Month{2024, time.December}
	if m.Start() != time.Date(2024, 12, 1, 0, 0, 0, 0, time.UTC) || m.End() != time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC) {
		t.Errorf("period of %s: %v – %v", m, m.Start(), m.End())
	}
}
