package cost

import (
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// Month is a calendar month in UTC, the period of one chargeback report.
type Month struct {
	Year  int
	Month time.Month
}

var monthRe = regexp.MustCompile(`^(\d{4})-(\d{2})$`)

// ParseMonth reads YYYY-MM and refuses months that have not started at now:
// Cost Explorer has no cost for them yet. The current month is allowed; its
// report is partial and marked estimated.
func ParseMonth(s string, now time.Time) (Month, error) {
	m := monthRe.FindStringSubmatch(s)
	if m == nil {
		return Month{}, fmt.Errorf("--month %q: want YYYY-MM, e.g. %s", s, Month{now.UTC().Year(), now.UTC().Month()}.Previous())
	}
	y, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[2])
	if mo < 1 || mo > 12 {
		return Month{}, fmt.Errorf("--month %q: month %02d is not between 01 and 12", s, mo)
	}
	if y < 2000 {
		return Month{}, fmt.Errorf("--month %q: year %d is before Cost Explorer's data", s, y)
	}
	got := Month{y, time.Month(mo)}
	cur := Month{now.UTC().Year(), now.UTC().Month()}
	if got.Start().After(cur.Start()) {
		return Month{}, fmt.Errorf("--month %s is in the future (it is %s now, UTC): Cost Explorer has no cost for it yet", got, cur)
	}
	return got, nil
}

// String is YYYY-MM.
func (m Month) String() string { return fmt.Sprintf("%04d-%02d", m.Year, int(m.Month)) }

// Start is the first instant of the month.
func (m Month) Start() time.Time { return time.Date(m.Year, m.Month, 1, 0, 0, 0, 0, time.UTC) }

// End is the first instant of the next month (exclusive end of the period).
func (m Month) End() time.Time { return m.Start().AddDate(0, 1, 0) }

// Previous is the month before.
func (m Month) Previous() Month {
	p := m.Start().AddDate(0, -1, 0)
	return Month{p.Year(), p.Month()}
}

// Contains reports whether t falls in the month: the current month is partial.
func (m Month) Contains(t time.Time) bool {
	return !t.Before(m.Start()) && t.Before(m.End())
}
