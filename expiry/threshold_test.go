package expiry

import (
	"strings"
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"30d": 30 * Day, "12h": 12 * time.Hour, "2w": 2 * Week, "1w2d12h": Week + 2*Day + 12*time.Hour,
		"30": 30 * Day, "0": 0, "0d": 0, " 7D ": 7 * Day,
	} {
		got, err := ParseDuration(in)
		if err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for in, msg := range map[string]string{
		"":          "empty duration",
		"30x":       `unknown unit "x"`,
		"d":         "expected a number",
		"12":        "", // bare days are fine; checked above
		"1d2":       `"2" has no unit`,
		"-3d":       "expected a number",
		"99999w":    "longer than 100 years",
		"36501d":    "longer than 100 years",
		"5000w300w": "longer than 100 years",
	} {
		if msg == "" {
			continue
		}
		_, err := ParseDuration(in)
		if err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("ParseDuration(%q) error = %v; want it to mention %q", in, err, msg)
		}
	}
}

func TestParseThresholdDate(t *testing.T) {
	th, err := ParseThreshold("2027-01-31")
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC)
	if !th.Until.Equal(want) || !th.Deadline(time.Now()).Equal(want) {
		t.Errorf("absolute threshold = %+v", th)
	}
	if _, err := ParseThreshold("2027-13-01"); err == nil || !strings.Contains(err.Error(), "invalid date") {
		t.Errorf("bad month: %v", err)
	}
	rel, _ := ParseThreshold("7d")
	at := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	if got := rel.Deadline(at); !got.Equal(at.Add(7 * Day)) {
		t.Errorf("relative deadline = %v", got)
	}
}

func TestParseDate(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"2027-01-31":                time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC),
		"2027-01-31T08:30":          time.Date(2027, 1, 31, 8, 30, 0, 0, time.UTC),
		"2027-01-31 08:30:05":       time.Date(2027, 1, 31, 8, 30, 5, 0, time.UTC),
		"2027-01-31T08:30:05+02:00": time.Date(2027, 1, 31, 6, 30, 5, 0, time.UTC),
		"now":                       now,
		"+90d":                      now.Add(90 * Day),
	} {
		got, err := ParseDate(in, now)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseDate(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "tomorrow", "31/01/2027", "+", "+3x", "0001-01-01"} {
		if _, err := ParseDate(in, now); err == nil {
			t.Errorf("ParseDate(%q) accepted", in)
		}
	}
}

func TestPolicyCheck(t *testing.T) {
	at := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	p := Policy{At: at, Warn: Threshold{Before: 7 * Day}, Fail: Threshold{Before: 30 * Day}}
	if err := p.Check(); err == nil || !strings.Contains(err.Error(), "--fail 30d is later than --warn 7d") {
		t.Errorf("Check = %v", err)
	}
	if err := DefaultPolicy(at).Check(); err != nil {
		t.Error(err)
	}
}

// FuzzParseDuration: never panics, never negative, and what it accepts
// survives FormatDuration (whole hours) unchanged.
func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"30d", "12h", "2w", "1w2d12h", "30", "0", "", "d", "9999999999999999999d", "1h1h1h", "5W", "3 d", "+1d", "1e3d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDuration(s)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error %q", err)
			}
			return
		}
		if d < 0 || d > maxDuration {
			t.Fatalf("ParseDuration(%q) = %v out of range", s, d)
		}
		back, err := ParseDuration(FormatDuration(d))
		if err != nil || back != d.Truncate(time.Hour) {
			t.Fatalf("round trip of %q: %v → %q → %v, %v", s, d, FormatDuration(d), back, err)
		}
	})
}

// FuzzParseDate: never panics; accepted dates are UTC, in range, and
// survive RFC 3339.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2027-01-31", "2027-01-31T08:30", "2027-01-31 08:30:05", "2027-01-31T08:30:05+02:00", "now", "+90d", "+", "9999-12-31T23:59:59Z", "1949-12-31", "2027-02-30", "2027-01-31T25:00"} {
		f.Add(s)
	}
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseDate(s, now)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error %q", err)
			}
			return
		}
		if got.Location() != time.UTC {
			t.Fatalf("ParseDate(%q) = %v not UTC", s, got)
		}
		back, err := ParseDate(got.Format(time.RFC3339Nano), now)
		if err != nil || !back.Equal(got) {
			t.Fatalf("round trip of %q: %v → %v, %v", s, got, back, err)
		}
		if _, err := ParseThreshold(s); err != nil && !strings.HasPrefix(strings.TrimSpace(s), "+") && strings.TrimSpace(s) != "now" {
			t.Fatalf("ParseDate accepted %q but ParseThreshold refused it: %v", s, err)
		}
	})
}
