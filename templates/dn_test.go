package templates

import (
	"context"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/virt-pki/virt-pki/libvirtcert"
)

func TestSubjectEncoding(t *testing.T) {
	tests := []struct {
		text, legacy string
	}{
		{guideClient, "C=GB,ST=London,L=London,O=Libvirt Project,CN=client1"},
		{"cn = Client One\nuid = cuid\ndc = example\ndc = com\npkcs9_email = a@example.com\nunit = Unit1\nunit = Unit2\n" +
			"organization = Org1\norganization = Org2\nlocality = Town\nstate = Region\ncountry = GB\n" +
			"dn_oid = 2.5.4.12 Dr\ndn_oid = 2.5.4.65 jackal\n",
			"C=GB,ST=Region,L=Town,O=Org1,O=Org2,OU=Unit1,OU=Unit2,CN=Client One,UID=cuid,DC=example,DC=com,title=Dr,pseudonym=jackal,EMAIL=a@example.com"},
		{"dn = \"CN=Alice,O=Org\"\ncountry = GB\ncn = Bob\n", "O=Org,CN=Alice,C=GB,CN=Bob"},
		{"cn = \"Smith, John\"\norganization = \"A+B <C> ; D\"\n", `O=A\+B \<C\> \; D,CN=Smith\, John`},
	}
	for _, tc := range tests {
		tm := mustParse(t, tc.text)
		der, err := tm.subjectDER()
		if err != nil {
			t.Fatal(err)
		}
		got, err := libvirtcert.FormatDN(der)
		if err != nil || got != tc.legacy {
			t.Errorf("subject of %q = %q, %v; want %q", tc.text, got, err, tc.legacy)
		}
	}
}

func TestStringTypes(t *testing.T) {
	for v, tag := range map[string]byte{
		"Smith, John":            tagPrintableString,
		"a-z A-Z 0-9 ()+,-./:=?": tagPrintableString,
		"it's":                   tagUTF8String,
		"under_score@x":          tagUTF8String,
		"#hash start":            tagUTF8String,
		"A+B <C> ; D":            tagUTF8String,
		"Ünïcödé":                tagUTF8String,
	} {
		if got := attributeValue(libvirtcert.DirectoryString, v)[0]; got != tag {
			t.Errorf("%q encoded with tag %#x, want %#x", v, got, tag)
		}
	}
	if attributeValue(libvirtcert.PrintableString, "United Kingdom")[0] != tagPrintableString {
		t.Error("country must always be PrintableString")
	}
}

func TestParseDNString(t *testing.T) {
	attrs, err := parseDNString(`CN=Smith\, John , O = Org\+Co, 2.5.4.12=Dr,1.2.3.4=#0c0161,UID=u\ `)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range attrs {
		v := a.value
		if a.raw {
			v = "#" + hex.EncodeToString([]byte(a.value))
		}
		got = append(got, a.oid.String()+"="+v)
	}
	want := "2.5.4.3=Smith, John|2.5.4.10=Org+Co|2.5.4.12=Dr|1.2.3.4=#0c0161|0.9.2342.19200300.100.1.1=u "
	if strings.Join(got, "|") != want {
		t.Errorf("parseDNString = %q, want %q", strings.Join(got, "|"), want)
	}
	for _, bad := range []string{"CN", "CN=", "=x", "CN=a+O=b", "FOO=x", "1.2.3.4=x", `CN=a\x`, "CN=a,,O=b"} {
		if _, err := parseDNString(bad); err == nil {
			t.Errorf("parseDNString(%q) succeeded", bad)
		}
	}
}

func TestDNFromLegacy(t *testing.T) {
	tests := map[string]string{
		"C=GB,ST=London,L=London,O=Libvirt Project,CN=client1": "CN=client1,O=Libvirt Project,L=London,ST=London,C=GB",
		`O=Smith\, John,CN=x`:         `CN=x,O=Smith\, John`,
		"CN=only":                     "CN=only",
		`CN=\ lead and trail \ `:      `CN=\ lead and trail \ `,
		`O=A\+B \<C\> \; D,CN=q\"x\"`: `CN=q\"x\",O=A\+B \<C\> \; D`,
		"DC=example,DC=com,UID=u,title=Dr,EMAIL=a@example.com": "EMAIL=a@example.com,title=Dr,UID=u,DC=com,DC=example",
	}
	for in, want := range tests {
		got, err := DNFromLegacy(in)
		if err != nil || got != want {
			t.Errorf("DNFromLegacy(%q) = %q, %v; want %q", in, got, err, want)
			continue
		}
		// The dn value must encode back to exactly the legacy string.
		der, err := (&Template{DN: got}).subjectDER()
		if err != nil {
			t.Errorf("%q: %v", got, err)
			continue
		}
		if back, err := libvirtcert.FormatDN(der); err != nil || back != in {
			t.Errorf("round trip of %q gave %q, %v", in, back, err)
		}
	}
	for _, bad := range []string{"", "CN=a+O=b", "FOO=x", "CN=x,O=a\\\\", "CN", "CN=a\nO=b"} {
		if got, err := DNFromLegacy(bad); err == nil {
			t.Errorf("DNFromLegacy(%q) = %q, want an error", bad, got)
		}
	}
}

// TestDNFromLegacyWithQueryDN checks DNFromLegacy against the real
// virt-pki-query-dn: the certificate built from the converted dn must print
// the original string.
func TestDNFromLegacyWithQueryDN(t *testing.T) {
	if _, err := exec.LookPath("virt-pki-query-dn"); err != nil {
		t.Skip("virt-pki-query-dn (libvirt-clients) is not installed")
	}
	testKeys(t)
	dir := t.TempDir()
	for _, legacy := range []string{
		"C=GB,ST=London,L=London,O=Libvirt Project,CN=client1",
		`O=Smith\, John,OU=A\+B,CN=host\;1`,
		"DC=org,DC=example,CN=Ünïcödé",
	} {
		dn, err := DNFromLegacy(legacy)
		if err != nil {
			t.Fatal(err)
		}
		c := ours(t, &Template{Name: "flags", DN: dn}, keyEC, nil, nil)
		f := writeCert(t, dir, "dn", c)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		out, err := exec.CommandContext(ctx, "virt-pki-query-dn", f).CombinedOutput()
		cancel()
		if err != nil {
			t.Fatalf("virt-pki-query-dn: %v: %s", err, out)
		}
		if got := strings.TrimRight(string(out), "\n"); got != legacy {
			t.Errorf("virt-pki-query-dn printed %q, want %q", got, legacy)
		}
		os.Remove(filepath.Join(dir, "dn.pem"))
	}
}

func TestLegacyDNLooksReversed(t *testing.T) {
	tests := []struct {
		in, rev string
		ok      bool
	}{
		{"CN=client1,O=Example,C=GB", "C=GB,O=Example,CN=client1", true},
		{"CN=h,DC=example,DC=org", "DC=org,DC=example,CN=h", true},
		{`cn=a\,b,c=GB`, `c=GB,cn=a\,b`, true},
		{"C=GB,O=Example,CN=client1", "", false},
		{"CN=client1", "", false},
		{"CN=client1,O=Example", "", false},
	}
	for _, tc := range tests {
		rev, ok := LegacyDNLooksReversed(tc.in)
		if rev != tc.rev || ok != tc.ok {
			t.Errorf("LegacyDNLooksReversed(%q) = %q, %v; want %q, %v", tc.in, rev, ok, tc.rev, tc.ok)
		}
	}
}
