package templates

import (
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/virt-pki/virt-pki/libvirtcert"
	"github.com/virt-pki/virt-pki/x509oid"
)

// isGnuTLSPrintable reports whether s fits GnuTLS's PrintableString set:
// [A-Za-z0-9 ()+,-./:=?] (the apostrophe is left out).
func isGnuTLSPrintable(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte(" ()+,-./:=?", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// attributeValue encodes a text value as GnuTLS does for type st.
func attributeValue(st libvirtcert.StringType, v string) []byte {
	switch st {
	case libvirtcert.PrintableString:
		return tlv(tagPrintableString, []byte(v))
	case libvirtcert.IA5String:
		return tlv(tagIA5String, []byte(v))
	case libvirtcert.UTF8String:
		return tlv(tagUTF8String, []byte(v))
	case libvirtcert.NumericString:
		return tlv(tagNumericString, []byte(v))
	}
	if isGnuTLSPrintable(v) {
		return tlv(tagPrintableString, []byte(v))
	}
	return tlv(tagUTF8String, []byte(v))
}

// rdn encodes a single-valued RelativeDistinguishedName.
func rdn(oid asn1.ObjectIdentifier, value []byte) []byte {
	return tlv(tagSet, seq(oidDER(oid), value))
}

// dnAttr is one attribute of a `dn` string.
type dnAttr struct {
	oid   asn1.ObjectIdentifier
	value string // unescaped text, or the DER value when raw
	raw   bool   // written as #hex
}

// parseDNString parses a `dn` value with GnuTLS's gnutls_x509_crt_set_dn
// rules (lib/x509/x509_dn.c): comma-separated NAME=value, names from the
// GnuTLS table or known dotted OIDs, #hex for raw DER values, backslash
// escapes of , # space + " < > ; \ =, no multi-valued RDNs. The attributes
// are returned in written order.
func parseDNString(s string) ([]dnAttr, error) {
	var out []dnAttr
	p := 0
	isSpace := func(c byte) bool { return c == ' ' || (c >= '\t' && c <= '\r') }
	for p < len(s) && s[p] != '\n' {
		start := p
		for p < len(s) && isSpace(s[p]) {
			p++
		}
		ns := p
		for p < len(s) && s[p] != '=' && !isSpace(s[p]) {
			p++
		}
		name := s[ns:p]
		for p < len(s) && isSpace(s[p]) {
			p++
		}
		if p >= len(s) || s[p] != '=' || name == "" {
			return nil, fmt.Errorf("dn: cannot parse %q: expected NAME=value", s[start:])
		}
		p++
		for p < len(s) && isSpace(s[p]) {
			p++
		}
		raw := p < len(s) && s[p] == '#'
		vs := p
		for p < len(s) && s[p] != '\n' && (s[p] != ',' || (p > 0 && s[p-1] == '\\')) {
			p++
		}
		val := s[vs:p]
		for i := 0; i < len(val); i++ {
			if val[i] == '+' && (i == 0 || val[i-1] != '\\') {
				return nil, fmt.Errorf("dn: multi-valued RDNs ('+') are not supported, as in certtool: %q", s[start:p])
			}
		}
		for len(val) > 0 && isSpace(val[len(val)-1]) {
			if len(val) >= 2 && val[len(val)-2] == '\\' {
				break
			}
			val = val[:len(val)-1]
		}
		if val == "" {
			return nil, fmt.Errorf("dn: %s has an empty value", name)
		}
		a, err := dnAttribute(name, val, raw)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
		for p < len(s) && isSpace(s[p]) {
			p++
		}
		if p < len(s) && s[p] != ',' && s[p] != '\n' {
			return nil, fmt.Errorf("dn: cannot parse %q", s[start:])
		}
		if p < len(s) && s[p] == ',' {
			p++
		}
	}
	if p < len(s) {
		return nil, errors.New("dn: contains a newline")
	}
	return out, nil
}

func dnAttribute(name, val string, raw bool) (dnAttr, error) {
	var oid asn1.ObjectIdentifier
	if name[0] >= '0' && name[0] <= '9' {
		o, err := parseOID(name)
		if err != nil {
			return dnAttr{}, fmt.Errorf("dn: %v", err)
		}
		if _, ok := libvirtcert.AttributeStringType(o); !ok && !raw {
			return dnAttr{}, fmt.Errorf("dn: %s is not an attribute GnuTLS knows; give its value as #hex DER", name)
		}
		oid = o
	} else {
		o, ok := libvirtcert.AttributeOID(name)
		if !ok {
			return dnAttr{}, fmt.Errorf("dn: unknown attribute %q (GnuTLS knows C, ST, L, O, OU, CN, UID, DC, EMAIL, title, ...)", name)
		}
		oid = o
	}
	if raw {
		b, err := hex.DecodeString(val[1:])
		if err != nil || len(b) == 0 {
			return dnAttr{}, fmt.Errorf("dn: %s: %q is not valid #hex", name, val)
		}
		return dnAttr{oid: oid, value: string(b), raw: true}, nil
	}
	var b strings.Builder
	for i := 0; i < len(val); i++ {
		if val[i] == '\\' && i+1 < len(val) {
			if strings.IndexByte(",# +\"<>;\\=", val[i+1]) < 0 {
				return dnAttr{}, fmt.Errorf("dn: %s: invalid escape %q", name, val[i:i+2])
			}
			b.WriteByte(val[i+1])
			i++
			continue
		}
		b.WriteByte(val[i])
	}
	a := dnAttr{oid: oid, value: b.String()}
	if st, ok := libvirtcert.AttributeStringType(oid); ok {
		if err := checkString(st, a.value); err != nil {
			return dnAttr{}, fmt.Errorf("dn: %s: %v", name, err)
		}
	}
	return a, nil
}

// encode returns the attribute's RDN.
func (a dnAttr) encode() []byte {
	if a.raw {
		return rdn(a.oid, []byte(a.value))
	}
	st, ok := libvirtcert.AttributeStringType(a.oid)
	if !ok {
		st = libvirtcert.DirectoryString
	}
	return rdn(a.oid, attributeValue(st, a.value))
}

// subjectDER encodes the subject Name in certtool's fixed order: the `dn`
// RDNs last-to-first, then C, ST, L, O..., OU..., CN, UID, DC..., dn_oid...,
// EMAIL.
func (t *Template) subjectDER() ([]byte, error) {
	var rdns [][]byte
	if t.DN != "" {
		attrs, err := parseDNString(t.DN)
		if err != nil {
			return nil, err
		}
		for i := len(attrs) - 1; i >= 0; i-- {
			rdns = append(rdns, attrs[i].encode())
		}
	}
	add := func(key string, oid asn1.ObjectIdentifier, st libvirtcert.StringType, v string) error {
		if v == "" {
			return fmt.Errorf("%s is empty", key)
		}
		if err := checkString(st, v); err != nil {
			return fmt.Errorf("%s: %v", key, err)
		}
		rdns = append(rdns, rdn(oid, attributeValue(st, v)))
		return nil
	}
	type field struct {
		key    string
		oid    asn1.ObjectIdentifier
		st     libvirtcert.StringType
		values []string
	}
	one := func(v string) []string {
		if v == "" {
			return nil
		}
		return []string{v}
	}
	fields := []field{
		{"country", x509oid.Country, libvirtcert.PrintableString, one(t.Country)},
		{"state", x509oid.State, libvirtcert.DirectoryString, one(t.State)},
		{"locality", x509oid.Locality, libvirtcert.DirectoryString, one(t.Locality)},
		{"organization", x509oid.Organization, libvirtcert.DirectoryString, t.Organization},
		{"unit", x509oid.OrganizationalUnit, libvirtcert.DirectoryString, t.Unit},
		{"cn", x509oid.CommonName, libvirtcert.DirectoryString, one(t.CN)},
		{"uid", x509oid.UserID, libvirtcert.DirectoryString, one(t.UID)},
		{"dc", x509oid.DomainComponent, libvirtcert.IA5String, t.DC},
	}
	for _, f := range fields {
		for _, v := range f.values {
			if err := add(f.key, f.oid, f.st, v); err != nil {
				return nil, err
			}
		}
	}
	for _, ov := range t.DNOIDs {
		st, ok := libvirtcert.AttributeStringType(ov.OID)
		if !ok {
			return nil, fmt.Errorf("dn_oid: %s is not an attribute GnuTLS knows", ov.OID)
		}
		if err := add("dn_oid", ov.OID, st, ov.Value); err != nil {
			return nil, err
		}
	}
	if t.PKCS9Email != "" {
		if err := add("pkcs9_email", x509oid.EmailAddress, libvirtcert.IA5String, t.PKCS9Email); err != nil {
			return nil, err
		}
	}
	return seq(rdns...), nil
}

// DNFromLegacy converts a DN written in encoded order, as virt-pki-query-dn
// and gnutls_x509_crt_get_dn print it ("C=GB,ST=London,O=Libvirt
// Project,CN=client1"), into the `dn` template value whose encoding has
// exactly those RDNs in that order ("CN=client1,O=Libvirt
// Project,ST=London,C=GB"). Escapes (\, \+ ...) are kept. It fails for
// multi-valued RDNs and for values the `dn` syntax cannot carry.
func DNFromLegacy(legacy string) (string, error) {
	parts, err := splitLegacyDN(legacy)
	if err != nil {
		return "", err
	}
	rev := make([]string, len(parts))
	for i, p := range parts {
		rev[len(parts)-1-i] = p
	}
	dn := strings.Join(rev, ",")
	// Check the round trip: the dn parser must see the same attributes.
	got, err := parseDNString(dn)
	if err != nil {
		return "", fmt.Errorf("DN %q: %v", legacy, err)
	}
	if len(got) != len(parts) {
		return "", fmt.Errorf("DN %q cannot be written as a certtool dn value", legacy)
	}
	for i, p := range parts {
		want, err := parseDNString(p)
		if err != nil || len(want) != 1 || !want[0].oid.Equal(got[len(got)-1-i].oid) || want[0].value != got[len(got)-1-i].value {
			return "", fmt.Errorf("DN %q: attribute %q cannot be written as a certtool dn value", legacy, p)
		}
	}
	return dn, nil
}

// splitLegacyDN splits a legacy DN at unescaped commas; an unescaped '+'
// (a multi-valued RDN) or a newline is an error.
func splitLegacyDN(s string) ([]string, error) {
	if strings.TrimSpace(s) == "" {
		return nil, errors.New("empty DN")
	}
	if strings.Contains(s, "\n") {
		return nil, fmt.Errorf("DN %q contains a newline", s)
	}
	parts := libvirtcert.SplitDN(s, ',')
	for _, p := range parts {
		if len(libvirtcert.SplitDN(p, '+')) > 1 {
			return nil, fmt.Errorf("DN %q has a multi-valued RDN ('+'), which certtool cannot write", s)
		}
		if !strings.Contains(p, "=") {
			return nil, fmt.Errorf("DN %q: %q is not NAME=value", s, p)
		}
	}
	return parts, nil
}

// LegacyDNLooksReversed reports whether a DN given in libvirt's (encoded)
// order looks like it was written in RFC 4514 order instead (as certtool -i
// and openssl print it): it starts with CN and ends with C or DC, the
// reverse of the usual C=...,O=...,CN=... . reversed is the DN with its
// attributes in the opposite order (escapes kept).
func LegacyDNLooksReversed(legacy string) (reversed string, looksReversed bool) {
	parts, err := splitLegacyDN(legacy)
	if err != nil || len(parts) < 2 {
		return "", false
	}
	attr := func(p string) string {
		name, _, _ := strings.Cut(p, "=")
		return strings.ToUpper(strings.TrimSpace(name))
	}
	first, last := attr(parts[0]), attr(parts[len(parts)-1])
	if first != "CN" || (last != "C" && last != "DC") {
		return "", false
	}
	rev := make([]string, len(parts))
	for i, p := range parts {
		rev[len(parts)-1-i] = p
	}
	return strings.Join(rev, ","), true
}
