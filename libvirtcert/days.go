package libvirtcert

import "time"

// WholeDays is the number of whole days in d, truncated toward zero:
// 29.9 days is 29, -2156.9 days is -2156, and anything under a day
// either way is 0. It is virt-pki's one "days left" rule, shared by
// cert info's days_left, the expiry report and the audit's messages.
func WholeDays(d time.Duration) int64 {
	return int64(d / (24 * time.Hour))
}

// DaysLeft is WholeDays of the time from at to end (negative once end
// has passed).
func DaysLeft(at, end time.Time) int64 {
	return WholeDays(end.Sub(at))
}
