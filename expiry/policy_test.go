package expiry

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestDaysAgreeWithReason checks that the day count of a record (the
// table's DAYS column and JSON days_left) and the day count in its reason
// follow the same rule, truncation toward zero, on both sides of the end
// of validity.
func TestDaysAgreeWithReason(t *testing.T) {
	at := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	p := Policy{At: at, Warn: Threshold{Before: 30 * Day}, Fail: Threshold{Before: 7 * Day}}
	for _, c := range []struct {
		offset time.Duration // NotAfter - at
		days   int64
		reason string
	}{
		{-(2156*Day + 12*time.Hour), -2156, "(2156 days ago)"},
		{-(2*Day + 23*time.Hour), -2, "(2 days ago)"},
		{-5 * time.Hour, 0, "(5 hours ago)"},
		{4*Day + 20*time.Hour, 4, "(in 4 days)"},
		{19*Day + 23*time.Hour, 19, "(in 19 days)"},
	} {
		r := Record{Kind: Certificate, NotBefore: at.Add(-3000 * Day), NotAfter: at.Add(c.offset)}
		p.judge(&r)
		d, _ := r.DaysLeft(at)
		if d != c.days || !strings.Contains(r.Reason, c.reason) {
			t.Errorf("end %v from now: days %d, reason %q; want %d and %q", c.offset, d, r.Reason, c.days, c.reason)
		}
		if c.days != 0 && !strings.Contains(r.Reason, fmt.Sprint(abs(c.days))+" days") {
			t.Errorf("end %v from now: reason %q does not say %d days", c.offset, r.Reason, abs(c.days))
		}
	}
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// TestValidityIncludesNotAfter: at exactly notAfter a certificate is still
// valid (RFC 5280), one second later it has expired; the same for a CRL's
// next update and for notBefore.
func TestValidityIncludesNotAfter(t *testing.T) {
	end := time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)
	start := end.Add(-365 * Day)
	p := Policy{Warn: Threshold{Before: 30 * Day}, Fail: Threshold{Before: 0}}
	for _, kind := range []Kind{Certificate, CRL} {
		p.At = end
		r := Record{Kind: kind, NotBefore: start, NotAfter: end}
		p.judge(&r)
		if strings.Contains(r.Reason, "expired") || strings.Contains(r.Reason, "stale") {
			t.Errorf("%s at notAfter: %s %q, want it still valid", kind, r.Status, r.Reason)
		}
		p.At = end.Add(time.Second)
		r = Record{Kind: kind, NotBefore: start, NotAfter: end}
		p.judge(&r)
		if r.Status != Fail || !(strings.Contains(r.Reason, "expired") || strings.Contains(r.Reason, "stale")) {
			t.Errorf("%s a second after notAfter: %s %q, want expired", kind, r.Status, r.Reason)
		}
	}
	p.At = start
	r := Record{Kind: Certificate, NotBefore: start, NotAfter: end}
	p.judge(&r)
	if r.Status != OK {
		t.Errorf("at notBefore: %s %q, want ok", r.Status, r.Reason)
	}
}
