package templates

import (
	"bytes"
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/virt-pki/virt-pki/libvirtcert"
	"github.com/virt-pki/virt-pki/x509oid"
)

var (
	unitRSA, _ = rsa.GenerateKey(rand.Reader, 1024)
	unitEC, _  = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
)

func mustParse(t *testing.T, text string) *Template {
	t.Helper()
	tm, err := Parse("t.info", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

func extValue(c *x509.Certificate, oid asn1.ObjectIdentifier) ([]byte, bool, bool) {
	for _, e := range c.ExtraExtensions {
		if e.Id.Equal(oid) {
			return e.Value, e.Critical, true
		}
	}
	return nil, false, false
}

func TestKeyUsageRules(t *testing.T) {
	x25519, _ := ecdh.X25519().GenerateKey(rand.Reader)
	ed, _, _ := ed25519.GenerateKey(rand.Reader)
	tests := []struct {
		name string
		text string
		key  crypto.PublicKey
		want string // hex of the KU BIT STRING, "" for no extension
	}{
		{"rsa no keywords", "cn = x\n", &unitRSA.PublicKey, ""},
		{"rsa signing", "signing_key\n", &unitRSA.PublicKey, "03020780"},
		{"rsa signing+encryption", "signing_key\nencryption_key\n", &unitRSA.PublicKey, "030205a0"},
		{"rsa encryption", "encryption_key\n", &unitRSA.PublicKey, "03020520"},
		{"ecdsa no keywords", "cn = x\n", &unitEC.PublicKey, "03020780"},
		{"ecdsa encryption ignored", "encryption_key\n", &unitEC.PublicKey, "03020780"},
		{"ed25519", "cn = x\n", ed, "03020780"},
		{"x25519", "cn = x\n", x25519.PublicKey(), "03020308"},
		{"ecdsa ca has none", "ca\n", &unitEC.PublicKey, ""},
		{"ca signing", "ca\nsigning_key\ncert_signing_key\n", &unitEC.PublicKey, "03020284"},
		{"ca server", "ca\ntls_www_server\ncert_signing_key\n", &unitRSA.PublicKey, "03020204"},
		{"ca server ecdsa", "ca\ntls_www_server\ncert_signing_key\n", &unitEC.PublicKey, "03020284"},
		{"cert signing ignored on leaf", "cert_signing_key\ncrl_signing_key\nsigning_key\n", &unitRSA.PublicKey, "03020780"},
		{"extras", "key_agreement\ndata_encipherment\nnon_repudiation\n", &unitRSA.PublicKey, "03020358"},
		{"ike forces non-repudiation", "ipsec_ike_key\nencryption_key\n", &unitRSA.PublicKey, "03020560"},
		{"ike with signing", "ipsec_ike_key\nsigning_key\n", &unitRSA.PublicKey, "03020780"},
		{"ike alone on rsa", "ipsec_ike_key\n", &unitRSA.PublicKey, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := mustParse(t, tc.text).Certificate(BuildOptions{SubjectKey: tc.key, SignerKey: &unitEC.PublicKey})
			if err != nil {
				t.Fatal(err)
			}
			v, crit, ok := extValue(c, x509oid.KeyUsage)
			if tc.want == "" {
				if ok {
					t.Errorf("KU %x present, want none", v)
				}
				return
			}
			if !ok || !crit || hex.EncodeToString(v) != tc.want {
				t.Errorf("KU = %x (critical %v, present %v), want critical %s", v, crit, ok, tc.want)
			}
		})
	}
}

func TestExtensionOrderAndDefaults(t *testing.T) {
	ca := mustParse(t, guideCA)
	now := time.Date(2026, 11, 27, 16, 0, 0, 0, time.UTC)
	caCert, err := ca.Certificate(BuildOptions{SubjectKey: &unitRSA.PublicKey, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificate(rand.Reader, caCert, caCert, &unitRSA.PublicKey, unitRSA)
	if err != nil {
		t.Fatal(err)
	}
	caParsed, _ := x509.ParseCertificate(der)
	if got := oidList(caParsed); got != "2.5.29.19 2.5.29.15 2.5.29.14" {
		t.Errorf("CA extensions %s, want BC KU SKI (no AKI on self-signed)", got)
	}
	spki, _ := x509.MarshalPKIXPublicKey(&unitRSA.PublicKey)
	sum := sha1.Sum(spki)
	if !bytes.Equal(caParsed.SubjectKeyId, sum[:]) {
		t.Errorf("SKI %x, want SHA-1 of the whole SPKI %x", caParsed.SubjectKeyId, sum)
	}
	if !caParsed.NotBefore.Equal(now) || !caParsed.NotAfter.Equal(now.Add(365*24*time.Hour)) {
		t.Errorf("validity %v..%v, want now..now+365d", caParsed.NotBefore, caParsed.NotAfter)
	}
	if caParsed.SerialNumber.BitLen() > 159 || caParsed.SerialNumber.Sign() <= 0 {
		t.Errorf("default serial %x is not 20 bytes with the top bit clear", caParsed.SerialNumber)
	}
	if caParsed.SignatureAlgorithm != x509.SHA256WithRSA {
		t.Errorf("signature %v", caParsed.SignatureAlgorithm)
	}

	srv := mustParse(t, guideServer)
	leaf, err := srv.Certificate(BuildOptions{SubjectKey: &unitEC.PublicKey, Issuer: caParsed, SignerKey: &unitRSA.PublicKey, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leaf, caParsed, &unitEC.PublicKey, unitRSA)
	if err != nil {
		t.Fatal(err)
	}
	leafParsed, _ := x509.ParseCertificate(leafDER)
	if got := oidList(leafParsed); got != "2.5.29.19 2.5.29.17 2.5.29.37 2.5.29.15 2.5.29.14 2.5.29.35" {
		t.Errorf("server extensions %s, want BC SAN EKU KU SKI AKI", got)
	}
	if !bytes.Equal(leafParsed.AuthorityKeyId, caParsed.SubjectKeyId) {
		t.Errorf("AKI %x, want the CA's SKI %x", leafParsed.AuthorityKeyId, caParsed.SubjectKeyId)
	}
	if dn, err := libvirtcert.FormatDN(leafParsed.RawSubject); err != nil || dn != "O=Libvirt Project,CN=compute1.libvirt.org" {
		t.Errorf("server subject %q, %v", dn, err)
	}
	if len(leafParsed.IPAddresses) != 4 || leafParsed.IPAddresses[2].String() != "2001:cafe::74" {
		t.Errorf("IP SANs %v", leafParsed.IPAddresses)
	}

	// A CA without SKI gives no AKI.
	noSKI := *caParsed
	noSKI.SubjectKeyId = nil
	c, err := srv.Certificate(BuildOptions{SubjectKey: &unitEC.PublicKey, Issuer: &noSKI, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, ok := extValue(c, x509oid.AuthorityKeyID); ok {
		t.Error("AKI written although the CA has no SKI")
	}
}

func oidList(c *x509.Certificate) string {
	var s []string
	for _, e := range c.Extensions {
		s = append(s, e.Id.String())
	}
	return strings.Join(s, " ")
}

func TestValidity(t *testing.T) {
	now := time.Date(2026, 11, 27, 16, 0, 0, 500, time.UTC)
	tests := []struct {
		text          string
		before, after string
	}{
		{"cn = x\n", "2026-11-27T16:00:00Z", "2027-11-27T16:00:00Z"},
		{"expiration_days = 30\n", "2026-11-27T16:00:00Z", "2026-12-27T16:00:00Z"},
		{"expiration_days = -1\n", "2026-11-27T16:00:00Z", "9999-12-31T23:59:59Z"},
		{"activation_date = 2020-05-05T00:00:00Z\nexpiration_days = 30\n", "2020-05-05T00:00:00Z", "2026-12-27T16:00:00Z"},
		{"expiration_date = 2051-01-01T00:00:00Z\n", "2026-11-27T16:00:00Z", "2051-01-01T00:00:00Z"},
		{"activation_date = now\nexpiration_date = now\n", "2026-11-27T16:00:00Z", "2026-11-27T16:00:00Z"},
	}
	for _, tc := range tests {
		c, err := mustParse(t, tc.text).Certificate(BuildOptions{SubjectKey: &unitEC.PublicKey, Now: now})
		if err != nil {
			t.Errorf("%q: %v", tc.text, err)
			continue
		}
		if b, a := c.NotBefore.Format(time.RFC3339), c.NotAfter.Format(time.RFC3339); b != tc.before || a != tc.after {
			t.Errorf("%q: validity %s..%s, want %s..%s", tc.text, b, a, tc.before, tc.after)
		}
	}
	if _, err := mustParse(t, "expiration_date = 2020-01-01T00:00:00Z\n").Certificate(BuildOptions{SubjectKey: &unitEC.PublicKey, Now: now}); err == nil {
		t.Error("a certificate expiring before it starts was built")
	}
}

func TestSignatureAlgorithm(t *testing.T) {
	r3072 := &rsa.PublicKey{N: new(big.Int).Lsh(big.NewInt(1), 3071), E: 65537}
	r4096 := &rsa.PublicKey{N: new(big.Int).Lsh(big.NewInt(1), 4095), E: 65537}
	r16k := &rsa.PublicKey{N: new(big.Int).Lsh(big.NewInt(1), 15359), E: 65537}
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	p521, _ := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	p224, _ := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	ed, _, _ := ed25519.GenerateKey(rand.Reader)
	for _, tc := range []struct {
		key  crypto.PublicKey
		want x509.SignatureAlgorithm
	}{
		{r3072, x509.SHA256WithRSA}, {r4096, x509.SHA384WithRSA}, {r16k, x509.SHA512WithRSA},
		{&unitEC.PublicKey, x509.ECDSAWithSHA256}, {&p384.PublicKey, x509.ECDSAWithSHA384},
		{&p521.PublicKey, x509.ECDSAWithSHA512}, {ed, x509.PureEd25519},
	} {
		if got, err := SignatureAlgorithm(tc.key); err != nil || got != tc.want {
			t.Errorf("SignatureAlgorithm(%T) = %v, %v; want %v", tc.key, got, err, tc.want)
		}
	}
	if _, err := SignatureAlgorithm(&p224.PublicKey); err == nil {
		t.Error("P-224 accepted")
	}
}

func TestCertificateRefusesWhatItCannotHonour(t *testing.T) {
	for text, want := range map[string]string{
		"subject_unique_id = 0a\n":                                     "t.info: subject_unique_id cannot be written",
		"issuer_unique_id = 0a\n":                                      "issuer_unique_id cannot be written",
		"honor_crq_extensions\n":                                       "honor_crq_extensions applies to issuing from a certificate request",
		"honor_crq_ext = 2.5.29.17\n":                                  "honor_crq_ext applies",
		"add_extension = 2.5.29.31 0500\ncrl_dist_points = http://x\n": "is not a DER SEQUENCE",
		"add_extension = 2.5.29.17 0500\ndns_name = x\n":               "is not a DER SEQUENCE",
		"add_critical_extension = 2.5.29.14 04020102\n":                "subject key identifier is computed",
		"uri = http://a..b/\n":                                         "would be unreadable (x509: cannot parse URI",
		"ca\nnc_permit_dns = a..b\n":                                   "would be unreadable",
		"add_extension = 2.5.29.17 30038201ff\n":                       "would be unreadable",
	} {
		_, err := mustParse(t, text).Certificate(BuildOptions{SubjectKey: &unitEC.PublicKey})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err = %v, want %q", text, err, want)
		}
	}
	for _, tm := range []*Template{
		{Name: "api", DNSNames: []string{"bücher.example"}},
		{Name: "api", Country: "Deutschland!"},
		{Name: "api", DC: []string{"exämple"}},
		{Name: "api", CN: "bad\xffutf8"},
		{Name: "api", Policies: []Policy{{OID: asn1.ObjectIdentifier{1, 2, 3}, URL: "http://ü/"}}},
	} {
		if _, err := tm.Certificate(BuildOptions{SubjectKey: &unitEC.PublicKey}); err == nil {
			t.Errorf("%+v: built a certificate with a value its string type cannot hold", tm)
		}
	}
	tm := &Template{Name: "api", CN: "x", Serial: big.NewInt(-5)}
	if _, err := tm.Certificate(BuildOptions{SubjectKey: &unitEC.PublicKey}); err == nil {
		t.Error("negative serial accepted")
	}
	tm = &Template{Name: "api", CN: "x", ExpirationDays: -2}
	if _, err := tm.Certificate(BuildOptions{SubjectKey: &unitEC.PublicKey}); err == nil {
		t.Error("expiration_days -2 accepted")
	}
	if _, err := (&Template{}).Certificate(BuildOptions{}); err == nil {
		t.Error("missing subject key accepted")
	}
}

// TestProgrammaticTemplate builds what the issue command builds from flags.
func TestProgrammaticTemplate(t *testing.T) {
	dn, err := DNFromLegacy("C=GB,O=Example,CN=host1")
	if err != nil {
		t.Fatal(err)
	}
	tm := &Template{
		DN:             dn,
		DNSNames:       []string{"host1.example"},
		IPAddresses:    []net.IP{net.ParseIP("192.0.2.1"), net.ParseIP("2001:db8::1")},
		TLSWWWServer:   true,
		TLSWWWClient:   true,
		SigningKey:     true,
		EncryptionKey:  true,
		ExpirationDays: 90,
	}
	c, err := tm.Certificate(BuildOptions{SubjectKey: &unitRSA.PublicKey})
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificate(rand.Reader, c, c, &unitRSA.PublicKey, unitRSA)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := x509.ParseCertificate(der)
	if got, _ := libvirtcert.FormatDN(p.RawSubject); got != "C=GB,O=Example,CN=host1" {
		t.Errorf("subject %q", got)
	}
	v, _, _ := extValue(c, x509oid.SubjectAltName)
	// net.ParseIP gives 16 bytes for IPv4; the SAN must carry 4.
	if !bytes.Contains(v, []byte{0x87, 4, 192, 0, 2, 1}) {
		t.Errorf("IPv4 SAN not encoded in 4 bytes: %x", v)
	}
	if len(p.ExtKeyUsage) != 2 || p.ExtKeyUsage[0] != x509.ExtKeyUsageClientAuth || p.ExtKeyUsage[1] != x509.ExtKeyUsageServerAuth {
		t.Errorf("EKU %v, want clientAuth, serverAuth", p.ExtKeyUsage)
	}
	if p.KeyUsage != x509.KeyUsageDigitalSignature|x509.KeyUsageKeyEncipherment {
		t.Errorf("KU %v", p.KeyUsage)
	}
}
