package templates

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// The differential tests run the real GnuTLS certtool on a template and
// compare its certificate with Certificate + x509.CreateCertificate for the
// same keys and CA.

// Templates from the libvirt TLS guide (docs/kbase/tlscerts.rst).
const (
	guideCA = `cn = Libvirt Project
ca
cert_signing_key
`
	guideServer = `organization = Libvirt Project
cn = compute1.libvirt.org
dns_name = compute1
dns_name = compute1.libvirt.org
ip_address = 10.0.0.74
ip_address = 192.168.1.24
ip_address = 2001:cafe::74
ip_address = fe20::24
tls_www_server
signing_key
`
	guideClient = `country = GB
state = London
locality = London
organization = Libvirt Project
cn = client1
tls_www_client
signing_key
`
)

// differentialTemplates exercise every field group.
var differentialTemplates = []struct {
	name string
	text string
	ca   bool // also compare as a self-signed certificate
}{
	{"guide-ca", guideCA, true},
	{"guide-server", guideServer, false},
	{"guide-client", guideClient, false},
	{"client-encryption", guideClient + "encryption_key\n", false},
	{"subject-all", `cn = Client One
uid = cuid
dc = example
dc = com
pkcs9_email = a@example.com
unit = Unit1
unit = Unit2
organization = Org1
organization = "Smith, John"
locality = Town
state = Région
country = GB
dn_oid = 2.5.4.12 Dr
dn_oid = 2.5.4.65 jackal
dn_oid = 2.5.4.5 SN-1234
expiration_days = 30
`, false},
	{"subject-dn", `dn = "CN=Alice,O=Org,OU=Some Unit,C=DE,UID=alice,DC=example,title=Dr"
country = GB
cn = Bob
organization = under_score@x
signing_key
`, false},
	{"subject-printable", `cn = "it's under_score"
organization = "A+B <C> ; D"
unit = #hash start
locality = "Ünïcödé Straße 日本"
`, false},
	{"san-all", `cn = san.example
dns_name = a.example
dns_name = *.wild.example
uri = https://a.example/x
uri = spiffe://example/workload
ip_address = 10.1.2.3
ip_address = fd00::1
other_name = 1.3.6.1.4.1.311.20.2.3 0c0c75736572406578616d706c65
other_name_octet = 1.2.3.4.5 octet-text
other_name_utf8 = 1.3.6.1.4.1.311.20.2.3 upn@example.com
xmpp_name = juliet@im.example.com
krb5_principal = user@EXAMPLE.COM
krb5_principal = host/h.example.com@EXAMPLE.COM
krb5_principal = krbtgt/EXAMPLE.COM@EXAMPLE.COM
email = a@example.com
email = b@example.com
tls_www_client
signing_key
encryption_key
`, false},
	{"email-only-after-policies", `cn = mail
email = only@example.com
policy1 = 1.3.6.1.4.1.5484.1.10.99.1.0
policy1_txt = "This is a long policy to summarize"
policy1_url = https://www.example.com/a-policy-to-read
policy2 = 1.3.6.1.4.1.5484.1.10.99.1.1
policy2_url = https://www.example.com/another
inhibit_anypolicy_skip_certs = 1
email_protection_key
`, false},
	{"server-drops-email", `cn = srv
email = dropped@example.com
dns_name = srv.example
tls_www_server
encryption_key
`, false},
	{"ku-eku-all", `cn = purposes
key_purpose_oid = 1.3.6.1.5.5.7.3.1
key_purpose_oid = 1.2.3.4.5.6
tls_www_client
tls_www_server
code_signing_key
ocsp_signing_key
time_stamping_key
email_protection_key
ipsec_ike_key
signing_key
encryption_key
key_agreement
data_encipherment
non_repudiation
`, false},
	{"ike-no-signing", `cn = ike
ipsec_ike_key
encryption_key
`, false},
	{"no-ku", `cn = bare
`, false},
	{"ca-constraints", `cn = Sub CA
ca
path_len = 2
cert_signing_key
crl_signing_key
nc_permit_dns = example.com
nc_permit_dns = example.org
nc_exclude_dns = bad.example.com
nc_permit_ip = 192.168.0.0/16
nc_permit_ip = fc0a:eef2:e7e7:a56e::/64
nc_exclude_ip = 10.0.0.0/8
nc_permit_email = example.com
nc_exclude_email = bad@example.com
crl_dist_points = http://crl.example.com/a.crl
crl_dist_points = http://crl2.example.com/b.crl
ocsp_uri = http://ocsp.example.com
ocsp_uri = http://ocsp2.example.com
ca_issuers_uri = http://ca.example.com/ca.crt
expiration_days = -1
`, true},
	{"ca-server", `cn = CA and server
ca
tls_www_server
cert_signing_key
signing_key
`, true},
	{"ca-signing", `cn = CA signing
ca
signing_key
path_len = 0
`, true},
	{"extensions", `cn = ext
tls_feature = 5
tls_feature = 17
add_extension = 1.2.3.4 0x0c0474657374
add_extension = 1.2.3.5 octet_string(abcd)
add_critical_extension = 1.2.3.6 0500
key_purpose_oid = 1.3.6.1.5.5.7.3.2
signing_key
`, false},
	{"add-extension-san-merge", `cn = merge
add_extension = 2.5.29.17 300b82096d657267652e636f6d
add_extension = 2.5.29.31 3000
dns_name = second.example
crl_dist_points = http://crl.example/a.crl
ca
nc_permit_ip = 10.1.2.3/8
`, true},
	{"add-extension-replaced-and-merged", `dn = "CN=raw,1.2.3.4=#0c0161,2.5.4.12=Dr,description=desc,serialNumber=123,street=Main St"
add_extension = 2.5.29.37 300a06082b06010505070304
add_extension = 2.5.29.19 3003020101
tls_www_client
krb5_principal = a@b@EXAMPLE.COM
krb5_principal = a//b/@R
`, false},
	{"dates", `cn = dated
activation_date = "2031-01-02 03:04:05 +0000"
expiration_date = "2052-06-07 08:09:10 +0000"
serial = 0x00a1b2c3
`, false},
	{"syntax", "# comment\n   # indented comment\n\ncn: \"with \\\"escaped\\\" quotes\"\norganization='single quoted'\nunit = \"multi\\\nline\"\nlocality=nospace\n\tstate\t=\ttabbed\ndc = \"  padded  \"  # comment\nexpiration_days = 2\nca\n", true},
	{"local-dates-no-expiry", `cn = local
activation_date = "2031-01-02 03:04:05"
expiration_days = -1
serial = 0x7fffffffffffffffffffffffffffffffffffffff
`, true},
	{"local-date-only", `cn = local
activation_date = 2030-06-01
expiration_date = 2049-12-31 23:59:59
`, false},
	{"serial-decimal", `cn = serial
serial = 123456789
expiration_days = 10
`, false},
}

type testKey struct {
	name string
	priv crypto.Signer
	file string
}

var (
	keysOnce sync.Once
	keysDir  string
	keyRSA   *testKey
	keyEC    *testKey
	keyRSA4k *testKey
	keyEC384 *testKey
	keyEd    *testKey
	keysErr  error
)

func writeKey(dir, name string, k crypto.Signer) (*testKey, error) {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return nil, err
	}
	f := filepath.Join(dir, name+".pem")
	if err := os.WriteFile(f, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		return nil, err
	}
	return &testKey{name: name, priv: k, file: f}, nil
}

// testKeys returns keys shared by the differential tests.
func testKeys(t *testing.T) {
	t.Helper()
	keysOnce.Do(func() {
		keysDir, keysErr = os.MkdirTemp("", "templates-keys-")
		if keysErr != nil {
			return
		}
		r2048, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			keysErr = err
			return
		}
		r4096, err := rsa.GenerateKey(rand.Reader, 4096)
		if err != nil {
			keysErr = err
			return
		}
		ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		ec384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
		_, ed, _ := ed25519.GenerateKey(rand.Reader)
		for _, k := range []struct {
			dst  **testKey
			name string
			key  crypto.Signer
		}{{&keyRSA, "rsa2048", r2048}, {&keyRSA4k, "rsa4096", r4096}, {&keyEC, "p256", ec}, {&keyEC384, "p384", ec384}, {&keyEd, "ed25519", ed}} {
			if *k.dst, keysErr = writeKey(keysDir, k.name, k.key); keysErr != nil {
				return
			}
		}
	})
	if keysErr != nil {
		t.Fatal(keysErr)
	}
}

func requireCerttool(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("certtool"); err != nil {
		t.Skip("certtool (GnuTLS gnutls-bin) is not installed; differential tests skipped")
	}
}

// runCerttool runs certtool with args and returns the certificate written
// to the outfile.
func runCerttool(t *testing.T, dir string, args ...string) *x509.Certificate {
	t.Helper()
	out := filepath.Join(dir, fmt.Sprintf("out-%d.pem", time.Now().UnixNano()))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "certtool", append(args, "--outfile", out)...)
	cmd.Env = os.Environ() // the same time zone as this process, for local dates
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.Stdin = strings.NewReader("")
	if err := cmd.Run(); err != nil {
		t.Fatalf("certtool %v: %v\n%s", args, err, stderr.String())
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		t.Fatalf("certtool wrote no PEM certificate: %q", data)
	}
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatalf("parsing certtool's certificate: %v", err)
	}
	return c
}

// ours builds and signs t's certificate.
func ours(t *testing.T, tmpl *Template, subject *testKey, issuer *x509.Certificate, issuerKey *testKey) *x509.Certificate {
	t.Helper()
	opts := BuildOptions{SubjectKey: subject.priv.Public(), Issuer: issuer, Now: time.Now()}
	signer := subject.priv
	if issuer != nil {
		opts.SignerKey = issuerKey.priv.Public()
		signer = issuerKey.priv
	}
	c, err := tmpl.Certificate(opts)
	if err != nil {
		t.Fatalf("Certificate: %v", err)
	}
	parent := c
	if issuer != nil {
		parent = issuer
	}
	der, err := x509.CreateCertificate(rand.Reader, c, parent, subject.priv.Public(), signer)
	if err != nil {
		t.Fatalf("CreateCertificate: %v", err)
	}
	got, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("parsing our certificate: %v", err)
	}
	return got
}

// compareCerts reports every difference certtool's exactness bar forbids.
func compareCerts(t *testing.T, want, got *x509.Certificate, tmpl *Template) {
	sameSerial := tmpl.Serial != nil
	exact := !tmpl.ActivationDate.IsZero() && (!tmpl.ExpirationDate.IsZero() || tmpl.ExpirationDays == -1)
	if !tmpl.ActivationDate.IsZero() && !want.NotBefore.Equal(got.NotBefore) {
		t.Errorf("notBefore: certtool %v, ours %v", want.NotBefore, got.NotBefore)
	}
	t.Helper()
	if !bytes.Equal(want.RawSubject, got.RawSubject) {
		t.Errorf("subject differs:\ncerttool %x\nours     %x", want.RawSubject, got.RawSubject)
	}
	if !bytes.Equal(want.RawIssuer, got.RawIssuer) {
		t.Errorf("issuer differs:\ncerttool %x\nours     %x", want.RawIssuer, got.RawIssuer)
	}
	if want.Version != got.Version {
		t.Errorf("version: certtool %d, ours %d", want.Version, got.Version)
	}
	if want.SignatureAlgorithm != got.SignatureAlgorithm {
		t.Errorf("signature algorithm: certtool %v, ours %v", want.SignatureAlgorithm, got.SignatureAlgorithm)
	}
	if sameSerial && want.SerialNumber.Cmp(got.SerialNumber) != 0 {
		t.Errorf("serial: certtool %x, ours %x", want.SerialNumber, got.SerialNumber)
	}
	if exact {
		if !want.NotBefore.Equal(got.NotBefore) || !want.NotAfter.Equal(got.NotAfter) {
			t.Errorf("validity: certtool %v..%v, ours %v..%v", want.NotBefore, want.NotAfter, got.NotBefore, got.NotAfter)
		}
	}
	wd, gd := want.NotAfter.Sub(want.NotBefore), got.NotAfter.Sub(got.NotBefore)
	if diff := wd - gd; diff > 5*time.Second || diff < -5*time.Second {
		t.Errorf("validity length: certtool %v, ours %v", wd, gd)
	}
	if w, g := extDump(want), extDump(got); w != g {
		t.Errorf("extensions differ:\ncerttool:\n%s\nours:\n%s", w, g)
	}
}

// extDump lists the extensions in DER order, one per line.
func extDump(c *x509.Certificate) string {
	var b strings.Builder
	for _, e := range c.Extensions {
		fmt.Fprintf(&b, "%s critical=%v %s\n", e.Id, e.Critical, hex.EncodeToString(e.Value))
	}
	return b.String()
}

func writeTemplate(t *testing.T, dir, name, text string) string {
	t.Helper()
	f := filepath.Join(dir, name+".info")
	if err := os.WriteFile(f, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

func writeCert(t *testing.T, dir, name string, c *x509.Certificate) string {
	t.Helper()
	f := filepath.Join(dir, name+".pem")
	if err := os.WriteFile(f, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestCerttoolDifferential(t *testing.T) {
	requireCerttool(t)
	testKeys(t)
	dir := t.TempDir()
	subjects := []*testKey{keyRSA, keyEC, keyEd}
	cas := []*testKey{keyRSA, keyEC, keyRSA4k, keyEC384, keyEd}

	// The CA certificates, made by certtool from the guide's ca.info.
	caTemplate := writeTemplate(t, dir, "ca", guideCA)
	caCerts := map[*testKey]*x509.Certificate{}
	caFiles := map[*testKey]string{}
	for _, k := range cas {
		c := runCerttool(t, dir, "--generate-self-signed", "--load-privkey", k.file, "--template", caTemplate)
		caCerts[k] = c
		caFiles[k] = writeCert(t, dir, "ca-"+k.name, c)
	}

	matched := 0
	total := 0
	for _, tc := range differentialTemplates {
		tmpl, err := Parse(tc.name+".info", []byte(tc.text))
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		file := writeTemplate(t, dir, tc.name, tc.text)
		for _, subj := range subjects {
			if tc.ca {
				total++
				name := fmt.Sprintf("%s/self-signed/%s", tc.name, subj.name)
				if t.Run(name, func(t *testing.T) {
					want := runCerttool(t, dir, "--generate-self-signed", "--load-privkey", subj.file, "--template", file)
					got := ours(t, tmpl, subj, nil, nil)
					compareCerts(t, want, got, tmpl)
				}) {
					matched++
				}
			}
			for _, ca := range cas {
				if (ca == keyRSA4k || ca == keyEC384 || ca == keyEd) && !strings.HasPrefix(tc.name, "guide-") {
					continue // the larger CA keys only change the signature algorithm
				}
				total++
				name := fmt.Sprintf("%s/%s-by-%s", tc.name, subj.name, ca.name)
				if t.Run(name, func(t *testing.T) {
					want := runCerttool(t, dir, "--generate-certificate", "--load-privkey", subj.file,
						"--load-ca-certificate", caFiles[ca], "--load-ca-privkey", ca.file, "--template", file)
					got := ours(t, tmpl, subj, caCerts[ca], ca)
					compareCerts(t, want, got, tmpl)
				}) {
					matched++
				}
			}
		}
	}
	t.Logf("%d of %d certificates (%d templates x subject keys x CA keys) matched certtool exactly", matched, total, len(differentialTemplates))
}
