package libvirtcert

import (
	"testing"
	"time"
)

func TestWholeDaysTruncatesTowardZero(t *testing.T) {
	const day = 24 * time.Hour
	for _, tc := range []struct {
		d    time.Duration
		want int64
	}{
		{30 * day, 30},
		{30*day - time.Second, 29},
		{day - time.Nanosecond, 0},
		{0, 0},
		{-time.Second, 0},
		{-day + time.Nanosecond, 0},
		{-day, -1},
		{-(2156*day + 22*time.Hour), -2156},
	} {
		if got := WholeDays(tc.d); got != tc.want {
			t.Errorf("WholeDays(%v) = %d, want %d", tc.d, got, tc.want)
		}
	}
}

func TestDaysLeftAgreesWithDescribe(t *testing.T) {
	ca := newTestCA(t)
	at := ca.Cert.NotAfter.Add(36 * time.Hour) // expired a day and a half ago
	if got := DaysLeft(at, ca.Cert.NotAfter); got != -1 {
		t.Errorf("DaysLeft 36h after expiry = %d, want -1", got)
	}
	if in := Describe(ca.Cert, "ca.pem", 1, 1, at, Options{}); in.DaysLeft != -1 || in.Validity != "expired" {
		t.Errorf("Describe: days_left %d validity %q, want -1 expired", in.DaysLeft, in.Validity)
	}
}
