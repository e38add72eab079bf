package expiry

import (
	"fmt"
	"time"
)

// Policy is how records are judged: at instant At, anything ending at or
// before Fail.Deadline(At) fails, at or before Warn.Deadline(At) warns.
// Certificates not valid yet at At fail too. Validity is inclusive at both
// ends (RFC 5280): a certificate is expired only after its notAfter.
type Policy struct {
	At         time.Time
	Warn, Fail Threshold
}

// DefaultPolicy warns 30 days and fails 7 days before the end of validity,
// judged at at.
func DefaultPolicy(at time.Time) Policy {
	return Policy{At: at, Warn: Threshold{Before: 30 * Day}, Fail: Threshold{Before: 7 * Day}}
}

// Check reports a policy whose fail deadline lies after its warn deadline
// (the warning could never show).
func (p Policy) Check() error {
	if p.Fail.Deadline(p.At).After(p.Warn.Deadline(p.At)) {
		return fmt.Errorf("--fail %s is later than --warn %s", p.Fail, p.Warn)
	}
	return nil
}

// judge sets r.Status and r.Reason from r's kind and dates.
func (p Policy) judge(r *Record) {
	at := p.At
	noun := "certificate"
	if r.Kind == CRL {
		noun = "CRL"
	}
	switch {
	case !r.NotBefore.IsZero() && at.Before(r.NotBefore):
		r.Status = Fail
		if r.Kind == CRL {
			r.Reason = fmt.Sprintf("CRL is not valid yet: this update is %s (in %s)", stamp(r.NotBefore), span(r.NotBefore.Sub(at)))
		} else {
			r.Reason = fmt.Sprintf("certificate is not valid yet: valid from %s (in %s)", stamp(r.NotBefore), span(r.NotBefore.Sub(at)))
		}
	case r.NotAfter.IsZero():
		r.Status = OK
		r.Reason = ""
	case at.After(r.NotAfter):
		// RFC 5280 validity includes notAfter: at that very instant the
		// certificate is still valid (and the CRL still current).
		r.Status = Fail
		if r.Kind == CRL {
			r.Reason = fmt.Sprintf("CRL is stale: next update was due %s (%s ago)", stamp(r.NotAfter), span(at.Sub(r.NotAfter)))
		} else {
			r.Reason = fmt.Sprintf("certificate expired %s (%s ago)", stamp(r.NotAfter), span(at.Sub(r.NotAfter)))
		}
	case !r.NotAfter.After(p.Fail.Deadline(at)):
		r.Status = Fail
		r.Reason = fmt.Sprintf("%s %s %s, within --fail %s", noun, ending(r.Kind), when(at, r.NotAfter), p.Fail)
	case !r.NotAfter.After(p.Warn.Deadline(at)):
		r.Status = Warn
		r.Reason = fmt.Sprintf("%s %s %s, within --warn %s", noun, ending(r.Kind), when(at, r.NotAfter), p.Warn)
	default:
		r.Status = OK
		r.Reason = ""
	}
}

func ending(k Kind) string {
	if k == CRL {
		return "needs its next update"
	}
	return "expires"
}

func when(at, end time.Time) string {
	return fmt.Sprintf("%s (in %s)", stamp(end), span(end.Sub(at)))
}

// stamp formats an instant for messages.
func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

// span renders a positive duration as people count it: hours under two
// days, whole days (truncated, as daysLeft counts them) above.
func span(d time.Duration) string {
	switch {
	case d < time.Hour:
		return "under an hour"
	case d < 2*Day:
		h := int64(d / time.Hour)
		if h == 1 {
			return "1 hour"
		}
		return fmt.Sprintf("%d hours", h)
	}
	return fmt.Sprintf("%d days", wholeDays(d))
}
