package templates

import (
	"errors"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestTokenizer covers the certtool tokenizer table (reference §1.3) and the
// places where we keep certtool's reading but warn.
func TestTokenizer(t *testing.T) {
	tests := []struct {
		name, text, cn string
		warn           string // substring of the only warning; "" for none
	}{
		{"double quotes", `cn = "quoted value"`, "quoted value", ""},
		{"single quotes", `cn = 'single quoted'`, "single quoted", ""},
		{"padding kept in quotes", `cn = "  padded  "`, "  padded  ", ""},
		{"escaped quotes", `cn = "with \"escaped\" quotes"`, `with "escaped" quotes`, ""},
		{"escaped single quote", `cn = 'it\'s'`, `it's`, ""},
		{"backslash-newline in quotes", "cn = \"multi\\\nline\"", "multi line", ""},
		{"multi-line quotes", "cn = \"multi\nline\"", "multi\nline", "contains a newline"},
		{"backslash-newline unquoted", "cn = unquoted\\\ncontinued", "unquoted\ncontinued", "newline into the value"},
		{"comma and equals", `cn = a=b, c`, "a=b, c", ""},
		{"colon separator", `cn: colon`, "colon", ""},
		{"no blanks", `cn=nospace`, "nospace", ""},
		{"tabs", "\tcn\t=\ttabbed", "tabbed", ""},
		{"trailing tab trimmed", "\tcn\t=\ttabbed\t", "tabbed", "trailing whitespace"},
		{"trailing spaces trimmed", "cn = spaced value   \n", "spaced value", "trailing whitespace"},
		{"separator after colon kept", `cn: = x`, "= x", ""},
		{"hash in value", `cn = test3 # trailing comment`, "test3 # trailing comment", "not a comment"},
		{"comment after quotes", `cn = "x" # c`, "x", ""},
		{"backslash drops both", `cn = un\quoted`, "unuoted", `"\\q" is dropped`},
		{"backslash drops both in quotes", `cn = "back\\slash"`, "backslash", `"\\\\" inside quotes is dropped`},
		{"crlf", "cn = crlf\r\n", "crlf", "CRLF"},
		{"crlf quoted", "cn = \"crlf\"\r\n", "crlf", "CRLF"},
		{"keyword with comment", "ca # make it a CA\ncn = x\n", "x", ""},
		{"byte order mark", "\xef\xbb\xbfcn = x\n", "x", "byte order mark"},
		{"comments and blank lines", "# a comment\n\n   # indented\n\ncn = x\n", "x", ""},
		{"name with underscore start", "_x_ignored_by_nobody = 1\n", "", "error"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tmpl, err := Parse("t.info", []byte(tc.text))
			if tc.warn == "error" {
				if err == nil {
					t.Fatalf("Parse(%q) succeeded", tc.text)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.text, err)
			}
			if tmpl.CN != tc.cn {
				t.Errorf("CN = %q, want %q", tmpl.CN, tc.cn)
			}
			ws := syntaxWarnings(tmpl)
			if tc.warn == "" && len(ws) > 0 {
				t.Errorf("unexpected warnings %v", ws)
			}
			if tc.warn != "" && (len(ws) != 1 || !strings.Contains(ws[0].Message, tc.warn)) {
				t.Errorf("warnings = %v, want one containing %q", ws, tc.warn)
			}
		})
	}
}

// syntaxWarnings drops the key-independent lint warnings (empty subject).
func syntaxWarnings(t *Template) []Warning {
	var out []Warning
	for _, w := range t.Warnings {
		if !strings.Contains(w.Message, "subject is empty") {
			out = append(out, w)
		}
	}
	return out
}

// TestParseErrors covers every input certtool misreads silently (or
// rejects) that we reject with NAME:LINE and a helpful message.
func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"semicolon comment", "cn = x\n; comment\n", "t.info:2: ';' is not a comment"},
		{"digit at name", "cn = x\n2.5.4.3 = y\n", "t.info:2: a key cannot start with a digit"},
		{"quote at name", `cn = "a" "b"`, `t.info:1: text after the closing quote: "\"b\""`},
		{"quote at line start", "\"cn\" = x\n", "t.info:1: a quoted text where a key is expected"},
		{"dash at name", "cn = x\n\n- item\n", "t.info:3: '-' where a key is expected"},
		{"equals at name", "= x\n", "t.info:1: '=' where a key is expected"},
		{"boolean with no", "cn = x\nca = no\n", "t.info:2: ca: boolean keys take no value"},
		{"boolean with false", "signing_key = false\n", "remove the line to disable"},
		{"upper-case key", "CN = x\n", "t.info:1: unknown key \"CN\": keys are lower-case: did you mean cn?"},
		{"upper-case keyword", "TLS_WWW_SERVER\n", "did you mean tls_www_server?"},
		{"unknown key", "dns_nme = x\n", "t.info:1: unknown key \"dns_nme\": did you mean dns_name?"},
		{"colon glued", "cn:value\n", "write \"cn = value\""},
		{"no separator", "cn = x\ndns_name b\n", `t.info:2: missing '=' after dns_name; certtool would read the value "b" (write "dns_name = b")`},
		{"uri without scheme", "cn = x\nuri = not a uri\n", `t.info:2: uri: "not a uri" is not a URI: it has no scheme`},
		{"malformed uri", "uri = http://[::1\n", `t.info:1: uri: "http://[::1" is not a URI`},
		{"no separator quoted", "cn \"x\"\n", `t.info:1: missing '=' after cn; certtool would read the value "x"`},
		{"no separator quoted over lines", "cn \"a\nb\"\n", `t.info:1: missing '=' after cn; certtool would read the value "a\nb" (put '=' between cn and its value)`},
		{"repeated single key", "cn = a\ncn = b\n", "t.info:2: cn is set twice (first on line 1)"},
		{"repeated keyword", "ca\nca\n", "t.info:2: ca is set twice"},
		{"empty value", "cn =\n", "t.info:1: cn needs a value"},
		{"empty quoted value", "cn = \"\"\n", "t.info:1: cn needs a value"},
		{"cidr in ip_address", "ip_address = 10.0.0.0/8\n", "t.info:1: ip_address: \"10.0.0.0/8\" is a network"},
		{"bad ipv4", "ip_address = 300.1.1.1\n", "is not an IPv4 address"},
		{"bad ipv6", "ip_address = 2001:::1\n", "is not an IPv6 address"},
		{"bare ip constraint", "ca\nnc_permit_ip = 10.0.0.1\n", "t.info:2: nc_permit_ip: \"10.0.0.1\" is not a network in CIDR form"},
		{"bad date", "cn = x\nactivation_date = next year\n", "t.info:2: activation_date: cannot parse date \"next year\""},
		{"bad expiration date", "expiration_date = 2024-13-45\n", "cannot parse date"},
		{"days with suffix", "expiration_days = 10days\n", "t.info:1: expiration_days: \"10days\" is not a whole number"},
		{"days garbage", "expiration_days = abc\n", "is not a whole number"},
		{"days zero", "expiration_days = 0\n", "certtool turns 0 into 365 days"},
		{"days minus two", "expiration_days = -2\n", "expired two days ago"},
		{"path_len garbage", "ca\npath_len = two\n", "t.info:2: path_len: \"two\" is not a whole number"},
		{"negative hex serial", "serial = 0x80\n", "t.info:1: serial: 0x80 has the top bit set"},
		{"odd hex serial", "serial = 0xabc\n", "not valid hex"},
		{"long serial", "serial = 0x" + strings.Repeat("11", 21) + "\n", "longer than 20 bytes"},
		{"zero serial", "serial = 0\n", "is not a number between 1"},
		{"serial garbage", "serial = 12abc\n", "is not a number between 1"},
		{"unterminated quote", "cn = \"never closed\nca\n", "t.info:1: unterminated \" quote"},
		{"trailing garbage", "cn = \"x\" trailing\n", "t.info:1: text after the closing quote: \"trailing\""},
		{"organization and o", "organization = a\no = b\n", "t.info:2: organization and o are the same attribute"},
		{"unit and ou", "ou = b\nunit = a\n", "t.info:1: unit and ou"},
		{"policy gap", "policy1 = 1.2.3\npolicy3 = 1.2.4\n", "t.info:2: policy3 without policy2"},
		{"policy without 1", "policy2 = 1.2.3\n", "policy2 without policy1"},
		{"orphan policy text", "policy1_txt = hello\n", "t.info:1: policy1_txt without policy1"},
		{"policy9", "policy9 = 1.2.3\n", "certtool supports policy1..policy8"},
		{"policy wildcard", "policyfoo = 1\n", "certtool supports policy1..policy8"},
		{"policy not an OID", "policy1 = hello\n", "is not a dotted OID"},
		{"dn_oid unknown OID", "dn_oid = 1.2.3.4 x\n", "t.info:1: dn_oid: 1.2.3.4 is not an attribute GnuTLS knows"},
		{"dn_oid name", "dn_oid = title Dr\n", "is not a dotted OID"},
		{"dn_oid without value", "dn_oid = 2.5.4.12\n", "expects \"OID value\""},
		{"dn_oid blank value", "dn_oid = \"2.5.4.12 \"\n", "the value is missing"},
		{"bad key purpose", "key_purpose_oid = not-an-oid\n", "is not a dotted OID"},
		{"bad other_name hex", "other_name = 1.2.3 zz\n", "is not valid hex"},
		{"other_name not DER", "other_name = 1.2.3 0c05ab\n", "is not one DER-encoded value"},
		{"bad extension hex", "add_extension = 1.2.3 zz\n", "is not valid hex"},
		{"bad extension wrapper", "add_extension = 1.2.3 bitstring(00)\n", "only octet_string(hex)"},
		{"multi-valued dn", "dn = CN=a+O=b\n", "multi-valued RDNs"},
		{"unknown dn attribute", "dn = FOO=bar\n", "unknown attribute \"FOO\""},
		{"krb5 without realm", "krb5_principal = nouser\n", "is not a Kerberos principal"},
		{"tls_feature garbage", "tls_feature = abc\n", "is not a whole number"},
		{"tls_feature range", "tls_feature = 70000\n", "is not a TLS extension number"},
		{"bad unique id", "subject_unique_id = xyz\n", "is not valid hex"},
		{"non-ASCII dns_name", "dns_name = bücher.example\n", "t.info:1: dns_name: \"bücher.example\" must be ASCII; write internationalized domain names in their xn-- (punycode) form"},
		{"non-ASCII email domain", "email = a@bücher.example\n", "xn--"},
		{"non-ASCII constraint", "ca\nnc_permit_dns = bücher.example\n", "t.info:2: nc_permit_dns"},
		{"non-ASCII policy url", "policy1 = 1.2.3\npolicy1_url = http://ü/\n", "t.info:2: policy1_url"},
		{"country not printable", "country = G_B\n", "t.info:1: country: \"G_B\" must be a PrintableString"},
		{"dc not ASCII", "dc = exämple\n", "must be ASCII (IA5String)"},
		{"dn country not printable", "dn = C=Région\n", "dn: C: \"Région\" must be a PrintableString"},
		{"dn_oid serialNumber", "dn_oid = 2.5.4.5 nümber\n", "must be a PrintableString"},
		{"NUL", "cn = a\x00b\n", "NUL byte"},
		{"invalid UTF-8", "cn = \xff\xfe\n", "not valid UTF-8"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("t.info", []byte(tc.text))
			if err == nil {
				t.Fatalf("Parse(%q) succeeded, want error containing %q", tc.text, tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Parse(%q) = %q, want it to contain %q", tc.text, err, tc.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
			var te *Error
			if !errors.As(err, &te) || te.Name != "t.info" {
				t.Errorf("error %v is not a *Error naming the file", err)
			}
		})
	}
}

func TestParseFields(t *testing.T) {
	text := `dn = "CN=Alice,O=Org"
country = GB
state = London
locality = London
o = Org1
o = Org2
ou = Unit1
cn = client1
uid = u1
dc = example
dc = com
dn_oid = 2.5.4.12 Dr
pkcs9_email = a@example.com
serial = 0x0100
expiration_days = 30
dns_name = a.example
ip_address = 10.0.0.1
ip_address = 2001:db8::1
ip_address = ::ffff:1.2.3.4
email = a@example.com
uri = https://a.example
other_name = 1.2.3.4 0c0161
other_name_utf8 = 1.3.6.1.4.1.311.20.2.3 upn@example.com
other_name_octet = 1.2.3.5 	 spaced
xmpp_name = j@example.com
krb5_principal = u@R
signing_key
encryption_key
key_agreement
data_encipherment
non_repudiation
key_purpose_oid = 1.2.3.6
tls_www_client
code_signing_key
ocsp_signing_key
time_stamping_key
email_protection_key
ipsec_ike_key
ca
path_len = 1
cert_signing_key
crl_signing_key
nc_permit_dns = example.com
nc_exclude_dns = bad.example.com
nc_permit_ip = 10.0.0.0/8
nc_exclude_ip = fd00::/8
nc_permit_email = example.com
nc_exclude_email = bad@example.com
crl_dist_points = http://crl.example/a.crl
ocsp_uri = http://ocsp.example
ca_issuers_uri = http://ca.example/ca.crt
policy1 = 1.2.3.7
policy1_txt = text
policy1_url = http://policy.example
policy2 = 1.2.3.8
inhibit_anypolicy_skip_certs = 0
tls_feature = 5
add_extension = 1.2.3.9 0x0500
add_critical_extension = 1.2.3.10 octet_string(0102)
challenge_password = secret
password = keypass
pkcs12_key_name = mykey
proxy_policy_language = 1.3.6.1.5.5.7.21.1
honor_crq_extensions
honor_crq_ext = 2.5.29.17
crl_next_update = 7
crl_number = 42
activation_date = @1700000000
expiration_date = 2030-01-02T03:04:05Z
crl_this_update_date = 2030-01-01 00:00:00 +0000
crl_next_update_date = 2030-02-01 00:00:00 +02:00
crl_revocation_date = now
subject_unique_id = 0a0b
issuer_unique_id = 0x0c0d
`
	tm, err := Parse("all.info", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, got, want any) {
		t.Helper()
		if !equalValues(got, want) {
			t.Errorf("%s = %#v, want %#v", name, got, want)
		}
	}
	check("DN", tm.DN, "CN=Alice,O=Org")
	check("Organization", tm.Organization, []string{"Org1", "Org2"})
	check("Unit", tm.Unit, []string{"Unit1"})
	check("DC", tm.DC, []string{"example", "com"})
	check("DNOIDs", tm.DNOIDs[0].OID.String()+"="+tm.DNOIDs[0].Value, "2.5.4.12=Dr")
	check("Serial", tm.Serial.String(), "256")
	check("ExpirationDays", tm.ExpirationDays, 30)
	check("IPAddresses", tm.IPAddresses, []net.IP{net.IPv4(10, 0, 0, 1).To4(), net.ParseIP("2001:db8::1"), net.ParseIP("::ffff:1.2.3.4").To16()})
	check("OtherNames", tm.OtherNames[0].Value, []byte{0x0c, 0x01, 0x61})
	check("OtherNamesOctet", tm.OtherNamesOctet[0].Value, "spaced")
	check("bools", []bool{tm.SigningKey, tm.EncryptionKey, tm.KeyAgreement, tm.DataEncipherment, tm.NonRepudiation,
		tm.TLSWWWClient, tm.TLSWWWServer, tm.CodeSigningKey, tm.OCSPSigningKey, tm.TimeStampingKey, tm.EmailProtectionKey,
		tm.IPsecIKEKey, tm.CA, tm.CertSigningKey, tm.CRLSigningKey, tm.HonorCRQExtensions},
		[]bool{true, true, true, true, true, true, false, true, true, true, true, true, true, true, true, true})
	check("PathLen", *tm.PathLen, 1)
	check("NCPermitIP", tm.NCPermitIP[0].String(), "10.0.0.0/8")
	check("NCExcludeIP", tm.NCExcludeIP[0].String(), "fd00::/8")
	check("Policies", len(tm.Policies), 2)
	check("Policy1", tm.Policies[0].OID.String()+"|"+tm.Policies[0].Text+"|"+tm.Policies[0].URL, "1.2.3.7|text|http://policy.example")
	check("InhibitAnyPolicySkipCerts", *tm.InhibitAnyPolicySkipCerts, 0)
	check("TLSFeatures", tm.TLSFeatures, []int{5})
	check("AddExtensions", tm.AddExtensions[0].Value, []byte{5, 0})
	check("AddCriticalExtensions", tm.AddCriticalExtensions[0].Value, []byte{4, 2, 1, 2})
	check("ChallengePassword", tm.ChallengePassword, "secret")
	check("Password", tm.Password, "keypass")
	check("PKCS12KeyName", tm.PKCS12KeyName, "mykey")
	check("ProxyPolicyLanguage", tm.ProxyPolicyLanguage.String(), "1.3.6.1.5.5.7.21.1")
	check("HonorCRQExt", tm.HonorCRQExt[0].String(), "2.5.29.17")
	check("CRLNextUpdate", tm.CRLNextUpdate, 7)
	check("CRLNumber", tm.CRLNumber.Int64(), int64(42))
	check("ActivationDate", tm.ActivationDate.Unix(), int64(1700000000))
	check("ExpirationDate", tm.ExpirationDate.UTC().Format(time.RFC3339), "2030-01-02T03:04:05Z")
	check("CRLThisUpdateDate", tm.CRLThisUpdateDate.UTC().Format(time.RFC3339), "2030-01-01T00:00:00Z")
	check("CRLNextUpdateDate", tm.CRLNextUpdateDate.UTC().Format(time.RFC3339), "2030-01-31T22:00:00Z")
	check("CRLRevocationDate", tm.CRLRevocationDate.IsZero(), true)
	check("SubjectUniqueID", tm.SubjectUniqueID, []byte{0x0a, 0x0b})
	check("IssuerUniqueID", tm.IssuerUniqueID, []byte{0x0c, 0x0d})
	if len(tm.Warnings) != 1 || !strings.Contains(tm.Warnings[0].Message, "::ffff:1.2.3.4") {
		t.Errorf("warnings = %v, want only the IPv4-mapped one", tm.Warnings)
	}
}

func equalValues(a, b any) bool {
	switch x := a.(type) {
	case []net.IP:
		y := b.([]net.IP)
		if len(x) != len(y) {
			return false
		}
		for i := range x {
			if string(x[i]) != string(y[i]) {
				return false
			}
		}
		return true
	case []byte:
		return string(x) == string(b.([]byte))
	case []string:
		return strings.Join(x, "\x00") == strings.Join(b.([]string), "\x00")
	case []bool:
		y := b.([]bool)
		if len(x) != len(y) {
			return false
		}
		for i := range x {
			if x[i] != y[i] {
				return false
			}
		}
		return true
	case []int:
		y := b.([]int)
		if len(x) != len(y) {
			return false
		}
		for i := range x {
			if x[i] != y[i] {
				return false
			}
		}
		return true
	}
	return a == b
}

func TestDates(t *testing.T) {
	local := func(y int, m time.Month, d, h, mi, s int) time.Time {
		return time.Date(y, m, d, h, mi, s, 0, time.Local)
	}
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2024-01-02", local(2024, 1, 2, 0, 0, 0)},
		{"2024-01-02 03:04:05", local(2024, 1, 2, 3, 4, 5)},
		{"2024-01-02T03:04", local(2024, 1, 2, 3, 4, 0)},
		{"2024-01-02T03:04:05Z", time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)},
		{"2024-01-02T03:04:05+02:00", time.Date(2024, 1, 2, 1, 4, 5, 0, time.UTC)},
		{"2024-01-02 03:04:05 +0200", time.Date(2024, 1, 2, 1, 4, 5, 0, time.UTC)},
		{"2024-01-02 03:04:05 UTC", time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)},
		{"@1700000000", time.Unix(1700000000, 0)},
	}
	for _, tc := range tests {
		got, err := parseDate(tc.in)
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("parseDate(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	if _, err := parseDate("now"); !errors.Is(err, errDateNow) {
		t.Errorf("parseDate(now) = %v", err)
	}
	for _, bad := range []string{"next year", "2024-01-02 25:00:00", "@x", "1/2/2024", "2024-01-02 03:04:05 CET", "0001-01-01"} {
		if _, err := parseDate(bad); err == nil {
			t.Errorf("parseDate(%q) succeeded", bad)
		}
	}
}

func TestLintWarnings(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string // substrings, in order
	}{
		{"server drops email", "cn = s\nemail = a@b\ntls_www_server\n", []string{"t.info:2: warning: email is ignored because tls_www_server"}},
		{"path_len without ca", "cn = s\npath_len = 2\n", []string{"t.info:2: warning: path_len is ignored without ca"}},
		{"nc without ca", "cn = s\nnc_exclude_dns = x\nnc_permit_dns = y\n", []string{"t.info:2: warning: nc_* name constraints are ignored"}},
		{"cert signing without ca", "cn = s\ncert_signing_key\ncrl_signing_key\n", []string{"t.info:2: warning: cert_signing_key is ignored", "t.info:3: warning: crl_signing_key is ignored"}},
		{"ipv4-mapped", "cn = s\nip_address = ::ffff:1.2.3.4\n", []string{"t.info:2: warning: ip_address: ::ffff:1.2.3.4 is written as the IPv4 address 1.2.3.4"}},
		{"constraint host bits", "cn = s\nca\nnc_permit_ip = 10.0.0.1/8\n", []string{"t.info:3: warning: nc_permit_ip: 10.0.0.1/8 has host bits set; the constraint is the network 10.0.0.0/8"}},
		{"empty subject", "dns_name = x\n", []string{"t.info: warning: the subject is empty"}},
		{"ca keeps them", "cn = s\nca\npath_len = 1\ncert_signing_key\nnc_permit_dns = x\n", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tm, err := Parse("t.info", []byte(tc.text))
			if err != nil {
				t.Fatal(err)
			}
			if len(tm.Warnings) != len(tc.want) {
				t.Fatalf("warnings = %v, want %d", tm.Warnings, len(tc.want))
			}
			for i, w := range tc.want {
				if got := tm.Warnings[i].String(); !strings.Contains(got, w) {
					t.Errorf("warning %d = %q, want %q", i, got, w)
				}
			}
		})
	}
}

func TestParseFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "server.info")
	if err := os.WriteFile(p, []byte(guideServer), 0o644); err != nil {
		t.Fatal(err)
	}
	tm, err := ParseFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if tm.Name != p || tm.CN != "compute1.libvirt.org" || len(tm.IPAddresses) != 4 || !tm.TLSWWWServer {
		t.Errorf("ParseFile = %+v", tm)
	}
	_, err = ParseFile(filepath.Join(dir, "missing.info"))
	if err == nil || err.Error() != filepath.Join(dir, "missing.info")+": cannot read template: no such file or directory" {
		t.Errorf("missing file: %v", err)
	}
	big := filepath.Join(dir, "big.info")
	if err := os.WriteFile(big, []byte(strings.Repeat("# x\n", MaxTemplateSize/4+1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ParseFile(big); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("big file: %v", err)
	}
}

func TestSerialValues(t *testing.T) {
	for in, want := range map[string]string{"1": "1", "9223372036854775806": "9223372036854775806", "0x7f": "127", "0x0080": "128", "0x00ff00": "65280"} {
		n, err := parseSerial(in)
		if err != nil || n.Cmp(mustBig(want)) != 0 {
			t.Errorf("parseSerial(%q) = %v, %v; want %s", in, n, err, want)
		}
	}
	if _, err := parseSerial("9223372036854775807"); err == nil {
		t.Error("parseSerial accepted 2^63-1, which certtool rejects")
	}
}

func mustBig(s string) *big.Int {
	n, _ := new(big.Int).SetString(s, 10)
	return n
}
