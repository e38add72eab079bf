package libvirtcert

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"testing"
	"time"

	"github.com/virt-pki/virt-pki/internal/pkitest"
)

func newTestCA(t *testing.T) *pkitest.Cert {
	t.Helper()
	return pkitest.CA(t, "Test CA")
}

// ekuCert returns a self-signed leaf whose extended key usage extension
// holds exactly oids (pkitest knows only serverAuth, clientAuth and any).
func ekuCert(t *testing.T, critical bool, oids ...asn1.ObjectIdentifier) *x509.Certificate {
	t.Helper()
	val, err := asn1.Marshal(oids)
	if err != nil {
		t.Fatal(err)
	}
	return customCert(t, func(c *x509.Certificate) {
		c.ExtraExtensions = []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 37}, Critical: critical, Value: val}}
	})
}

// customCert returns a self-signed ECDSA certificate for CN=custom after
// mutate adjusted the template.
func customCert(t *testing.T, mutate func(*x509.Certificate)) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(7),
		Subject:      pkix.Name{CommonName: "custom"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	mutate(tmpl)
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
