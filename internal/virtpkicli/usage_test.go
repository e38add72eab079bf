package virtpkicli

import (
	"bytes"
	"strings"
	"testing"
)

// TestUsageErrorsExit2 pins the exit-code contract pipelines rely on: every
// wrong command line exits 2 with one line on stderr and nothing on stdout.
func TestUsageErrorsExit2(t *testing.T) {
	for _, args := range [][]string{
		{"bogus"},
		{"issue"},
		{"ca"},
		{"ca", "nope"},
		{"issue", "bogus", "x"},
		{"expiry", "--bogus"},
		{"expiry", "--jobs", "abc", "x"},
		{"probe", "--timeout", "abc", "h"},
		{"probe", "--bogus"},
		{"issue", "server", "--nope"},
		{"install", "--nope"},
		{"dn", "--nope", "x"},
		{"info", "--nope", "x"},
		{"quickstart", "--nope"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(append([]string{"virt-pki"}, args...), &stdout, &stderr)
		if code != exitUsage {
			t.Errorf("virt-pki %s: exit %d, want %d (stderr %q)", strings.Join(args, " "), code, exitUsage, stderr.String())
		}
		if stdout.Len() != 0 {
			t.Errorf("virt-pki %s: wrote to stdout: %q", strings.Join(args, " "), stdout.String())
		}
		if lines := strings.Count(strings.TrimRight(stderr.String(), "\n"), "\n"); lines != 0 || stderr.Len() == 0 {
			t.Errorf("virt-pki %s: want one line on stderr, got %q", strings.Join(args, " "), stderr.String())
		}
	}
}
