package golden

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/virt-pki/virt-pki/internal/pkitest"
	"github.com/virt-pki/virt-pki/libvirtcert"
)

// The DN differential test builds certificates whose subjects cover every
// encoding GnuTLS treats specially and compares, byte for byte:
//   - the real virt-pki-query-dn with libvirtcert.FormatDN and with our
//     virt-pki-query-dn personality (output, error text, exit code);
//   - the Subject line of the real certtool -i with FormatDNRFC4514.

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func oidDER(dotted string) []byte {
	var oid asn1.ObjectIdentifier
	for _, p := range strings.Split(dotted, ".") {
		var n int
		fmt.Sscan(p, &n)
		oid = append(oid, n)
	}
	b, err := asn1.Marshal(oid)
	if err != nil {
		panic(err)
	}
	return b
}

// atv is one AttributeTypeAndValue with an already encoded value.
func atv(oid string, value []byte) []byte { return pkitest.TLV(0x30, cat(oidDER(oid), value)) }

func rdn(atvs ...[]byte) []byte { return pkitest.TLV(0x31, cat(atvs...)) }

func name(rdns ...[]byte) []byte { return pkitest.TLV(0x30, cat(rdns...)) }

func utf8s(s string) []byte            { return pkitest.TLV(0x0c, []byte(s)) }
func printable(s string) []byte        { return pkitest.TLV(0x13, []byte(s)) }
func ia5(s string) []byte              { return pkitest.TLV(0x16, []byte(s)) }
func teletex(s string) []byte          { return pkitest.TLV(0x14, []byte(s)) }
func numeric(s string) []byte          { return pkitest.TLV(0x12, []byte(s)) }
func octets(s string) []byte           { return pkitest.TLV(0x04, []byte(s)) }
func bmpRaw(b ...byte) []byte          { return pkitest.TLV(0x1e, b) }
func universal(s string) []byte        { return pkitest.TLV(0x1c, utf32be(s)) }
func cn(value []byte) []byte           { return rdn(atv("2.5.4.3", value)) }
func cnUTF8(s string) []byte           { return name(cn(utf8s(s))) }
func attr(oid string, v []byte) []byte { return name(rdn(atv(oid, v))) }

func bmp(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u>>8), byte(u))
	}
	return pkitest.TLV(0x1e, b)
}

func utf32be(s string) []byte {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r>>24), byte(r>>16), byte(r>>8), byte(r))
	}
	return b
}

// dnCases are the subjects compared with GnuTLS.
func dnCases() []struct {
	name    string
	subject []byte
} {
	type c = struct {
		name    string
		subject []byte
	}
	long := strings.Repeat("x", 1000)
	cases := []c{
		{"simple", name(rdn(atv("2.5.4.10", utf8s("Libvirt Project"))), cn(utf8s("compute1.libvirt.org")))},
		{"printable-cn", name(cn(printable("host1")))},
		{"comma", cnUTF8("Smith, John")},
		{"plus", cnUTF8("A+B")},
		{"quotes", cnUTF8(`has "quotes" inside`)},
		{"backslash", cnUTF8(`back\slash`)},
		{"angle-semicolon", cnUTF8("A+B <C> ; D")},
		{"leading-hash", cnUTF8("#hash start")},
		{"hash-inside", cnUTF8("a#b")},
		{"only-hash", cnUTF8("#")},
		{"leading-space", cnUTF8(" lead")},
		{"trailing-space", cnUTF8("trail ")},
		{"lead-and-trail", cnUTF8("  lead and trail  ")},
		{"single-space", cnUTF8(" ")},
		{"two-spaces", cnUTF8("  ")},
		{"equals", cnUTF8("O=with=equals")},
		{"glob-chars", cnUTF8("a*b?c[d]")},
		{"utf8", cnUTF8("Ünïcödé Straße 日本")},
		{"control-chars", cnUTF8("a\r\nb\tc\x01")},
		{"invalid-utf8", cnUTF8("bad\xff\xfe")},
		{"nul-inside", cnUTF8("a\x00b")},
		{"empty-utf8", name(cn(utf8s("")))},
		{"empty-printable-cn", name(cn(printable("")))},
		{"empty-bmp-cn", name(cn(bmpRaw()))},
		{"empty-universal-cn", name(cn(pkitest.TLV(0x1c, nil)))},
		{"empty-teletex-cn", name(cn(teletex("")))},
		{"empty-ia5-cn", name(cn(ia5("")))},
		{"empty-unknown-oid", attr("1.2.3.4", utf8s(""))},
		{"empty-dc", attr("0.9.2342.19200300.100.1.25", ia5(""))},
		{"empty-octet-key-id", attr("1.2.840.113549.1.9.21", octets(""))},
		{"empty-null-cn", name(cn(pkitest.TLV(0x05, nil)))},
		{"empty-utf8-second", name(cn(utf8s("a")), rdn(atv("2.5.4.10", utf8s(""))))},
		{"bmp-one-byte", name(cn(bmpRaw(0x41)))},
		{"universal-odd", name(cn(pkitest.TLV(0x1c, []byte{0, 0, 0x41})))},
		{"printable-with-at", name(cn(printable("user@example")))},
		{"ia5-cn", name(cn(ia5("ia5 name")))},
		{"numeric-cn", name(cn(numeric("12345")))},
		{"octet-cn", name(cn(octets("abc")))},
		{"bmp", name(cn(bmp("Ünï BMP")))},
		{"bmp-surrogate-pair", name(cn(bmp("emoji 😀")))},
		{"bmp-lone-surrogate", name(cn(bmpRaw(0xd8, 0x00, 0x00, 0x41)))},
		{"bmp-odd-length", name(cn(bmpRaw(0x00, 0x41, 0x00)))},
		{"bmp-trailing-nul", name(cn(bmpRaw(0x00, 0x41, 0x00, 0x00)))},
		{"bmp-only-nul", name(cn(bmpRaw(0x00, 0x00)))},
		{"bmp-embedded-nul", name(cn(bmpRaw(0x00, 0x41, 0x00, 0x00, 0x00, 0x42)))},
		{"bmp-special-chars", name(cn(bmp(" a,b ")))},
		{"universal", name(cn(universal("AB")))},
		{"teletex-ascii", name(cn(teletex("plain teletex")))},
		{"teletex-latin1", name(cn(teletex("caf\xe9")))},
		{"teletex-control", name(cn(teletex("a\x01b")))},
		{"multi-valued", name(rdn(atv("2.5.4.3", utf8s("multi")), atv("0.9.2342.19200300.100.1.1", utf8s("uid1"))))},
		{"multi-valued-three", name(rdn(atv("2.5.4.10", utf8s("O1")), atv("2.5.4.11", utf8s("U1")), atv("2.5.4.3", utf8s("c"))), cn(utf8s("tail")))},
		{"dc-uid-email", name(
			rdn(atv("0.9.2342.19200300.100.1.25", ia5("com"))),
			rdn(atv("0.9.2342.19200300.100.1.25", ia5("example"))),
			rdn(atv("0.9.2342.19200300.100.1.1", utf8s("jdoe"))),
			rdn(atv("1.2.840.113549.1.9.1", ia5("a@example.com"))),
			cn(utf8s("John")))},
		{"uid-ia5", attr("0.9.2342.19200300.100.1.1", ia5("legacy-uid"))},
		{"email-utf8", attr("1.2.840.113549.1.9.1", utf8s("a@example.com"))},
		{"dc-printable", attr("0.9.2342.19200300.100.1.25", printable("com"))},
		{"dc-nul", attr("0.9.2342.19200300.100.1.25", ia5("a\x00b"))},
		{"country-printable", attr("2.5.4.6", printable("GB"))},
		{"country-utf8", attr("2.5.4.6", utf8s("GB"))},
		{"country-empty", attr("2.5.4.6", printable(""))},
		{"country-escape", attr("2.5.4.6", printable("G,B"))},
		{"unknown-oid", attr("1.2.3.4", utf8s("value"))},
		{"unknown-oid-big-arc", attr("2.999.1", printable("v"))},
		{"unknown-oid-arc-1", attr("1.39.7", printable("v"))},
		{"constructed-value", attr("2.5.4.3", pkitest.TLV(0x30, utf8s("x")))},
		{"ogrn-numeric", attr("1.2.643.100.1", numeric("1027700132195"))},
		{"ogrn-printable", attr("1.2.643.100.1", printable("1027700132195"))},
		{"snils-ogrnip-inn", name(
			rdn(atv("1.2.643.100.3", numeric("12345678901"))),
			rdn(atv("1.2.643.100.5", numeric("304500116000157"))),
			rdn(atv("1.2.643.3.131.1.1", numeric("007710474375"))))},
		{"friendly-name-bmp", attr("1.2.840.113549.1.9.20", bmp("friendly, name"))},
		{"local-key-id", attr("1.2.840.113549.1.9.21", octets("key id"))},
		{"local-key-id-nul", attr("1.2.840.113549.1.9.21", octets("a\x00b"))},
		{"challenge-password", attr("1.2.840.113549.1.9.7", printable("secret"))},
		{"challenge-password-ia5", attr("1.2.840.113549.1.9.7", ia5("secret"))},
		{"xmpp", attr("1.3.6.1.5.5.7.8.5", utf8s("user@xmpp.example"))},
		{"xmpp-printable", attr("1.3.6.1.5.5.7.8.5", printable("user"))},
		{"pkix-attrs", name(
			rdn(atv("1.3.6.1.5.5.7.9.2", utf8s("Paris"))),
			rdn(atv("1.3.6.1.5.5.7.9.3", printable("M"))),
			rdn(atv("1.3.6.1.5.5.7.9.4", printable("FR"))),
			rdn(atv("1.3.6.1.5.5.7.9.5", printable("DE"))))},
		{"x520-attrs", name(
			rdn(atv("2.5.4.9", utf8s("1 Main St"))),
			rdn(atv("2.5.4.12", utf8s("Dr"))),
			rdn(atv("2.5.4.13", utf8s("desc"))),
			rdn(atv("2.5.4.5", printable("SN123"))),
			rdn(atv("2.5.4.20", printable("+44 20"))),
			rdn(atv("2.5.4.4", utf8s("Doe"))),
			rdn(atv("2.5.4.43", utf8s("JD"))),
			rdn(atv("2.5.4.44", utf8s("III"))),
			rdn(atv("2.5.4.42", utf8s("John"))),
			rdn(atv("2.5.4.65", utf8s("jackal"))),
			rdn(atv("2.5.4.46", printable("q1"))),
			rdn(atv("2.5.4.17", utf8s("SW1"))),
			rdn(atv("2.5.4.41", utf8s("nm"))),
			rdn(atv("2.5.4.15", utf8s("Private Organization"))),
			rdn(atv("1.2.840.113556.1.4.656", utf8s("jdoe@corp"))))},
		{"ev-attrs", name(
			rdn(atv("1.3.6.1.4.1.311.60.2.1.1", utf8s("Town"))),
			rdn(atv("1.3.6.1.4.1.311.60.2.1.2", utf8s("State"))),
			rdn(atv("1.3.6.1.4.1.311.60.2.1.3", printable("US"))))},
		{"serial-number-utf8", attr("2.5.4.5", utf8s("SN1"))},
		{"long-value", cnUTF8(long)},
		{"long-dn-many-rdns", name(cn(utf8s(strings.Repeat("a", 100))), cn(utf8s(strings.Repeat("b", 100))), cn(utf8s(strings.Repeat("c", 100))))},
		{"teletex-leading-hash", name(cn(teletex("#t")))},
		{"bmp-leading-space", name(cn(bmp(" lead")))},
		{"printable-glob-chars", name(cn(printable("a*b?c")))},
		{"repeated-cn", name(cn(utf8s("one")), cn(utf8s("two")))},
		{"ou-utf8-and-printable", name(rdn(atv("2.5.4.11", utf8s("U1"))), rdn(atv("2.5.4.11", printable("U2"))))},
		{"email-uppercase-ia5", attr("1.2.840.113549.1.9.1", ia5("A@EXAMPLE.COM"))},
		{"dc-with-comma", attr("0.9.2342.19200300.100.1.25", ia5("a,b"))},
		{"bmp-noncharacter", name(cn(bmpRaw(0xff, 0xfe)))},
		{"cn-del-char", cnUTF8("a\x7fb")},
		{"certtool-client", name(
			rdn(atv("2.5.4.6", printable("GB"))),
			rdn(atv("2.5.4.8", utf8s("London"))),
			rdn(atv("2.5.4.7", utf8s("London"))),
			rdn(atv("2.5.4.10", utf8s("Libvirt Project"))),
			cn(utf8s("client1")))},
		{"empty-rdn-middle", name(cn(utf8s("a")), rdn(), rdn(atv("2.5.4.10", utf8s("b"))))},
		{"empty-rdn-last", name(cn(utf8s("a")), rdn())},
		{"empty-rdn-only", name(rdn())},
		{"empty-subject", name()},
	}
	return cases
}

// selfSigned returns a PEM certificate with subject (and issuer) raw.
func selfSigned(t *testing.T, raw []byte) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		RawSubject:   raw,
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
	}
	d, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: d})
}

type toolResult struct {
	stdout, stderr string
	code           int
}

func runTool(t *testing.T, path string, args ...string) toolResult {
	t.Helper()
	cmd := exec.Command(path, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8")
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return toolResult{out.String(), errb.String(), code}
}

func TestDNMatchesVirtPKIQueryDN(t *testing.T) {
	real, err := exec.LookPath("virt-pki-query-dn")
	if err != nil {
		t.Skip("virt-pki-query-dn is not installed (Debian package libvirt-clients)")
	}
	ours := filepath.Join(linkDir, "virt-pki-query-dn")
	dir := t.TempDir()
	matched := 0
	cases := dnCases()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name+".pem")
			if err := os.WriteFile(path, selfSigned(t, tc.subject), 0o644); err != nil {
				t.Fatal(err)
			}
			want := runTool(t, real, path)
			if os.Getenv("DN_DEBUG") != "" {
				t.Logf("real: %q %q %d", want.stdout, want.stderr, want.code)
			}
			got := runTool(t, ours, path)
			if want.code == -1 && got.code == 134 {
				// The real tool died by SIGABRT; ours exits 134 as a
				// shell would report it.
				got.code = -1
			}
			if got != want {
				t.Errorf("virt-pki-query-dn personality differs:\n got  %q (stderr %q, exit %d)\n want %q (stderr %q, exit %d)",
					got.stdout, got.stderr, got.code, want.stdout, want.stderr, want.code)
			}
			lib, err := libvirtcert.FormatDN(tc.subject)
			if want.code == 0 {
				if err != nil || lib+"\n" != want.stdout {
					t.Errorf("FormatDN = %q, %v; virt-pki-query-dn printed %q", lib, err, want.stdout)
				}
			} else if errors.Is(err, libvirtcert.ErrDNAbort) {
				if !strings.Contains(want.stderr, "Assertion") {
					t.Errorf("FormatDN = %v; virt-pki-query-dn did not abort: %q", err, want.stderr)
				}
			} else if err == nil || !strings.Contains(want.stderr, err.Error()) {
				t.Errorf("FormatDN = %q, %v; virt-pki-query-dn failed: %q", lib, err, want.stderr)
			}
			if !t.Failed() {
				matched++
			}
		})
	}
	t.Logf("%d of %d DN cases match virt-pki-query-dn byte for byte", matched, len(cases))
}

func TestDNRFC4514MatchesCerttool(t *testing.T) {
	certtool, err := exec.LookPath("certtool")
	if err != nil {
		t.Skip("certtool is not installed (Debian package gnutls-bin)")
	}
	dir := t.TempDir()
	matched, compared := 0, 0
	for _, tc := range dnCases() {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name+".pem")
			if err := os.WriteFile(path, selfSigned(t, tc.subject), 0o644); err != nil {
				t.Fatal(err)
			}
			res := runTool(t, certtool, "-i", "--infile", path)
			if res.code != 0 {
				t.Skipf("certtool -i refuses this certificate: %s", res.stderr)
			}
			// The Subject line runs up to the next field (a value may
			// hold a newline).
			_, after, ok := strings.Cut(res.stdout, "\n\tSubject:")
			line, _, ok2 := strings.Cut(after, "\n\tSubject Public Key Algorithm:")
			if !ok || !ok2 {
				// certtool reports a DN it cannot print instead.
				_, msg, found := strings.Cut(res.stdout, "\nerror: get_dn: ")
				msg, _, _ = strings.Cut(msg, "\n")
				if !found {
					t.Fatalf("no Subject line in certtool -i output:\n%s", res.stdout)
				}
				compared++
				if _, err := libvirtcert.FormatDNRFC4514(tc.subject); err == nil || err.Error() != msg {
					t.Errorf("FormatDNRFC4514 error = %v; certtool -i: %q", err, msg)
					return
				}
				matched++
				return
			}
			line = strings.TrimPrefix(line, " ")
			compared++
			got, err := libvirtcert.FormatDNRFC4514(tc.subject)
			switch {
			case errors.Is(err, libvirtcert.ErrDNAbort):
				got = "(null)" // certtool prints the NULL string glibc formats
			case err != nil:
				got = ""
			}
			if got != line {
				t.Errorf("FormatDNRFC4514 = %q (%v); certtool -i Subject: %q", got, err, line)
				return
			}
			matched++
		})
	}
	t.Logf("%d of %d subjects match certtool -i's Subject line", matched, compared)
}

// TestFixtureGoldenFiles pins `dn` and `info --json` for the certificates
// in testdata/dn and testdata/info (made with certtool, except
// unusual.pem); -update rewrites the .dn and .json files.
func TestFixtureGoldenFiles(t *testing.T) {
	for _, dir := range []string{"testdata/dn", "testdata/info"} {
		pems, err := filepath.Glob(filepath.Join(dir, "*.pem"))
		if err != nil || len(pems) == 0 {
			t.Fatalf("no fixtures in %s: %v", dir, err)
		}
		for _, pemPath := range pems {
			base := strings.TrimSuffix(pemPath, ".pem")
			var args []string
			var golden string
			if dir == "testdata/dn" {
				args, golden = []string{"dn", pemPath}, base+".dn"
			} else {
				args, golden = []string{"info", "--json", "--at", "2027-01-01T00:00:00Z", pemPath}, base+".json"
			}
			res := runTool(t, Bin(), args...)
			got := res.stdout + res.stderr
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./golden -update)", err)
			}
			if got != string(want) {
				t.Errorf("virt-pki %s differs from %s:\n%s", strings.Join(args, " "), golden, got)
			}
		}
	}
}
