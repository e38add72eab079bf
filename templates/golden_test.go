package templates

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/virt-pki/virt-pki/libvirtcert"
)

var update = flag.Bool("update", false, "rewrite the golden files in ../golden/testdata/templates")

// goldenDir holds the golden files of this package (owned by templates).
const goldenDir = "../golden/testdata/templates"

func loadTestKey(t *testing.T, name string) crypto.Signer {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return k.(crypto.Signer)
}

// constReader is a deterministic randomness source for the default serial.
type constReader byte

func (c constReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(c)
	}
	return len(p), nil
}

// dumpCertificate renders everything of c that Certificate decides.
func dumpCertificate(c *x509.Certificate) string {
	var b strings.Builder
	legacy, err := libvirtcert.FormatDN(c.RawSubject)
	if err != nil {
		legacy = "(" + err.Error() + ")"
	}
	fmt.Fprintf(&b, "subject: %s\n", legacy)
	fmt.Fprintf(&b, "subject DER: %s\n", hex.EncodeToString(c.RawSubject))
	fmt.Fprintf(&b, "issuer DER: %s\n", hex.EncodeToString(c.RawIssuer))
	fmt.Fprintf(&b, "version: %d\nserial: %x\n", c.Version, c.SerialNumber)
	fmt.Fprintf(&b, "validity: %s .. %s\n", c.NotBefore.UTC().Format(time.RFC3339), c.NotAfter.UTC().Format(time.RFC3339))
	fmt.Fprintf(&b, "signature: %v\nextensions:\n", c.SignatureAlgorithm)
	for _, e := range c.Extensions {
		crit := "non-critical"
		if e.Critical {
			crit = "critical"
		}
		fmt.Fprintf(&b, "  %s %s %s\n", e.Id, crit, hex.EncodeToString(e.Value))
	}
	return b.String()
}

// TestGoldenGuideCertificates pins the libvirt guide's three certificates
// for fixed keys, time and serial randomness (the differential test shows
// that they are certtool's).
func TestGoldenGuideCertificates(t *testing.T) {
	now := time.Date(2026, 11, 27, 16, 0, 0, 0, time.UTC)
	caKey := loadTestKey(t, "rsa2048.pem")
	leafKey := loadTestKey(t, "p256.pem")
	var out strings.Builder
	build := func(name, text string, key crypto.Signer, issuer *x509.Certificate) *x509.Certificate {
		tm, err := Parse(name, []byte(text))
		if err != nil {
			t.Fatal(err)
		}
		opts := BuildOptions{SubjectKey: key.Public(), Issuer: issuer, SignerKey: caKey.Public(), Now: now, Rand: constReader(0xa5)}
		c, err := tm.Certificate(opts)
		if err != nil {
			t.Fatal(err)
		}
		parent := c
		if issuer != nil {
			parent = issuer
		}
		der, err := x509.CreateCertificate(rand.Reader, c, parent, key.Public(), caKey)
		if err != nil {
			t.Fatal(err)
		}
		parsed, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&out, "== %s (%T subject key)\n", name, key.Public())
		for _, w := range tm.Warnings {
			fmt.Fprintf(&out, "%s\n", w)
		}
		out.WriteString(dumpCertificate(parsed))
		out.WriteString("\n")
		return parsed
	}
	ca := build("ca.info", guideCA, caKey, nil)
	build("server.info", guideServer, leafKey, ca)
	build("client.info", guideClient, leafKey, ca)
	build("client.info", guideClient, caKey, ca)
	checkGolden(t, "guide-certificates.txt", out.String())
}

// TestGoldenMessages pins the exact error and warning texts users see.
func TestGoldenMessages(t *testing.T) {
	inputs := []string{
		"; comment\ncn = x\n",
		"cn = x\n2.5.4.3 = y\n",
		"CN = x\n",
		"Organization = x\n",
		"dns_nmae = x\n",
		"ca = no\n",
		"cn = a\ncn = b\n",
		"expiration_days = 10days\n",
		"serial = 0x80\n",
		"cn = \"open\n",
		"cn = \"x\" trailing\n",
		"ip_address = 10.0.0.0/8\n",
		"activation_date = next monday\n",
		"policy2 = 1.2.3\n",
		"organization = a\no = b\n",
		"dn_oid = 1.2.3.4 x\n",
		"cn = spaced  \r\nemail = a@b\r\ntls_www_server\r\npath_len = 1\r\nip_address = ::ffff:10.0.0.1\r\n",
		"cn2 = x\n",
		"cn = x # not a comment\norganization = \"a\\,b\"\nunit = back\\\nslash\n",
		"dns_name = only.example\n",
	}
	var out strings.Builder
	for _, in := range inputs {
		fmt.Fprintf(&out, "== %q\n", in)
		tm, err := Parse("t.info", []byte(in))
		if err != nil {
			fmt.Fprintf(&out, "error: %v\n\n", err)
			continue
		}
		for _, w := range tm.Warnings {
			fmt.Fprintf(&out, "%s\n", w)
		}
		out.WriteString("\n")
	}
	checkGolden(t, "messages.txt", out.String())
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join(goldenDir, name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./templates -run Golden -update)", err)
	}
	if !bytes.Equal(want, []byte(got)) {
		t.Errorf("%s differs from the golden file (rerun with -update after an intended change):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}
