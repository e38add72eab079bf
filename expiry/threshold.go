package expiry

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/virt-pki/virt-pki/libvirtcert"
)

// Day and Week are the calendar-free units thresholds use: a day is always
// 24 hours, a week 7 days (certificate times are UTC instants).
const (
	Day  = 24 * time.Hour
	Week = 7 * Day
)

// maxDuration caps parsed durations well below time.Duration's range so
// that adding one to any certificate time cannot overflow.
const maxDuration = 100 * 365 * Day

// Threshold is a --warn or --fail limit: a certificate whose end of validity
// is at or before Deadline(at) is over the limit. It is either relative (a
// duration before the end of validity) or absolute (a date).
type Threshold struct {
	// Before is the relative limit; used when Until is zero.
	Before time.Duration
	// Until is the absolute limit; zero for a relative threshold.
	Until time.Time
}

// Deadline returns the instant a certificate must outlive, judged at at.
func (t Threshold) Deadline(at time.Time) time.Time {
	if !t.Until.IsZero() {
		return t.Until
	}
	return at.Add(t.Before)
}

// String renders the threshold the way ParseThreshold reads it back:
// "30d", "1w2d12h", "0d" or an RFC 3339 date.
func (t Threshold) String() string {
	if !t.Until.IsZero() {
		return t.Until.UTC().Format(time.RFC3339)
	}
	return FormatDuration(t.Before)
}

// ParseThreshold reads a --warn/--fail value: a duration (see
// ParseDuration) or an absolute date (see ParseDate).
func ParseThreshold(s string) (Threshold, error) {
	if d, err := ParseDuration(s); err == nil {
		return Threshold{Before: d}, nil
	} else if !looksLikeDate(s) {
		return Threshold{}, err
	}
	t, err := parseAbsolute(s)
	if err != nil {
		return Threshold{}, err
	}
	return Threshold{Until: t}, nil
}

// ParseDuration reads a non-negative duration made of one or more
// number+unit terms, units h (hours), d (days) and w (weeks): "30d", "12h",
// "2w", "1w2d12h". A bare number counts days, as in ssl-cert-check and
// openssl's -days. Errors are one line naming the bad part.
func ParseDuration(s string) (time.Duration, error) {
	in := strings.TrimSpace(s)
	if in == "" {
		return 0, errors.New("empty duration (use for example 30d, 12h or 2w)")
	}
	if n, err := strconv.ParseUint(in, 10, 32); err == nil {
		return scaled(s, n, Day)
	}
	var total time.Duration
	rest := in
	for rest != "" {
		i := 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 0 {
			return 0, fmt.Errorf("invalid duration %q: expected a number at %q (use for example 30d, 12h, 2w or a date like 2027-01-31)", s, rest)
		}
		if i == len(rest) {
			return 0, fmt.Errorf("invalid duration %q: %q has no unit (use h, d or w)", s, rest)
		}
		n, err := strconv.ParseUint(rest[:i], 10, 32)
		if err != nil {
			return 0, fmt.Errorf("invalid duration %q: %q is too large", s, rest[:i])
		}
		var unit time.Duration
		switch rest[i] {
		case 'h', 'H':
			unit = time.Hour
		case 'd', 'D':
			unit = Day
		case 'w', 'W':
			unit = Week
		default:
			return 0, fmt.Errorf("invalid duration %q: unknown unit %q (use h, d or w, or a date like 2027-01-31)", s, rest[i:i+1])
		}
		d, err := scaled(s, n, unit)
		if err != nil {
			return 0, err
		}
		total += d
		if total > maxDuration {
			return 0, fmt.Errorf("invalid duration %q: longer than 100 years", s)
		}
		rest = rest[i+1:]
	}
	return total, nil
}

func scaled(s string, n uint64, unit time.Duration) (time.Duration, error) {
	if n > uint64(maxDuration/unit) {
		return 0, fmt.Errorf("invalid duration %q: longer than 100 years", s)
	}
	return time.Duration(n) * unit, nil
}

// FormatDuration renders d in days and hours as ParseDuration reads them:
// 36h → "1d12h", 2w → "14d", 0 → "0d". Sub-hour remainders are dropped.
func FormatDuration(d time.Duration) string {
	if d < time.Hour {
		return "0d"
	}
	var b strings.Builder
	for _, u := range []struct {
		unit time.Duration
		name string
	}{{Day, "d"}, {time.Hour, "h"}} {
		if n := d / u.unit; n > 0 {
			fmt.Fprintf(&b, "%d%s", n, u.name)
			d -= n * u.unit
		}
	}
	return b.String()
}

// dateLayouts are the absolute forms ParseDate accepts; those without a zone
// are UTC.
var dateLayouts = []string{
	time.RFC3339,
	"2006-01-02T15:04:05",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006-01-02",
}

// ParseDate reads an --at value: an absolute date ("2027-01-31",
// "2027-01-31T12:00", "2027-01-31 12:00:05", RFC 3339 with a zone; without
// a zone it is UTC), "now", or a duration after now written "+30d" (see
// ParseDuration).
func ParseDate(s string, now time.Time) (time.Time, error) {
	in := strings.TrimSpace(s)
	switch {
	case in == "now":
		return now, nil
	case strings.HasPrefix(in, "+"):
		d, err := ParseDuration(in[1:])
		if err != nil {
			return time.Time{}, err
		}
		return now.Add(d), nil
	}
	return parseAbsolute(s)
}

func parseAbsolute(s string) (time.Time, error) {
	in := strings.TrimSpace(s)
	for _, layout := range dateLayouts {
		t, err := time.Parse(layout, in)
		if err != nil {
			continue
		}
		if y := t.Year(); y < 1950 || y > 9999 {
			return time.Time{}, fmt.Errorf("invalid date %q: year %d is outside 1950-9999", s, y)
		}
		return t.UTC(), nil
	}
	return time.Time{}, fmt.Errorf("invalid date %q (use 2027-01-31, 2027-01-31T12:00, RFC 3339 or +30d)", s)
}

// looksLikeDate tells a date attempt (which deserves the date error
// message) from a mistyped duration.
func looksLikeDate(s string) bool {
	s = strings.TrimSpace(s)
	return len(s) >= 8 && strings.Count(s[:min(len(s), 10)], "-") >= 2
}

// daysLeft is the whole number of days from at to end, truncated toward
// zero: 29.9 days left is 29, expired 2156.9 days ago is -2156, and
// anything under a day either way is 0. It is the rule span uses, so the
// DAYS column, days_left and "(in N days)" / "(N days ago)" agree.
func daysLeft(at, end time.Time) int64 {
	return libvirtcert.DaysLeft(at, end)
}

// wholeDays counts the whole days in d, truncated toward zero
// (libvirtcert.WholeDays, virt-pki's one rule).
func wholeDays(d time.Duration) int64 {
	return libvirtcert.WholeDays(d)
}
