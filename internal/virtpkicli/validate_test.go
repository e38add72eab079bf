package virtpkicli

import (
	"crypto/x509/pkix"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/virt-pki/virt-pki/internal/pkitest"
)

// TestValidateEscapesUntrustedText: subjects and issuers from the
// certificates and the paths of the files, carrying an OSC sequence, are
// printed escaped in validate's text output.
func TestValidateEscapesUntrustedText(t *testing.T) {
	ca := pkitest.CA(t, "CA"+hostile)
	srv := pkitest.Server(t, ca, "srv"+hostile, "localhost")
	client := pkitest.Client(t, ca, pkix.Name{CommonName: "client" + hostile})
	dir := filepath.Join(t.TempDir(), "pki"+hostile)
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	pkitest.WriteFile(t, dir, "cacert.pem", ca.CertPEM(), 0o600)
	srv.WritePair(t, dir, "servercert.pem", "serverkey.pem")
	client.WritePair(t, dir, "clientcert.pem", "clientkey.pem")
	os.Chmod(filepath.Join(dir, "serverkey.pem"), 0o644) // a WARN/FAIL with a fix naming the path

	_, stdout, stderr := runCLI("validate", "--path", dir, "--hostname", "localhost", "--libvirt-version", "9.0.0")
	noRawControls(t, "validate", stdout+stderr)
	for _, want := range []string{
		`CN=srv\x1b]0\;pwned\x07\x1b[2J`,
		`CN=CA\x1b]0\;pwned\x07\x1b[2J`,
		`CN=client\x1b]0\;pwned\x07\x1b[2J`,
		"pki" + hostileEscaped + "/serverkey.pem",
		"fix: chmod 0600 '",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("validate text lacks %q:\n%s", want, stdout)
		}
	}
}
