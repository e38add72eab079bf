package issue

import (
	"crypto"
	"crypto/rand"
	"crypto/sha256"
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
	var opts crypto.SignerOpts = crypto.SHA256
	if caKey.Algorithm == keys.Ed25519 {
		opts = crypto.Hash(0)
	}
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
)

// Issuance with an ECDSA P-256 CA and the default RSA 3072 leaf key.
func BenchmarkIssueECDSACA_RSALeaf(b *testing.B) { benchIssue(b, ecP256, rsa3072) }
func BenchmarkRawECDSACA_RSALeaf(b *testing.B)   { benchRaw(b, ecP256, rsa3072) }

// Issuance with an RSA 3072 CA and the default RSA 3072 leaf key.
func BenchmarkIssueRSACA_RSALeaf(b *testing.B) { benchIssue(b, rsa3072, rsa3072) }
func BenchmarkRawRSACA_RSALeaf(b *testing.B)   { benchRaw(b, rsa3072, rsa3072) }

// Issuance with ECDSA leaf keys, where key generation no longer dominates.
func BenchmarkIssueECDSACA_ECDSALeaf(b *testing.B) { benchIssue(b, ecP256, ecP256) }
func BenchmarkRawECDSACA_ECDSALeaf(b *testing.B)   { benchRaw(b, ecP256, ecP256) }
func BenchmarkIssueRSACA_ECDSALeaf(b *testing.B)   { benchIssue(b, rsa3072, ecP256) }
func BenchmarkRawRSACA_ECDSALeaf(b *testing.B)     { benchRaw(b, rsa3072, ecP256) }

// Signing only: an existing subject key, as with --load-privkey.
func BenchmarkSignOnlyECDSACA(b *testing.B) { benchSign(b, ecP256) }
func BenchmarkSignOnlyRSACA(b *testing.B)   { benchSign(b, rsa3072) }

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
