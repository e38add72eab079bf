package certtext

import (
	"crypto/x509"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/virt-pki/virt-pki/libvirtcert"
)

func readCerts(t *testing.T, name string) []*x509.Certificate {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	certs, err := libvirtcert.ParseCertificates(name, data)
	if err != nil {
		t.Fatal(err)
	}
	return certs
}

// TestVerifyMatchesCerttool compares the reports with what certtool
// --verify and certtool -e printed for the same files.
func TestVerifyMatchesCerttool(t *testing.T) {
	server := readCerts(t, "certtool-server-ecdsa.pem")
	caCert := readCerts(t, "certtool-ca-rsa.pem")
	during := server[0].NotBefore.Add(time.Hour)

	want, _ := os.ReadFile("testdata/verify-server.txt")
	got, ok := Verify(server, caCert, during)
	if !ok || got != string(want) {
		t.Errorf("--verify: ok=%v\n%s", ok, lineDiff(string(want), got))
	}
	want, _ = os.ReadFile("testdata/verify-chain.txt")
	chain := append(append([]*x509.Certificate{}, server...), caCert...)
	got, ok = Verify(chain, chain[len(chain)-1:], during)
	if !ok || got != string(want) {
		t.Errorf("-e: ok=%v\n%s", ok, lineDiff(string(want), got))
	}
}

func TestVerifyFailures(t *testing.T) {
	server := readCerts(t, "certtool-server-ecdsa.pem")
	caCert := readCerts(t, "certtool-ca-rsa.pem")
	other := readCerts(t, "certtool-ca-ed25519.pem")
	for name, c := range map[string]struct {
		cas  []*x509.Certificate
		at   time.Time
		want string
	}{
		"expired":       {caCert, server[0].NotAfter.Add(time.Hour), "The certificate chain uses expired certificate."},
		"not yet valid": {caCert, server[0].NotBefore.Add(-time.Hour), "The certificate chain uses not yet valid certificate."},
		"unknown CA":    {other, server[0].NotBefore.Add(time.Hour), "The certificate issuer is unknown."},
	} {
		got, ok := Verify(server, c.cas, c.at)
		if ok || !strings.Contains(got, "Chain verification output: Not verified. The certificate is NOT trusted. "+c.want) {
			t.Errorf("%s: ok=%v\n%s", name, ok, got)
		}
	}
}
