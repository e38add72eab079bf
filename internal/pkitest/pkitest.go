// Package pkitest builds certificates with arbitrary (also broken)
// properties for tests: libvirt's test matrix varies basic constraints, key
// usage, key purpose, criticality and validity, which a real CA would refuse
// to produce. It is test support only; products go through ca/ and issue/.
package pkitest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/virt-pki/virt-pki/x509oid"
)

// KeyType selects the subject key algorithm.
type KeyType int

// Key types; ECDSA P-256 is the default because it is fast.
const (
	ECDSA KeyType = iota
	RSA
	Ed25519
)

// Spec describes one certificate. Zero values give a sane leaf valid from
// an hour ago for a year, with no extensions beyond the ones asked for.
type Spec struct {
	Subject pkix.Name
	// RawSubject, when set, is used verbatim instead of Subject.
	RawSubject []byte
	DNS        []string
	IPs        []net.IP
	Key        KeyType
	RSABits    int // default 2048

	// BasicConstraints: nil omits the extension.
	IsCA     *bool
	BCCrit   bool
	PathLen  int // -1 for none
	KeyUsage x509.KeyUsage
	KUCrit   bool
	EKU      []x509.ExtKeyUsage
	EKUCrit  bool

	NotBefore, NotAfter time.Time
	Serial              *big.Int
}

// Bool returns &b, for Spec.IsCA.
func Bool(b bool) *bool { return &b }

// Cert is a certificate with its key.
type Cert struct {
	Cert *x509.Certificate
	Key  crypto.Signer
	DER  []byte
}

// NewKey generates a key of type k.
func NewKey(t testing.TB, k KeyType, rsaBits int) crypto.Signer {
	t.Helper()
	var key crypto.Signer
	var err error
	switch k {
	case RSA:
		if rsaBits == 0 {
			rsaBits = 2048
		}
		key, err = rsa.GenerateKey(rand.Reader, rsaBits)
	case Ed25519:
		_, key, err = ed25519.GenerateKey(rand.Reader)
	default:
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	if err != nil {
		t.Fatal(err)
	}
	return key
}

var ekuOIDs = map[x509.ExtKeyUsage]asn1.ObjectIdentifier{
	x509.ExtKeyUsageAny:        x509oid.KeyPurposeAny,
	x509.ExtKeyUsageServerAuth: x509oid.KeyPurposeServerAuth,
	x509.ExtKeyUsageClientAuth: x509oid.KeyPurposeClientAuth,
}

// New issues a certificate for spec, signed by issuer (self-signed when
// issuer is nil). The extensions are encoded by hand so that criticality
// and absence are exactly as asked.
func New(t testing.TB, spec Spec, issuer *Cert) *Cert {
	t.Helper()
	key := NewKey(t, spec.Key, spec.RSABits)
	now := time.Now()
	if spec.NotBefore.IsZero() {
		spec.NotBefore = now.Add(-time.Hour)
	}
	if spec.NotAfter.IsZero() {
		spec.NotAfter = now.Add(365 * 24 * time.Hour)
	}
	serial := spec.Serial
	if serial == nil {
		serial, _ = rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 63))
	}
	spki, err := x509.MarshalPKIXPublicKey(key.Public())
	if err != nil {
		t.Fatal(err)
	}
	ski := sha1.Sum(spki)
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      spec.Subject,
		RawSubject:   spec.RawSubject,
		NotBefore:    spec.NotBefore,
		NotAfter:     spec.NotAfter,
		DNSNames:     spec.DNS,
		IPAddresses:  spec.IPs,
		SubjectKeyId: ski[:],
	}
	var ext []pkix.Extension
	add := func(oid asn1.ObjectIdentifier, crit bool, v any) {
		b, err := asn1.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		ext = append(ext, pkix.Extension{Id: oid, Critical: crit, Value: b})
	}
	if spec.IsCA != nil {
		type bc struct {
			IsCA    bool `asn1:"optional"`
			PathLen int  `asn1:"optional,default:-1"`
		}
		pl := spec.PathLen
		if pl == 0 && *spec.IsCA {
			pl = -1
		}
		if !*spec.IsCA {
			pl = -1
		}
		add(x509oid.BasicConstraints, spec.BCCrit, bc{IsCA: *spec.IsCA, PathLen: pl})
	}
	if spec.KeyUsage != 0 {
		var bits [2]byte
		for i := 0; i < 9; i++ {
			if spec.KeyUsage&(1<<uint(i)) != 0 {
				bits[i/8] |= 0x80 >> uint(i%8)
			}
		}
		n := 16
		for n > 0 && bits[(n-1)/8]&(0x80>>uint((n-1)%8)) == 0 {
			n--
		}
		add(x509oid.KeyUsage, spec.KUCrit, asn1.BitString{Bytes: bits[:(n+7)/8], BitLength: n})
	}
	if len(spec.EKU) > 0 {
		var oids []asn1.ObjectIdentifier
		for _, e := range spec.EKU {
			oids = append(oids, ekuOIDs[e])
		}
		add(x509oid.ExtKeyUsage, spec.EKUCrit, oids)
	}
	add(x509oid.SubjectKeyID, false, ski[:])
	parent, signer := tmpl, crypto.Signer(key)
	if issuer != nil {
		parent, signer = issuer.Cert, issuer.Key
		type aki struct {
			ID []byte `asn1:"optional,tag:0"`
		}
		add(x509oid.AuthorityKeyID, false, aki{ID: issuer.Cert.SubjectKeyId})
	}
	tmpl.ExtraExtensions = ext
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), signer)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &Cert{Cert: c, Key: key, DER: der}
}

// CA returns a good CA: CA:TRUE critical, keyCertSign|cRLSign critical.
func CA(t testing.TB, cn string) *Cert {
	return New(t, Spec{Subject: pkix.Name{CommonName: cn}, IsCA: Bool(true), BCCrit: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign, KUCrit: true}, nil)
}

// Server returns a good libvirt server certificate for names (DNS names
// or IP addresses), accepted by libvirt 9.0 and newer.
func Server(t testing.TB, ca *Cert, cn string, names ...string) *Cert {
	spec := Spec{Subject: pkix.Name{Organization: []string{"Test"}, CommonName: cn}, IsCA: Bool(false), BCCrit: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment, KUCrit: true,
		EKU: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			spec.IPs = append(spec.IPs, ip)
		} else {
			spec.DNS = append(spec.DNS, n)
		}
	}
	return New(t, spec, ca)
}

// Client returns a good libvirt client certificate with subject subj.
func Client(t testing.TB, ca *Cert, subj pkix.Name) *Cert {
	return New(t, Spec{Subject: subj, IsCA: Bool(false), BCCrit: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment, KUCrit: true,
		EKU: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, ca)
}

// CertPEM returns the certificate in PEM.
func (c *Cert) CertPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.DER})
}

// KeyPEM returns the private key in PKCS#8 PEM.
func (c *Cert) KeyPEM(t testing.TB) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(c.Key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// WriteFile writes data to dir/name with mode and returns the path.
func WriteFile(t testing.TB, dir, name string, data []byte, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
	return p
}

// WritePair writes c's certificate and key as dir/certName and
// dir/keyName (0644 and 0600).
func (c *Cert) WritePair(t testing.TB, dir, certName, keyName string) (certPath, keyPath string) {
	return WriteFile(t, dir, certName, c.CertPEM(), 0o644), WriteFile(t, dir, keyName, c.KeyPEM(t), 0o600)
}

// CopyFile copies from to a new file to with mode (for tests that place
// binaries or fixtures where another user can run or read them).
func CopyFile(t testing.TB, from, to string, mode os.FileMode) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	WriteFile(t, filepath.Dir(to), filepath.Base(to), data, mode)
}

// CRL returns the DER of a current CRL (issued an hour ago, next update
// in a day) signed by ca that revokes serials.
func CRL(t testing.TB, ca *Cert, serials ...*big.Int) []byte {
	t.Helper()
	now := time.Now()
	tmpl := &x509.RevocationList{Number: big.NewInt(1), ThisUpdate: now.Add(-time.Hour), NextUpdate: now.Add(24 * time.Hour)}
	for _, s := range serials {
		tmpl.RevokedCertificateEntries = append(tmpl.RevokedCertificateEntries,
			x509.RevocationListEntry{SerialNumber: s, RevocationTime: now.Add(-time.Hour)})
	}
	der, err := x509.CreateRevocationList(rand.Reader, tmpl, ca.Cert, ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}
