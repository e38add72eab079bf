package tlsprobe

import (
	"encoding/pem"
	"strings"
	"testing"

	"github.com/virt-pki/virt-pki/finding"
	"github.com/virt-pki/virt-pki/internal/pkitest"
)

// TestProbeRefusesDERCRL: libvirt's client loads the CRL as PEM only, so a
// DER CRL stops it; the probe says so and names the conversion.
func TestProbeRefusesDERCRL(t *testing.T) {
	ca := pkitest.CA(t, "Probe CA")
	srv := pkitest.Server(t, ca, "localhost", "localhost")
	s := startFake(t, srv, ca, nil)
	dir := pkiDir(t, ca, pkitest.Client(t, ca, clientName()))
	pkitest.WriteFile(t, dir, "cacrl.pem", pkitest.CRL(t, ca, srv.Cert.SerialNumber), 0o600)
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
	data := pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: pkitest.CRL(t, other)})
	data = append(data, pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: pkitest.CRL(t, ca, srv.Cert.SerialNumber)})...)
	pkitest.WriteFile(t, dir, "cacrl.pem", data, 0o600)
	r := probeURI(t, Options{}, "test+tls://localhost:"+itoa(s.Port())+"/default?pkipath="+dir)
	if status(r, "server-cert-revoked") != finding.Fail || r.ChainOK {
		t.Errorf("revocation in the second CRL block not enforced: chain_ok=%v %+v", r.ChainOK, r.Findings)
	}
}
