package templates

import (
	"crypto/ed25519"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"
)

var errorLine = regexp.MustCompile(`^fuzz\.info(:[1-9][0-9]*)?: [^\n]+$`)

// FuzzParse checks that Parse never panics, that every error is one line
// naming the file (and the line when there is one), and that Certificate
// either builds or fails with such an error.
func FuzzParse(f *testing.F) {
	for _, s := range []string{guideCA, guideServer, guideClient} {
		f.Add([]byte(s))
	}
	for _, tc := range differentialTemplates {
		f.Add([]byte(tc.text))
	}
	for _, s := range []string{
		`cn = "quoted value"`, `cn = 'single'`, "cn = \"multi\\\nline\"", "cn = un\\\ncontinued",
		"cn = a=b, c", "cn: colon", "\tcn\t=\ttabbed\t", "cn = crlf\r\n", "; comment\ncn = x",
		"cn = x\n2.5.4.3 = y", "ca = no", "CN = x", "cn = \"unterminated", "cn = \"x\" trailing",
		"serial = 0x80", "expiration_days = 10days", "ip_address = 10.0.0.0/8", "dn = CN=a+O=b",
		"activation_date = @1700000000\nexpiration_date = now", "policy1 = 1.2.3\npolicy1_txt = \"x\"",
		"dn_oid = 2.5.4.12 Dr", "add_extension = 2.5.29.17 3000\ndns_name = x", "krb5_principal = a@b@C",
	} {
		f.Add([]byte(s))
	}
	key := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize)).Public()
	now := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		tm, err := Parse("fuzz.info", data)
		if err != nil {
			checkFuzzError(t, err)
			return
		}
		for _, w := range tm.Warnings {
			if s := w.String(); !strings.HasPrefix(s, "fuzz.info") || strings.Contains(s, "\n") {
				t.Fatalf("bad warning %q", s)
			}
		}
		// Certificate signs and parses a copy itself (checkReadable), so a
		// success means Go can read the result.
		if _, err := tm.Certificate(BuildOptions{SubjectKey: key, Now: now, Rand: constReader(0x5a)}); err != nil {
			checkFuzzError(t, err)
		}
	})
}

func checkFuzzError(t *testing.T, err error) {
	t.Helper()
	var te *Error
	if !errors.As(err, &te) || te.Name != "fuzz.info" {
		t.Fatalf("error %q is not a *Error naming the file", err)
	}
	if !errorLine.MatchString(err.Error()) {
		t.Fatalf("error %q is not one line of the form fuzz.info:LINE: message", err)
	}
}
