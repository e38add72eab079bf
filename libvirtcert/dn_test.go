package libvirtcert

import (
	"bytes"
	"encoding/asn1"
	"errors"
	"strings"
	"testing"

	"github.com/virt-pki/virt-pki/internal/pkitest"
	"github.com/virt-pki/virt-pki/x509oid"
)

// Test helpers that hand-encode Names (the golden differential test covers
// the same ground against the real GnuTLS tools).
func testATV(oid asn1.ObjectIdentifier, value []byte) []byte {
	o, err := asn1.Marshal(oid)
	if err != nil {
		panic(err)
	}
	return pkitest.TLV(0x30, append(o, value...))
}

func testRDN(atvs ...[]byte) []byte  { return pkitest.TLV(0x31, bytes.Join(atvs, nil)) }
func testName(rdns ...[]byte) []byte { return pkitest.TLV(0x30, bytes.Join(rdns, nil)) }

func cnName(value []byte) []byte { return testName(testRDN(testATV(x509oid.CommonName, value))) }

func TestFormatDN(t *testing.T) {
	// Expectations observed with virt-pki-query-dn (libvirt 9.0, GnuTLS
	// 3.7.9); the golden differential test re-checks them.
	cases := []struct {
		name    string
		raw     []byte
		legacy  string
		rfc4514 string
	}{
		{"order", testName(testRDN(testATV(x509oid.Organization, pkitest.TLV(0x0c, []byte("Libvirt Project")))), testRDN(testATV(x509oid.CommonName, pkitest.TLV(0x0c, []byte("compute1"))))),
			"O=Libvirt Project,CN=compute1", "CN=compute1,O=Libvirt Project"},
		{"escapes", testName(testRDN(testATV(x509oid.Organization, pkitest.TLV(0x0c, []byte("A+B <C> ; D")))), testRDN(testATV(x509oid.CommonName, pkitest.TLV(0x0c, []byte("Smith, John"))))),
			`O=A\+B \<C\> \; D,CN=Smith\, John`, `CN=Smith\, John,O=A\+B \<C\> \; D`},
		{"quotes-backslash", cnName(pkitest.TLV(0x0c, []byte(`a"b\c`))), `CN=a\"b\\c`, `CN=a\"b\\c`},
		{"leading-hash", cnName(pkitest.TLV(0x0c, []byte("#x"))), `CN=\#x`, `CN=\#x`},
		{"lead-trail-space", cnName(pkitest.TLV(0x0c, []byte("  a  "))), `CN=\  a \ `, `CN=\  a \ `},
		{"equals-raw", cnName(pkitest.TLV(0x0c, []byte("a=b"))), `CN=a=b`, `CN=a=b`},
		{"utf8-raw", cnName(pkitest.TLV(0x0c, []byte("Straße"))), `CN=Straße`, `CN=Straße`},
		{"bmp", cnName(pkitest.TLV(0x1e, []byte{0, 'A', 0, 0xdf})), `CN=Aß`, `CN=Aß`},
		{"bmp-lone-surrogate", cnName(pkitest.TLV(0x1e, []byte{0xd8, 0, 0, 'A'})), `CN=\#d8000041`, `CN=\#d8000041`},
		{"universal", cnName(pkitest.TLV(0x1c, []byte{0, 0, 0, 'A'})), `CN=\#00000041`, `CN=\#00000041`},
		{"teletex-ascii", cnName(pkitest.TLV(0x14, []byte("tt"))), `CN=tt`, `CN=tt`},
		{"teletex-latin1", cnName(pkitest.TLV(0x14, []byte("caf\xe9"))), `CN=\#636166e9`, `CN=\#636166e9`},
		{"ia5-cn-is-hex", cnName(pkitest.TLV(0x16, []byte("x"))), `CN=#160178`, `CN=#160178`},
		{"nul-is-hex", cnName(pkitest.TLV(0x0c, []byte("a\x00b"))), `CN=#0c03610062`, `CN=#0c03610062`},
		{"country-utf8-is-hex", testName(testRDN(testATV(x509oid.Country, pkitest.TLV(0x0c, []byte("GB"))))), `C=#0c024742`, `C=#0c024742`},
		{"unknown-oid", testName(testRDN(testATV(asn1.ObjectIdentifier{1, 2, 3, 4}, pkitest.TLV(0x0c, []byte("v"))))), `1.2.3.4=#0c0176`, `1.2.3.4=#0c0176`},
		{"multi-valued", testName(testRDN(testATV(x509oid.CommonName, pkitest.TLV(0x0c, []byte("a"))), testATV(x509oid.UserID, pkitest.TLV(0x0c, []byte("u")))), testRDN(testATV(x509oid.DomainComponent, pkitest.TLV(0x16, []byte("com"))))),
			`CN=a+UID=u,DC=com`, `DC=com,CN=a+UID=u`},
		{"empty-rdn-middle", testName(testRDN(testATV(x509oid.CommonName, pkitest.TLV(0x0c, []byte("a")))), testRDN(), testRDN(testATV(x509oid.Organization, pkitest.TLV(0x0c, []byte("b"))))),
			`CN=a,O=b`, `O=b,CN=a`},
		{"empty-rdn-last", testName(testRDN(testATV(x509oid.CommonName, pkitest.TLV(0x0c, []byte("a")))), testRDN()), `CN=a,`, `CN=a`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := FormatDN(c.raw)
			if err != nil || got != c.legacy {
				t.Errorf("FormatDN = %q, %v; want %q", got, err, c.legacy)
			}
			got, err = FormatDNRFC4514(c.raw)
			if err != nil || got != c.rfc4514 {
				t.Errorf("FormatDNRFC4514 = %q, %v; want %q", got, err, c.rfc4514)
			}
		})
	}
}

func TestFormatDNErrors(t *testing.T) {
	cases := []struct {
		name string
		raw  []byte
		want error
	}{
		{"empty-subject", testName(), ErrEmptyDN},
		{"empty-cn", cnName(pkitest.TLV(0x0c, nil)), ErrDNValueNotValid},
		{"empty-rdns-only", testName(testRDN()), ErrDNAbort},
		{"octet-with-nul", testName(testRDN(testATV(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 21}, pkitest.TLV(0x04, []byte("a\x00"))))), ErrDNDER},
		{"not-der", []byte{0x30, 0x05, 0x31}, ErrDNDER},
		{"trailing-bytes", append(testName(), 0), ErrDNDER},
	}
	for _, c := range cases {
		_, err := FormatDN(c.raw)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: FormatDN error = %v, want %v", c.name, err, c.want)
		}
	}
	if ErrEmptyDN.Error() != "The requested data were not available." {
		t.Errorf("ErrEmptyDN text %q is not GnuTLS's", ErrEmptyDN)
	}
}

func TestRawNames(t *testing.T) {
	ca := newTestCA(t)
	issuer, subject, err := RawNames(ca.DER)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(issuer, ca.Cert.RawIssuer) || !bytes.Equal(subject, ca.Cert.RawSubject) {
		t.Errorf("RawNames does not return the certificate's names")
	}
	if _, _, err := RawNames(ca.DER[:len(ca.DER)/3]); err == nil {
		t.Error("RawNames accepted a truncated certificate")
	}
}

func TestImportPEMCertificate(t *testing.T) {
	ca := newTestCA(t)
	pemData := ca.CertPEM()
	der, err := ImportPEMCertificate(append([]byte("text before\n"), pemData...))
	if err != nil || !bytes.Equal(der, ca.DER) {
		t.Fatalf("ImportPEMCertificate = %v", err)
	}
	x509Header := bytes.ReplaceAll(pemData, []byte("CERTIFICATE"), []byte("X509 CERTIFICATE"))
	if der, err := ImportPEMCertificate(x509Header); err != nil || !bytes.Equal(der, ca.DER) {
		t.Errorf("X509 CERTIFICATE header: %v", err)
	}
	cases := []struct {
		data []byte
		want error
	}{
		{[]byte("garbage\n"), ErrPEMHeader},
		{ca.DER, ErrPEMHeader},
		{bytes.Replace(pemData, []byte("MII"), []byte("!!!"), 1), ErrPEMHeader}, // GnuTLS retries the X509 header
		{[]byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), ErrDERTag},
		{[]byte("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"), ErrDNDER},
	}
	for i, c := range cases {
		if _, err := ImportPEMCertificate(c.data); !errors.Is(err, c.want) {
			t.Errorf("case %d: error %v, want %v", i, err, c.want)
		}
	}
}

func TestSubjectDN(t *testing.T) {
	ca := newTestCA(t)
	dn, err := SubjectDN(ca.Cert)
	if err != nil || dn != "CN=Test CA" {
		t.Errorf("SubjectDN = %q, %v", dn, err)
	}
}

// FuzzFormatDN feeds arbitrary bytes to the DN parser and printers: they
// must never panic, and must agree on success.
func FuzzFormatDN(f *testing.F) {
	f.Add(testName(testRDN(testATV(x509oid.CommonName, pkitest.TLV(0x0c, []byte("a,b"))))))
	f.Add(testName(testRDN(testATV(x509oid.CommonName, pkitest.TLV(0x1e, []byte{0xd8, 0x3d, 0xde, 0x00})), testATV(x509oid.UserID, pkitest.TLV(0x13, []byte("x"))))))
	f.Add(testName(testRDN(testATV(x509oid.Country, pkitest.TLV(0x13, nil)))))
	f.Add(testName(testRDN()))
	f.Add(testName())
	f.Add(cnName(pkitest.TLV(0x1c, []byte{0, 0, 0})))
	f.Add(cnName(pkitest.TLV(0x14, []byte{0xff, 0x20})))
	f.Add([]byte{0x30, 0x80, 0x00, 0x00})
	f.Add([]byte{0x30, 0x84, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, raw []byte) {
		legacy, err1 := FormatDN(raw)
		rfc, err2 := FormatDNRFC4514(raw)
		if (err1 == nil) != (err2 == nil) {
			t.Fatalf("FormatDN error %v but FormatDNRFC4514 error %v", err1, err2)
		}
		if err1 == nil && strings.Count(legacy, "=") != strings.Count(rfc, "=") {
			t.Fatalf("orders hold different attributes: %q vs %q", legacy, rfc)
		}
		_, _ = ParseName(raw)
		_, _ = ImportPEMCertificate(raw)
		_, _, _ = RawNames(raw)
	})
}

func TestSplitDN(t *testing.T) {
	cases := []struct {
		in   string
		sep  byte
		want []string
	}{
		{"C=GB,O=Test Org,CN=client1", ',', []string{"C=GB", "O=Test Org", "CN=client1"}},
		{`CN=a\,b,O=x`, ',', []string{`CN=a\,b`, "O=x"}},
		{`CN=a\\,O=x`, ',', []string{`CN=a\\`, "O=x"}},
		{"", ',', []string{""}},
		{"CN=a,", ',', []string{"CN=a", ""}},
		{`CN=a+UID=b\+c`, '+', []string{"CN=a", `UID=b\+c`}},
		{`CN=trailing\`, ',', []string{`CN=trailing\`}},
	}
	for _, c := range cases {
		got := SplitDN(c.in, c.sep)
		if strings.Join(got, "|") != strings.Join(c.want, "|") || len(got) != len(c.want) {
			t.Errorf("SplitDN(%q, %q) = %q, want %q", c.in, c.sep, got, c.want)
		}
	}
}

func FuzzSplitDN(f *testing.F) {
	f.Add(`CN=a\,b,O=x+UID=y`)
	f.Add(`\`)
	f.Fuzz(func(t *testing.T, s string) {
		for _, sep := range []byte{',', '+'} {
			parts := SplitDN(s, sep)
			if strings.Join(parts, string(sep)) != s {
				t.Fatalf("SplitDN(%q, %q) = %q does not join back", s, sep, parts)
			}
		}
	})
}
