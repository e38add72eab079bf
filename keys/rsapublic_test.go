package keys

import (
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"math/big"
	"testing"

	"github.com/virt-pki/virt-pki/internal/pkitest"
)

func TestRSAPublicFromPEM(t *testing.T) {
	c := pkitest.New(t, pkitest.Spec{Subject: pkix.Name{CommonName: "rsa"}, Key: pkitest.RSA}, nil)
	pk8 := c.KeyPEM(t)
	rsaKey := c.Key.(*rsa.PrivateKey)
	pk1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsaKey)})
	for name, data := range map[string][]byte{"PKCS#8": pk8, "PKCS#1": append([]byte("certtool text\n"), pk1...)} {
		pub, ok := RSAPublicFromPEM(data)
		if !ok || !pub.Equal(c.Cert.PublicKey) {
			t.Errorf("%s: got %v, %v; want the certificate's key", name, pub, ok)
		}
	}
	bad := *rsaKey
	bad.Primes = []*big.Int{new(big.Int).Add(rsaKey.Primes[0], big.NewInt(2)), rsaKey.Primes[1]}
	der, _ := asn1.Marshal(pkcs1RSAKey{N: bad.N, E: bad.E, D: bad.D, P: bad.Primes[0], Q: bad.Primes[1], Dp: big.NewInt(1), Dq: big.NewInt(1), Qinv: big.NewInt(1)})
	if _, ok := RSAPublicFromPEM(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: der})); ok {
		t.Error("a key whose primes do not multiply to the modulus was accepted")
	}
	ec := pkitest.New(t, pkitest.Spec{Subject: pkix.Name{CommonName: "ec"}}, nil)
	if _, ok := RSAPublicFromPEM(ec.KeyPEM(t)); ok {
		t.Error("an EC key was taken for RSA")
	}
	// PublicKeyFromPEM takes the fast path for RSA and the full parse for
	// other keys, and reports ParsePrivateKeyPEM's errors.
	for name, data := range map[string][]byte{"RSA": pk1, "EC": ec.KeyPEM(t)} {
		want := c.Cert.PublicKey
		if name == "EC" {
			want = ec.Cert.PublicKey
		}
		pub, err := PublicKeyFromPEM(data)
		if err != nil || !pub.(interface{ Equal(x crypto.PublicKey) bool }).Equal(want) {
			t.Errorf("PublicKeyFromPEM(%s) = %v, %v; want the certificate's key", name, pub, err)
		}
	}
	if _, err := PublicKeyFromPEM(c.CertPEM()); err == nil || err.Error() != "this is a certificate, not a private key" {
		t.Errorf("PublicKeyFromPEM(certificate) error = %v", err)
	}
}

func FuzzRSAPublicFromPEM(f *testing.F) {
	c := pkitest.New(f, pkitest.Spec{Key: pkitest.RSA, RSABits: 1024}, nil)
	f.Add(c.KeyPEM(f))
	f.Add([]byte("-----BEGIN RSA PRIVATE KEY-----\nMAA=\n-----END RSA PRIVATE KEY-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		pub, ok := RSAPublicFromPEM(data)
		if ok && (pub == nil || pub.N.Sign() <= 0 || pub.E < 3) {
			t.Fatalf("accepted an unusable key: %v", pub)
		}
	})
}
