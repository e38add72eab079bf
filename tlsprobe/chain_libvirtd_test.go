package tlsprobe

import (
	"context"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/virt-pki/virt-pki/internal/libvirttest"
	"github.com/virt-pki/virt-pki/internal/pkitest"
)

// garbageLogLine is what libvirtd logs for a peer that sends plain text to
// its TLS port; the test uses such a peer as a marker in the log.
const garbageLogLine = "TLS handshake failed An unexpected TLS packet was received."

// TestServerChainPoliteToLibvirtd scans a real libvirtd the way expiry
// does: with client credentials (found in the URI's pkipath, or given
// explicitly) the daemon's log gains nothing; without them it gains
// exactly the one documented line, not the three a certificate-less
// handshake causes.
func TestServerChainPoliteToLibvirtd(t *testing.T) {
	libvirttest.Require(t, "libvirtd")
	ca := pkitest.CA(t, "Chain CA")
	srv := pkitest.Server(t, ca, "localhost", "localhost", "127.0.0.1")
	client := pkitest.Client(t, ca, pkix.Name{Country: []string{"GB"}, Organization: []string{"Chain"}, CommonName: "client1"})
	dir := t.TempDir()
	caFile := pkitest.WriteFile(t, dir, "cacert.pem", ca.CertPEM(), 0o644)
	certFile, keyFile := srv.WritePair(t, dir, "servercert.pem", "serverkey.pem")
	for _, v := range []struct{ name, priority string }{
		{"TLS 1.3", ""},
		{"TLS 1.2", "tls_priority = \"NORMAL:-VERS-TLS1.3\"\n"},
	} {
		t.Run(v.name, func(t *testing.T) {
			d := libvirttest.Start(t, libvirttest.Config{CAFile: caFile, CertFile: certFile, KeyFile: keyFile, Extra: v.priority})
			politeScans(t, d, ca, srv, client)
		})
	}
}

// politeScans runs the scans of TestServerChainPoliteToLibvirtd against d.
func politeScans(t *testing.T, d *libvirttest.Daemon, ca, srv, client *pkitest.Cert) {
	dir := t.TempDir()
	caFile := pkitest.WriteFile(t, dir, "cacert.pem", ca.CertPEM(), 0o644)
	pki := filepath.Join(dir, "pki")
	pkitest.WriteFile(t, pki, "cacert.pem", ca.CertPEM(), 0o600)
	clientCert, clientKey := client.WritePair(t, pki, "clientcert.pem", "clientkey.pem")
	noCreds := filepath.Join(dir, "no-client-cert")
	pkitest.WriteFile(t, noCreds, "cacert.pem", ca.CertPEM(), 0o600)
	uri := func(pkipath string) string {
		u := "test+tls://localhost:" + itoa(d.Port) + "/default"
		if pkipath != "" {
			u += "?pkipath=" + pkipath
		}
		return u
	}
	// Explicit files, and a lookup that would find nothing by itself.
	explicit := New(Options{Timeout: 5 * time.Second, Credentials: CredentialsSource{
		CACert: caFile, Cert: clientCert, Key: clientKey, Home: t.TempDir(), EUID: 1000, Root: t.TempDir()}})

	// barrier returns once libvirtd has logged everything caused by
	// connections that ended before it was called: it sends plain text
	// twice, waiting each time for the daemon to log it. libvirtd may
	// log a closed connection one event-loop pass after a newer one, so
	// the second marker is the barrier.
	markers := 0
	barrier := func() {
		for range 2 {
			markers++
			c, err := net.Dial("tcp", d.Addr())
			if err != nil {
				t.Fatal(err)
			}
			c.Write([]byte("GET / HTTP/1.0\r\n\r\n"))
			io.Copy(io.Discard, c)
			c.Close()
			deadline := time.Now().Add(10 * time.Second)
			for strings.Count(d.Log(), garbageLogLine) < markers {
				if time.Now().After(deadline) {
					t.Fatalf("libvirtd did not log marker %d:\n%s", markers, d.Log())
				}
				<-time.After(10 * time.Millisecond) // poll interval
			}
		}
	}
	// logged returns the lines logged since the previous call, without
	// the markers.
	seen := 0
	logged := func() []string {
		var lines []string
		all := strings.Split(strings.TrimSpace(d.Log()), "\n")
		for _, l := range all[seen:] {
			if strings.Contains(l, " : ") && !strings.HasSuffix(l, garbageLogLine) {
				lines = append(lines, l)
			}
		}
		seen = len(all)
		return lines
	}
	// Start's readiness check (a TCP connect) logs a line of its own,
	// sometimes late: wait for it before the first marker.
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(d.Log(), "non-properly terminated") {
		if time.Now().After(deadline) {
			t.Fatalf("libvirtd did not log the readiness check:\n%s", d.Log())
		}
		<-time.After(10 * time.Millisecond) // poll interval
	}
	barrier()
	logged()

	scans := []struct {
		name  string
		fetch func() ([]*x509.Certificate, error)
		want  []string
	}{
		{"credentials in pkipath", func() ([]*x509.Certificate, error) { return ServerChain(context.Background(), uri(pki), 5*time.Second) }, nil},
		{"explicit credentials", func() ([]*x509.Certificate, error) { return explicit.ServerChain(context.Background(), uri("")) }, nil},
		{"no client certificate", func() ([]*x509.Certificate, error) {
			return ServerChain(context.Background(), uri(noCreds), 5*time.Second)
		},
			[]string{"authentication failed: TLS handshake failed The TLS connection was non-properly terminated."}},
	}
	for _, sc := range scans {
		chain, err := sc.fetch()
		if err != nil {
			t.Fatalf("%s: %v", sc.name, err)
		}
		if len(chain) != 1 || chain[0].SerialNumber.Cmp(srv.Cert.SerialNumber) != 0 {
			t.Errorf("%s: got %d certificates, want the server's one", sc.name, len(chain))
		}
		barrier()
		got := logged()
		ok := len(got) == len(sc.want)
		for i := 0; ok && i < len(got); i++ {
			ok = strings.HasSuffix(got[i], sc.want[i])
		}
		if !ok {
			t.Errorf("%s: the scan made libvirtd log %d line(s), want %d %q:\n%s", sc.name, len(got), len(sc.want), sc.want, strings.Join(got, "\n"))
		}
	}
}
