package pkitest

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"testing"
)

func TestGoodChainVerifies(t *testing.T) {
	ca := CA(t, "Test CA")
	srv := Server(t, ca, "host.example", "host.example", "127.0.0.1")
	cli := Client(t, ca, pkix.Name{Country: []string{"GB"}, CommonName: "client1"})
	pool := x509.NewCertPool()
	pool.AddCert(ca.Cert)
	if _, err := srv.Cert.Verify(x509.VerifyOptions{Roots: pool, DNSName: "host.example"}); err != nil {
		t.Fatal(err)
	}
	if _, err := cli.Cert.Verify(x509.VerifyOptions{Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		t.Fatal(err)
	}
	if !srv.Cert.BasicConstraintsValid || srv.Cert.IsCA || srv.Cert.KeyUsage&x509.KeyUsageKeyEncipherment == 0 {
		t.Fatalf("server extensions wrong: %+v", srv.Cert)
	}
	leafCA := New(t, Spec{Subject: pkix.Name{CommonName: "x"}, IsCA: Bool(true), BCCrit: false}, ca)
	if !leafCA.Cert.IsCA || leafCA.Cert.Extensions[0].Critical {
		t.Fatal("non-critical CA:TRUE not encoded as asked")
	}
	noBC := New(t, Spec{Subject: pkix.Name{CommonName: "y"}}, ca)
	if noBC.Cert.BasicConstraintsValid {
		t.Fatal("basic constraints present though not asked for")
	}
}

func TestTLV(t *testing.T) {
	for _, tc := range []struct {
		n    int
		head []byte
	}{
		{0, []byte{0x04, 0x00}},
		{0x7f, []byte{0x04, 0x7f}},
		{0x80, []byte{0x04, 0x81, 0x80}},
		{0x100, []byte{0x04, 0x82, 0x01, 0x00}},
	} {
		got := TLV(0x04, make([]byte, tc.n))
		if len(got) != len(tc.head)+tc.n || string(got[:len(tc.head)]) != string(tc.head) {
			t.Errorf("TLV of %d bytes starts % x, want % x", tc.n, got[:len(tc.head)], tc.head)
		}
	}
}
