package validate

import (
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"math/big"
	"os/exec"
	"testing"
	"time"

	"github.com/virt-pki/virt-pki/finding"
	"github.com/virt-pki/virt-pki/internal/pkitest"
)

func auditCRL(t *testing.T, ca *pkitest.Cert, serials ...*big.Int) []byte {
	t.Helper()
	tmpl := &x509.RevocationList{Number: big.NewInt(1), ThisUpdate: time.Now().Add(-time.Hour), NextUpdate: time.Now().Add(24 * time.Hour)}
	for _, s := range serials {
		tmpl.RevokedCertificateEntries = append(tmpl.RevokedCertificateEntries, x509.RevocationListEntry{SerialNumber: s, RevocationTime: time.Now().Add(-time.Hour)})
	}
	der, err := x509.CreateRevocationList(rand.Reader, tmpl, ca.Cert, ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// TestDERCRLFixConverts: a DER CRL FAILs (libvirt reads PEM only) and the
// fix, run as given, leaves a CRL that parses.
func TestDERCRLFixConverts(t *testing.T) {
	p := newPKI(t)
	dir := writePKIPath(t, p)
	pkitest.WriteFile(t, dir, "cacrl.pem", auditCRL(t, p.ca), 0o600)
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
	data := pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: auditCRL(t, other)})
	data = append(data, pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: auditCRL(t, p.ca, p.client.Cert.SerialNumber)})...)
	pkitest.WriteFile(t, dir, "cacrl.pem", data, 0o600)
	l := Run(pathOpts(dir))
	want(t, l, "trust.crl.read", finding.Pass, "2 lists")
	want(t, l, "client.cert.revoked", finding.Fail, "revoked by")
}
