package issue

import (
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"strings"
	"testing"
	"time"

	"github.com/virt-pki/virt-pki/ca"
	"github.com/virt-pki/virt-pki/keys"
	"github.com/virt-pki/virt-pki/libvirtcert"
	"github.com/virt-pki/virt-pki/templates"
)

// Run with: go test ./issue -bench . -run '^$'
//
// BenchmarkIssue* measure one complete client certificate issuance (key
// generation, template preparation, certtool-equivalent certificate
// building, signing, verification of the signature, DN rendering); the
// BenchmarkRaw* ones measure the bare crypto the same issuance needs (the
// subject key generation plus one CA signature), so the difference is
// virt-pki's own cost.

func benchCA(b *testing.B, p keys.Params) *ca.CA {
	b.Helper()
	created, err := ca.Create(ca.DefaultTemplate("Bench CA", 0), nil, p, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	return &ca.CA{Cert: created.Cert, Key: created.Key, CertPath: "cacert.pem", KeyPath: "cakey.pem"}
}

func benchIssue(b *testing.B, caKey, leafKey keys.Params) {
	authority := benchCA(b, caKey)
	b.ResetTimer()
	for b.Loop() {
		t, err := TemplateFromFlags(libvirtcert.RoleClient, Flags{DN: "C=GB,ST=London,L=London,O=Libvirt Project,CN=client1"})
		if err != nil {
			b.Fatal(err)
		}
		res, err := Issue(Request{Role: libvirtcert.RoleClient, Template: t, KeyParams: leafKey, CA: authority})
		if err != nil {
			b.Fatal(err)
		}
		if res.DN == "" {
			b.Fatal("no DN")
		}
	}
}

func benchRaw(b *testing.B, caKey, leafKey keys.Params) {
	authority := benchCA(b, caKey)
	digest := sha256.Sum256(make([]byte, 1200)) // a TBSCertificate's size
	opts := crypto.SHA256
	b.ResetTimer()
	for b.Loop() {
		if _, err := keys.Generate(leafKey); err != nil {
			b.Fatal(err)
		}
		if _, err := authority.Key.Sign(rand.Reader, digest[:], opts); err != nil {
			b.Fatal(err)
		}
	}
}

var (
	ecP256  = keys.Params{Algorithm: keys.ECDSA, Curve: "P-256"}
	rsa3072 = keys.Params{Algorithm: keys.RSA, Bits: 3072}
	combos  = []struct {
		name     string
		ca, leaf keys.Params
	}{
		{"ecdsa-ca/rsa3072-leaf", ecP256, rsa3072},
		{"rsa3072-ca/rsa3072-leaf", rsa3072, rsa3072},
		{"ecdsa-ca/ecdsa-leaf", ecP256, ecP256},
		{"rsa3072-ca/ecdsa-leaf", rsa3072, ecP256},
	}
)

// BenchmarkIssue is one complete issuance, key generation included.
func BenchmarkIssue(b *testing.B) {
	for _, c := range combos {
		b.Run(c.name, func(b *testing.B) { benchIssue(b, c.ca, c.leaf) })
	}
}

// BenchmarkRawIssue is the bare crypto of one issuance: the subject key
// generation plus one CA signature.
func BenchmarkRawIssue(b *testing.B) {
	for _, c := range combos {
		b.Run(c.name, func(b *testing.B) { benchRaw(b, c.ca, c.leaf) })
	}
}

// BenchmarkSign issues for an existing subject key (as with
// --load-privkey): certtool-equivalent building, signing, verification.
func BenchmarkSign(b *testing.B) {
	for _, c := range combos[:2] {
		b.Run(c.name[:strings.IndexByte(c.name, '/')], func(b *testing.B) { benchSign(b, c.ca) })
	}
}

// BenchmarkRawSign is one bare CA signature.
func BenchmarkRawSign(b *testing.B) {
	for _, c := range combos[:2] {
		b.Run(c.name[:strings.IndexByte(c.name, '/')], func(b *testing.B) {
			authority := benchCA(b, c.ca)
			digest := sha256.Sum256(make([]byte, 1200))
			b.ResetTimer()
			for b.Loop() {
				if _, err := authority.Key.Sign(rand.Reader, digest[:], crypto.SHA256); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func benchSign(b *testing.B, caKey keys.Params) {
	authority := benchCA(b, caKey)
	leaf, err := keys.Generate(rsa3072)
	if err != nil {
		b.Fatal(err)
	}
	t := &templates.Template{Name: "client.info", CN: "client1", TLSWWWClient: true, SigningKey: true, EncryptionKey: true}
	b.ResetTimer()
	for b.Loop() {
		if _, err := authority.Sign(t, leaf.Public(), time.Now()); err != nil {
			b.Fatal(err)
		}
	}
}
