package expiry

import "fmt"

// Exit codes of an expiry gate (see Summary.ExitCode). 2 is left to the
// command line for usage errors.
const (
	ExitOK   = 0
	ExitFail = 1
	ExitWarn = 3
)

// ExitCode is the exit code a CI gate returns for the scan s summarises and,
// when it is worth telling the user (on standard error), why:
//
//   - ExitFail when anything failed; when not a single certificate or CRL
//     could be checked because every source gave an error (even without
//     strict: a gate that passes when every source failed would pass
//     forever once the path is wrong or the server is down); and, with
//     strict, when any source could not be read or nothing was found;
//   - ExitWarn when something warns and nothing fails;
//   - ExitOK otherwise.
//
// Without strict, unreadable sources and an empty scan do not change the
// code, and why says so.
func (s Summary) ExitCode(strict bool) (code int, why string) {
	if s.Checked() == 0 && s.Error > 0 {
		why := fmt.Sprintf("no certificate or CRL could be checked (%d error(s))", s.Error)
		if !strict {
			why += ", so this fails even without --strict"
		}
		return ExitFail, why
	}
	switch {
	case s.Error > 0 && !strict:
		why = fmt.Sprintf("%d source(s) could not be read (--strict makes that fail)", s.Error)
	case s.Total() == 0 && !strict:
		why = "no certificate or CRL found (--strict makes that fail)"
	case s.Total() == 0:
		why = "no certificate or CRL found"
	}
	switch {
	case s.Fail > 0, strict && (s.Error > 0 || s.Total() == 0):
		return ExitFail, why
	case s.Warn > 0:
		return ExitWarn, why
	}
	return ExitOK, why
}
