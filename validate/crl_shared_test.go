package validate

import (
	"encoding/pem"
	"os/exec"
	"testing"

	"github.com/virt-pki/virt-pki/finding"
	"github.com/virt-pki/virt-pki/internal/pkitest"
)

// TestDERCRLFixConverts: a DER CRL FAILs (libvirt reads PEM only) and the
// fix, run as given, leaves a CRL that parses.
func TestDERCRLFixConverts(t *testing.T) {
	p := newPKI(t)
	dir := writePKIPath(t, p)
	pkitest.WriteFile(t, dir, "cacrl.pem", pkitest.CRL(t, p.ca), 0o600)
	f := want(t, Run(pathOpts(dir)), "trust.crl.read", finding.Fail, "is a DER (binary) CRL; libvirt reads only PEM")
	if _, err := exec.LookPath("certtool"); err != nil {
		t.Skip("certtool is not installed; the fix is not run")
	}
	runFix(t, f.Fix)
	want(t, Run(pathOpts(dir)), "trust.crl.read", finding.Pass, "1 list")
}

// TestRevocationInSecondCRLBlock: every X509 CRL block counts, as in
// GnuTLS.
func TestRevocationInSecondCRLBlock(t *testing.T) {
	p := newPKI(t)
	dir := writePKIPath(t, p)
	other := pkitest.CA(t, "Other CA")
	data := pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: pkitest.CRL(t, other)})
	data = append(data, pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: pkitest.CRL(t, p.ca, p.client.Cert.SerialNumber)})...)
	pkitest.WriteFile(t, dir, "cacrl.pem", data, 0o600)
	l := Run(pathOpts(dir))
	want(t, l, "trust.crl.read", finding.Pass, "2 lists")
	want(t, l, "client.cert.revoked", finding.Fail, "revoked by")
}
