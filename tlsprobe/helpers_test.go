package tlsprobe

import (
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"net"
	"strconv"
	"testing"

	"github.com/virt-pki/virt-pki/internal/pkitest"
	"github.com/virt-pki/virt-pki/tlsprobe/internal/fakelibvirtd"
)

// tlsPair turns a pkitest certificate into a tls.Certificate.
func tlsPair(c *pkitest.Cert) tls.Certificate {
	return tls.Certificate{Certificate: [][]byte{c.DER}, PrivateKey: c.Key, Leaf: c.Cert}
}

// startFake starts a fake libvirtd endpoint serving srv, trusting ca, for t.
func startFake(t testing.TB, srv *pkitest.Cert, ca *pkitest.Cert, accept func(*x509.Certificate) bool) *fakelibvirtd.Server {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AddCert(ca.Cert)
	s, err := fakelibvirtd.Start(fakelibvirtd.Options{Certificate: tlsPair(srv), ClientCAs: pool, Accept: accept})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func itoa(n int) string { return strconv.Itoa(n) }

// closedPort returns 127.0.0.1:PORT where nothing listens (a port that was
// just released).
func closedPort(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// clientName is the subject of test client certificates.
func clientName() pkix.Name {
	return pkix.Name{Country: []string{"GB"}, Organization: []string{"Probe Org"}, CommonName: "client1"}
}
