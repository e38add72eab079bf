package libvirtcert

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"testing"
	"time"

	"github.com/virt-pki/virt-pki/internal/pkitest"
)

func chainID(err error) string {
	if err == nil {
		return ""
	}
	var ce *ChainError
	if !errors.As(err, &ce) {
		return "not a ChainError: " + err.Error()
	}
	return ce.ID
}

func TestVerifyChain(t *testing.T) {
	now := time.Now()
	ca := pkitest.CA(t, "CA")
	other := pkitest.CA(t, "Other CA")
	sameName := pkitest.CA(t, "CA") // same subject, different key
	leaf := pkitest.Server(t, ca, "host", "host")
	yes := pkitest.Bool(true)
	expiredCA := pkitest.New(t, pkitest.Spec{Subject: pkix.Name{CommonName: "Old CA"}, IsCA: yes, NotBefore: now.Add(-48 * time.Hour), NotAfter: now.Add(-time.Hour)}, nil)
	leafOfExpired := pkitest.Server(t, expiredCA, "host", "host")
	notCA := pkitest.New(t, pkitest.Spec{Subject: pkix.Name{CommonName: "Not a CA"}, IsCA: pkitest.Bool(false)}, nil)
	leafOfNotCA := pkitest.Server(t, notCA, "host", "host")
	noSign := pkitest.New(t, pkitest.Spec{Subject: pkix.Name{CommonName: "No sign CA"}, IsCA: yes, KeyUsage: x509.KeyUsageCRLSign}, nil)
	leafOfNoSign := pkitest.Server(t, noSign, "host", "host")
	expiredLeaf := pkitest.New(t, pkitest.Spec{Subject: leafSubject, NotBefore: now.Add(-48 * time.Hour), NotAfter: now.Add(-time.Hour)}, ca)
	inter := pkitest.New(t, pkitest.Spec{Subject: pkix.Name{CommonName: "Intermediate"}, IsCA: yes, KeyUsage: x509.KeyUsageCertSign}, ca)
	leafOfInter := pkitest.Server(t, inter, "host", "host")

	many := make([]*x509.Certificate, 0, MaxCACerts+1)
	for i := 0; i < MaxCACerts; i++ {
		many = append(many, other.Cert)
	}

	cases := []struct {
		name string
		leaf *x509.Certificate
		cas  []*x509.Certificate
		want string
	}{
		{"good", leaf.Cert, []*x509.Certificate{ca.Cert}, ""},
		{"good-among-others", leaf.Cert, []*x509.Certificate{other.Cert, ca.Cert}, ""},
		{"unknown-issuer", leaf.Cert, []*x509.Certificate{other.Cert}, IDUnknownIssuer},
		{"no-cas", leaf.Cert, nil, IDUnknownIssuer},
		{"same-name-other-key", leaf.Cert, []*x509.Certificate{sameName.Cert}, IDUnknownIssuer}, // AKI/SKI differ
		{"expired-ca", leafOfExpired.Cert, []*x509.Certificate{expiredCA.Cert}, IDUntrusted},
		{"expired-leaf", expiredLeaf.Cert, []*x509.Certificate{ca.Cert}, IDUntrusted},
		{"issuer-not-ca", leafOfNotCA.Cert, []*x509.Certificate{notCA.Cert}, IDUntrusted},
		{"issuer-ku-without-certsign", leafOfNoSign.Cert, []*x509.Certificate{noSign.Cert}, IDUntrusted},
		{"intermediate-as-anchor", leafOfInter.Cert, []*x509.Certificate{inter.Cert}, ""},
		{"root-only-for-intermediate-leaf", leafOfInter.Cert, []*x509.Certificate{ca.Cert}, IDUnknownIssuer},
		{"leaf-is-in-ca-file", leaf.Cert, []*x509.Certificate{leaf.Cert}, ""},
		{"issuer-is-17th", leaf.Cert, append(append([]*x509.Certificate{}, many...), ca.Cert), IDUnknownIssuer},
		{"issuer-is-16th", leaf.Cert, append(append([]*x509.Certificate{}, many[:MaxCACerts-1]...), ca.Cert), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := chainID(VerifyChain(c.leaf, c.cas, now)); got != c.want {
				t.Errorf("VerifyChain = %q, want %q (%v)", got, c.want, VerifyChain(c.leaf, c.cas, now))
			}
		})
	}
}

func TestVerifyChainMessages(t *testing.T) {
	now := time.Now()
	ca := pkitest.CA(t, "CA")
	other := pkitest.CA(t, "Other CA")
	leaf := pkitest.Server(t, ca, "host", "host")
	err := VerifyChain(leaf.Cert, []*x509.Certificate{other.Cert}, now)
	var ce *ChainError
	if !errors.As(err, &ce) {
		t.Fatalf("VerifyChain = %v", err)
	}
	if ce.Message != "The certificate hasn't got a known issuer." || ce.Status&StatusSignerNotFound == 0 || ce.Status&StatusInvalid == 0 {
		t.Errorf("unknown issuer: %+v", ce)
	}
	if ce.Detail == "" {
		t.Error("no detail for an unknown issuer")
	}
	err = VerifyChain(leaf.Cert, []*x509.Certificate{ca.Cert}, now.Add(5*365*24*time.Hour))
	if !errors.As(err, &ce) || ce.Message != "The certificate is not trusted." || ce.Status&StatusExpired == 0 {
		t.Errorf("expired: %v", err)
	}
	if Reason(StatusInvalid|StatusInsecureAlgorithm|StatusSignerNotFound) != "The certificate uses an insecure algorithm" {
		t.Error("insecure algorithm must win over unknown issuer")
	}
	if Reason(0) != "Invalid certificate" {
		t.Error("Reason(0)")
	}
}
