package virtpkicli

import (
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/virt-pki/virt-pki/internal/pkitest"
	"github.com/virt-pki/virt-pki/internal/progress"
)

// serveTLS serves cert on a loopback port until the test ends, asking for
// client certificates from clientCA (so the peer's CA list is sent too).
func serveTLS(t *testing.T, cert *pkitest.Cert, clientCA *pkitest.Cert) string {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AddCert(clientCA.Cert)
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{
		Certificates: []tls.Certificate{{Certificate: [][]byte{cert.DER}, PrivateKey: cert.Key, Leaf: cert.Cert}},
		ClientAuth:   tls.RequestClientCert, ClientCAs: pool,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				if c.(*tls.Conn).Handshake() == nil {
					c.Write([]byte{1}) // libvirt's confirmation byte
				}
			}()
		}
	}()
	return ln.Addr().String()
}

// TestProbeEscapesPeerText: a server whose certificate carries an OSC
// sequence in its CN, issuer and a SAN, and whose CA list names a CA with
// one, cannot steer the terminal through probe's text output.
func TestProbeEscapesPeerText(t *testing.T) {
	ca := pkitest.CA(t, "CA"+hostile)
	srv := pkitest.Server(t, ca, "srv"+hostile, "localhost", "evil\x1b]0;x\x07.example")
	addr := serveTLS(t, srv, ca)
	pki := filepath.Join(t.TempDir(), "pki"+hostile)
	pkitest.WriteFile(t, pki, "cacert.pem", ca.CertPEM(), 0o600)
	pkitest.Client(t, ca, pkixName("client"+hostile)).WritePair(t, pki, "clientcert.pem", "clientkey.pem")
	_, port, _ := net.SplitHostPort(addr)
	// The files are named explicitly: a URI refuses control characters.
	uri := "test+tls://localhost:" + port + "/default"
	files := []string{"--cacert", filepath.Join(pki, "cacert.pem"), "--cert", filepath.Join(pki, "clientcert.pem"), "--key", filepath.Join(pki, "clientkey.pem")}

	_, stdout, stderr := runCLI(append(append([]string{"probe", "--timeout", "5s"}, files...), uri)...)
	noRawControls(t, "probe", stdout+stderr)
	for _, want := range []string{
		`server cert 0: O=Test,CN=srv\x1b]0\;pwned\x07\x1b[2J`,
		`issuer CN=CA\x1b]0\;pwned\x07\x1b[2J`,
		`DNS:evil\x1b]0;x\x07.example`,
		`server accepts certificates from: CN=CA\x1b]0\;pwned`,
		`(DN CN=client\x1b]0\;pwned`,
		"credentials: CA " + filepath.Join(filepath.Dir(pki), "pki"+hostileEscaped, "cacert.pem"),
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("probe text lacks %q:\n%s", want, stdout)
		}
	}
	_, stdout, _ = runCLI(append(append([]string{"probe", "--format", "json", "--timeout", "5s"}, files...), uri)...)
	if !strings.Contains(stdout, `srv\u001b]0\\;pwned\u0007`) {
		t.Errorf("JSON does not keep the subject exactly:\n%s", stdout)
	}
}

func pkixName(cn string) pkix.Name { return pkix.Name{CommonName: cn} }

// TestProbeUsageErrors: absurd --concurrency and a zero or negative
// --timeout are usage errors.
func TestProbeUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--concurrency", "0"},
		{"--concurrency", "1025"},
		{"--concurrency", "1000000000000"},
		{"--timeout", "0"},
		{"--timeout", "-1s"},
	} {
		code, stdout, stderr := runCLI(append(append([]string{"probe"}, args...), "localhost")...)
		if code != exitUsage || stdout != "" || strings.Count(strings.TrimRight(stderr, "\n"), "\n") != 0 {
			t.Errorf("probe %s: exit %d, stdout %q, stderr %q; want exit 2 and one line", strings.Join(args, " "), code, stdout, stderr)
		}
	}
}

// TestProbeNoProgressOffTerminal: probing more targets than
// progress.Threshold writes nothing to a standard error that is not a
// terminal, with or without --quiet.
func TestProbeNoProgressOffTerminal(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // refused at once
	var lines []string
	for range progress.Threshold + 5 {
		lines = append(lines, addr)
	}
	targets := pkitest.WriteFile(t, t.TempDir(), "targets", []byte(strings.Join(lines, "\n")), 0o644)
	for _, extra := range []string{"--quiet", "--quiet=false"} {
		code, stdout, stderr := runCLI("probe", extra, "--timeout", "5s", "--targets", filepath.Clean(targets))
		if code != exitFail || stderr != "" || !strings.Contains(stdout, fmt.Sprintf("%d targets: 0 OK", progress.Threshold+5)) {
			t.Errorf("probe %s: exit %d, stderr %q", extra, code, stderr)
		}
	}
}
