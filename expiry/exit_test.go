package expiry

import (
	"strings"
	"testing"
)

func TestSummaryExitCode(t *testing.T) {
	cases := []struct {
		name   string
		sum    Summary
		strict bool
		code   int
		why    string // substring; "" means why must be empty
	}{
		{"all ok", Summary{OK: 3}, false, ExitOK, ""},
		{"all ok, strict", Summary{OK: 3}, true, ExitOK, ""},
		{"a warning", Summary{OK: 2, Warn: 1}, false, ExitWarn, ""},
		{"a failure beats warnings", Summary{OK: 1, Warn: 2, Fail: 1}, false, ExitFail, ""},
		{"an error only notes", Summary{OK: 1, Error: 1}, false, ExitOK, "1 source(s) could not be read (--strict makes that fail)"},
		{"an error with a warning", Summary{Warn: 1, Error: 2}, false, ExitWarn, "2 source(s) could not be read"},
		{"an error fails with strict", Summary{OK: 1, Error: 1}, true, ExitFail, ""},
		{"every source an error", Summary{Error: 2}, false, ExitFail, "no certificate or CRL could be checked (2 error(s)), so this fails even without --strict"},
		{"every source an error, strict", Summary{Error: 2}, true, ExitFail, "no certificate or CRL could be checked (2 error(s))"},
		{"nothing found", Summary{}, false, ExitOK, "no certificate or CRL found (--strict makes that fail)"},
		{"nothing found, strict", Summary{}, true, ExitFail, "no certificate or CRL found"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, why := c.sum.ExitCode(c.strict)
			if code != c.code {
				t.Errorf("code %d, want %d (why %q)", code, c.code, why)
			}
			if c.why == "" && why != "" || !strings.Contains(why, c.why) {
				t.Errorf("why %q, want %q", why, c.why)
			}
			if c.strict && strings.Contains(why, "--strict") {
				t.Errorf("with strict, why %q still suggests --strict", why)
			}
		})
	}
}

func TestDefaultPolicyIsConsistent(t *testing.T) {
	p := DefaultPolicy(at)
	if err := p.Check(); err != nil {
		t.Fatal(err)
	}
	for _, th := range []Threshold{p.Warn, p.Fail} {
		back, err := ParseThreshold(th.String())
		if err != nil || back != th {
			t.Errorf("threshold %v prints as %q, which reads back as %v, %v", th, th.String(), back, err)
		}
	}
}
