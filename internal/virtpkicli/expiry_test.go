package virtpkicli

import (
	"bytes"
	"crypto/x509/pkix"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/virt-pki/virt-pki/internal/pkitest"
	"github.com/virt-pki/virt-pki/internal/progress"
)

// hostile is an OSC sequence that retitles a terminal, then a clear.
const hostile = "\x1b]0;pwned\x07\x1b[2J"

// hostileEscaped is hostile as termsafe prints it.
const hostileEscaped = `\x1b]0;pwned\x07\x1b[2J`

// runCLI runs virt-pki with args and returns the exit code and output.
func runCLI(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := run(append([]string{"virt-pki"}, args...), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// noRawControls fails when out holds an ESC or BEL byte.
func noRawControls(t *testing.T, what, out string) {
	t.Helper()
	if strings.ContainsAny(out, "\x1b\x07") {
		t.Errorf("%s prints raw terminal controls: %q", what, out)
	}
}

// TestExpiryUsageErrors: absurd --jobs and a zero or negative --timeout
// are usage errors, not defaults or gigabytes of workers.
func TestExpiryUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--jobs", "0"},
		{"--jobs", "-3"},
		{"--jobs", "1025"},
		{"--jobs", "1000000000000"},
		{"--concurrency", "99999"},
		{"--timeout", "0"},
		{"--timeout", "0s"},
		{"--timeout", "-5s"},
	} {
		code, stdout, stderr := runCLI(append(append([]string{"expiry"}, args...), "x.pem")...)
		if code != exitUsage || stdout != "" || strings.Count(strings.TrimRight(stderr, "\n"), "\n") != 0 {
			t.Errorf("expiry %s: exit %d, stdout %q, stderr %q; want exit 2 and one line", strings.Join(args, " "), code, stdout, stderr)
		}
	}
}

// TestExpiryEscapesUntrustedText: a subject and a file name carrying
// terminal controls are printed escaped in the table (sorted and
// streamed), JSON keeps them exact.
func TestExpiryEscapesUntrustedText(t *testing.T) {
	ca := pkitest.CA(t, "CA")
	evil := pkitest.Client(t, ca, pkix.Name{CommonName: "evil" + hostile})
	dir := t.TempDir()
	pkitest.WriteFile(t, dir, "evil.pem", evil.CertPEM(), 0o644)
	pkitest.WriteFile(t, dir, "name"+hostile+".pem", []byte("garbage"), 0o644)
	for _, extra := range [][]string{nil, {"--sort=false"}} {
		_, stdout, stderr := runCLI(append(append([]string{"expiry"}, extra...), dir)...)
		noRawControls(t, "expiry", stdout+stderr)
		// (The DN format escapes the OSC's semicolon as "\;".)
		if !strings.Contains(stdout, `CN=evil\x1b]0\;pwned\x07\x1b[2J`) || !strings.Contains(stdout, "name"+hostileEscaped+".pem") {
			t.Errorf("expiry %v does not show the escaped subject and path:\n%s", extra, stdout)
		}
	}
	_, stdout, _ := runCLI("expiry", "--format", "json", dir)
	if !strings.Contains(stdout, `evil\u001b]0\\;pwned\u0007`) {
		t.Errorf("JSON does not keep the subject exactly:\n%s", stdout)
	}
}

// TestExpirySpecialFilesInDirectory: a named pipe and a device link named
// like certificates in a scanned directory are error records (counted as
// could-not-check), never a hang or a silent skip.
func TestExpirySpecialFilesInDirectory(t *testing.T) {
	ca := pkitest.CA(t, "CA")
	dir := t.TempDir()
	pkitest.WriteFile(t, dir, "ca.pem", ca.CertPEM(), 0o644)
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.pem"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(dir, "zero.crt")); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCLI("expiry", dir)
	for _, want := range []string{
		"pipe.pem ",
		"not a regular file (a named pipe), not read",
		"zero.crt ",
		"not a regular file (a character device), not read",
		"1 checked: 1 ok, 0 warn, 0 fail; 2 error",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	if code != exitOK || !strings.Contains(stderr, "2 source(s) could not be read") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	if code, _, _ := runCLI("expiry", "--strict", dir); code != exitFail {
		t.Errorf("--strict: exit %d, want 1", code)
	}
}

// TestExpiryNoProgressOffTerminal: a run over more sources than
// progress.Threshold writes nothing to a standard error that is not a
// terminal.
func TestExpiryNoProgressOffTerminal(t *testing.T) {
	dir := t.TempDir()
	ca := pkitest.CA(t, "CA")
	for i := range progress.Threshold + 10 {
		pkitest.WriteFile(t, dir, fmt.Sprintf("c%03d.pem", i), ca.CertPEM(), 0o644)
	}
	for _, extra := range []string{"--quiet", "--sort=true"} {
		code, stdout, stderr := runCLI("expiry", extra, dir)
		if code != exitOK || stderr != "" || !strings.Contains(stdout, fmt.Sprintf("%d checked", progress.Threshold+10)) {
			t.Errorf("expiry %s: exit %d, stderr %q", extra, code, stderr)
		}
	}
}
