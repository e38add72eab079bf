package tlsprobe

import (
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/virt-pki/virt-pki/finding"
	"github.com/virt-pki/virt-pki/internal/pkitest"
)

func probeCRL(t *testing.T, ca *pkitest.Cert, serials ...*big.Int) []byte {
	t.Helper()
	tmpl := &x509.RevocationList{Number: big.NewInt(1), ThisUpdate: time.Now().Add(-time.Hour), NextUpdate: time.Now().Add(time.Hour)}
	for _, s := range serials {
		tmpl.RevokedCertificateEntries = append(tmpl.RevokedCertificateEntries, x509.RevocationListEntry{SerialNumber: s, RevocationTime: time.Now().Add(-time.Minute)})
	}
	der, err := x509.CreateRevocationList(rand.Reader, tmpl, ca.Cert, ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// TestProbeRefusesDERCRL: libvirt's client loads the CRL as PEM only, so a
// DER CRL stops it; the probe says so and names the conversion.
func TestProbeRefusesDERCRL(t *testing.T) {
	ca := pkitest.CA(t, "Probe CA")
	srv := pkitest.Server(t, ca, "localhost", "localhost")
	s := startFake(t, srv, ca, nil)
	dir := pkiDir(t, ca, pkitest.Client(t, ca, clientName()))
	pkitest.WriteFile(t, dir, "cacrl.pem", probeCRL(t, ca, srv.Cert.SerialNumber), 0o600)
	r := probeURI(t, Options{}, "test+tls://localhost:"+itoa(s.Port())+"/default?pkipath="+dir)
	var f *finding.Finding
	for i := range r.Findings {
		if r.Findings[i].ID == "crl-unreadable" {
			f = &r.Findings[i]
		}
	}
	if f == nil || f.Status != finding.Fail {
		t.Fatalf("DER CRL accepted: %+v", r.Findings)
	}
	if !strings.Contains(f.Message, "is a DER (binary) CRL; libvirt reads only PEM") || !strings.Contains(f.Fix, "certtool --crl-info --inder") {
		t.Errorf("message %q / fix %q do not explain the DER CRL", f.Message, f.Fix)
	}
}

// TestProbeReadsEveryCRLBlock: GnuTLS loads every X509 CRL block of the
// file, so a revocation in the second CRL counts.
func TestProbeReadsEveryCRLBlock(t *testing.T) {
	ca, other := pkitest.CA(t, "Probe CA"), pkitest.CA(t, "Other CA")
	srv := pkitest.Server(t, ca, "localhost", "localhost")
	s := startFake(t, srv, ca, nil)
	dir := pkiDir(t, ca, pkitest.Client(t, ca, clientName()))
	data := pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: probeCRL(t, other)})
	data = append(data, pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: probeCRL(t, ca, srv.Cert.SerialNumber)})...)
	pkitest.WriteFile(t, dir, "cacrl.pem", data, 0o600)
	r := probeURI(t, Options{}, "test+tls://localhost:"+itoa(s.Port())+"/default?pkipath="+dir)
	if status(r, "server-cert-revoked") != finding.Fail || r.ChainOK {
		t.Errorf("revocation in the second CRL block not enforced: chain_ok=%v %+v", r.ChainOK, r.Findings)
	}
}
