package libvirtcert

import (
	"encoding/hex"
	"errors"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// ErrEmptyDN is returned for a Name without any RDN. Its text is GnuTLS's
// gnutls_strerror(GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE), which is what
// virt-pki-query-dn prints for a certificate with an empty subject.
var ErrEmptyDN = errors.New("The requested data were not available.")

// ErrDNDER is returned when a Name is not valid DER, or holds a value
// GnuTLS refuses to print (an OCTET STRING attribute with a NUL byte). Its
// text is gnutls_strerror(GNUTLS_E_ASN1_DER_ERROR).
var ErrDNDER = errDER

// ErrDNValueNotValid is returned when GnuTLS refuses to print a DN because
// a DirectoryString attribute (CN, O, OU, ...) has an empty value. Its
// text is gnutls_strerror(GNUTLS_E_ASN1_VALUE_NOT_VALID).
var ErrDNValueNotValid = errors.New("ASN1 parser: Value is not valid.")

// ErrDNAbort is returned for a Name whose RDNs are all empty SETs:
// GnuTLS 3.7.9 then fails an assertion in _gnutls_x509_parse_dn and aborts
// the process (virt-pki-query-dn dies with SIGABRT; libvirtd would too).
var ErrDNAbort = errors.New("GnuTLS aborts on this DN: every RDN is an empty SET")

// AVA is one attribute of a relative distinguished name.
type AVA struct {
	// OID is the attribute type in dotted form.
	OID string
	// Value is the complete DER encoding of the value (tag, length,
	// content).
	Value []byte
}

// RDN is one relative distinguished name: a set of attributes, usually one.
type RDN []AVA

// ParseName splits a DER Name (RDNSequence) into its RDNs in encoded
// order. It does not interpret values. An empty SET (an RDN without
// attributes) is kept as an empty RDN, as GnuTLS keeps it.
func ParseName(rawName []byte) ([]RDN, error) {
	seq, rest, err := readTagged(rawName, tagSequence)
	if err != nil || len(rest) != 0 {
		return nil, errDER
	}
	var rdns []RDN
	b := seq.content
	for len(b) > 0 {
		var set derElement
		set, b, err = readTagged(b, tagSet)
		if err != nil {
			return nil, err
		}
		rdn := RDN{}
		s := set.content
		for len(s) > 0 {
			var atv derElement
			atv, s, err = readTagged(s, tagSequence)
			if err != nil {
				return nil, err
			}
			oidEl, v, err := readTagged(atv.content, tagOID)
			if err != nil {
				return nil, err
			}
			oid, err := oidString(oidEl.content)
			if err != nil {
				return nil, err
			}
			val, tail, err := readElement(v)
			if err != nil || len(tail) != 0 {
				return nil, errDER
			}
			rdn = append(rdn, AVA{OID: oid, Value: val.full})
		}
		rdns = append(rdns, rdn)
	}
	return rdns, nil
}

// FormatDN renders a DER Name exactly as GnuTLS 3.7.9's
// gnutls_x509_crt_get_dn does (the "compat" string): RDNs in encoded order,
// first to last, joined by ",", the attributes of a multi-valued RDN joined
// by "+", each written as NAME=value with GnuTLS's short name (or the
// dotted OID) and the value decoded and escaped by FormatAttributeValue.
// This is the string virt-pki-query-dn prints and libvirtd matches against
// tls_allowed_dn_list. An empty Name returns ErrEmptyDN.
func FormatDN(rawName []byte) (string, error) {
	return formatDN(rawName, false)
}

// FormatDNRFC4514 renders a DER Name in RFC 4514 order (last RDN first), as
// gnutls_x509_crt_get_dn3 without the compat flag and certtool -i print it.
// Attribute formatting is the same as FormatDN's.
func FormatDNRFC4514(rawName []byte) (string, error) {
	return formatDN(rawName, true)
}

func formatDN(rawName []byte, reversed bool) (string, error) {
	rdns, err := ParseName(rawName)
	if err != nil {
		return "", err
	}
	if len(rdns) == 0 {
		return "", ErrEmptyDN
	}
	var sb strings.Builder
	n := len(rdns)
	for i := 0; i < n; i++ {
		idx := i
		if reversed {
			idx = n - 1 - i
		}
		last := i == n-1
		rdn := rdns[idx]
		for k, ava := range rdn {
			if name, ok := attributeNameByDotted(ava.OID); ok {
				sb.WriteString(name)
			} else {
				sb.WriteString(ava.OID)
			}
			sb.WriteByte('=')
			v, err := FormatAttributeValue(ava.OID, ava.Value)
			if err != nil {
				return "", err
			}
			sb.WriteString(v)
			// GnuTLS appends the separator after each attribute, so an
			// empty RDN contributes nothing and an empty last RDN leaves
			// the previous separator dangling.
			if k < len(rdn)-1 {
				sb.WriteByte('+')
			} else if !last {
				sb.WriteByte(',')
			}
		}
	}
	if sb.Len() == 0 {
		return "", ErrDNAbort
	}
	return sb.String(), nil
}

func attributeNameByDotted(oid string) (string, bool) {
	a, ok := lookupAttribute(oid)
	if !ok || a.name == "" {
		return "", false
	}
	return a.name, true
}

// FormatAttributeValue renders one attribute value (its complete DER
// encoding) as GnuTLS's _gnutls_x509_dn_to_string does:
//
//   - an OID GnuTLS does not know: "#" and the hex of the whole DER value,
//     unescaped;
//   - a known OID whose value does not have the string type GnuTLS expects
//     for it (for example C as a UTF8String, an empty string, a string
//     holding a NUL): the same "#hex" of the whole DER value;
//   - a DirectoryString (CN, O, OU, L, ST, ...): the UTF-8, printable, IA5
//     bytes as they are; a BMPString converted from UTF-16 to UTF-8; a
//     TeletexString as it is when every byte is printable ASCII; a
//     UniversalString, a TeletexString with other bytes, or a BMPString
//     that is not valid UTF-16 as "#" and the hex of the string content,
//     which the escaping step then prefixes with a backslash ("\#...");
//   - then str_escape: a backslash before , + " \ < > ; anywhere, before a
//     leading # or space and before a trailing space. Other bytes,
//     including control characters and invalid UTF-8, are kept raw.
func FormatAttributeValue(oid string, value []byte) (string, error) {
	a, ok := lookupAttribute(oid)
	if !ok {
		return hexValue(value), nil
	}
	var s []byte
	var decoded bool
	if a.kind == kindDirectoryString || a.kind == kindChallengePassword {
		// GnuTLS 3.7.9 fails the whole DN ("Value is not valid") when a
		// CHOICE-typed attribute has a value without content octets,
		// whatever its tag (observed with virt-pki-query-dn).
		if e, _, err := readElement(value); err == nil && len(e.content) == 0 {
			return "", ErrDNValueNotValid
		}
	}
	switch a.kind {
	case kindDirectoryString:
		s, decoded = decodeChoice(value, directoryStringTags)
	case kindChallengePassword:
		s, decoded = decodeChoice(value, challengePasswordTags)
	default:
		s, decoded = decodeSimple(a.kind, value)
	}
	if !decoded {
		return hexValue(value), nil
	}
	return escapeValue(s)
}

// directoryStringTags are the alternatives of PKIX1.DirectoryString in
// GnuTLS 3.7.9 (no IA5String: an IA5String CN prints as #hex).
var directoryStringTags = []byte{tagTeletexString, tagPrintableString, tagUniversalString, tagUTF8String, tagBMPString}
var challengePasswordTags = []byte{tagPrintableString, tagUTF8String}

var simpleKindTag = map[valueKind]byte{
	kindPrintable: tagPrintableString,
	kindIA5:       tagIA5String,
	kindUTF8:      tagUTF8String,
	kindNumeric:   tagNumericString,
	kindBMP:       tagBMPString,
	kindOctet:     tagOctetString,
}

// decodeSimple mirrors _gnutls_x509_decode_string with one expected string
// type (asn1_decode_simple_der, then make_printable_string). It reports
// false where GnuTLS falls back to the hex form.
func decodeSimple(kind valueKind, value []byte) ([]byte, bool) {
	want := simpleKindTag[kind]
	e, _, err := readElement(value)
	if err != nil || len(e.tag) != 1 || e.tag[0] != want {
		return nil, false
	}
	// asn1_decode_simple_der refuses an element with no content octets.
	if len(e.content) == 0 {
		return nil, false
	}
	out := e.content
	if kind == kindBMP {
		out = bmpToUTF8OrHex(e.content)
	}
	if kind != kindOctet && hasNUL(out) {
		return nil, false
	}
	return out, true
}

// decodeChoice mirrors decode_complex_string: a strict DER decode of a
// CHOICE of string types, then the conversions of make_printable_string.
func decodeChoice(value []byte, tags []byte) ([]byte, bool) {
	e, rest, err := readElement(value)
	if err != nil || len(rest) != 0 || len(e.tag) != 1 {
		return nil, false
	}
	allowed := false
	for _, t := range tags {
		if e.tag[0] == t {
			allowed = true
		}
	}
	// _gnutls_x509_read_value refuses an empty value.
	if !allowed || len(e.content) == 0 {
		return nil, false
	}
	var out []byte
	switch e.tag[0] {
	case tagTeletexString:
		if isPrintASCII(e.content) {
			out = e.content
		} else {
			out = []byte(hexValue(e.content))
		}
	case tagBMPString:
		out = bmpToUTF8OrHex(e.content)
	case tagUniversalString:
		// GnuTLS does not convert UniversalString: it prints the hex.
		out = []byte(hexValue(e.content))
	default:
		out = e.content
	}
	if hasNUL(out) {
		return nil, false
	}
	return out, true
}

// bmpToUTF8OrHex mirrors _gnutls_ucs2_to_utf8 (big-endian, libunistring
// u16_to_u8): a trailing 00 00 is dropped when the string is longer than 2
// bytes, an odd final byte is ignored, and ill-formed UTF-16 (unpaired
// surrogates) makes GnuTLS print "#" and the hex of the content instead.
func bmpToUTF8OrHex(content []byte) []byte {
	size := len(content)
	if size > 2 && content[size-1] == 0 && content[size-2] == 0 {
		size -= 2
	}
	units := make([]uint16, size/2)
	for i := range units {
		units[i] = uint16(content[2*i])<<8 | uint16(content[2*i+1])
	}
	out := make([]byte, 0, size*2)
	for i := 0; i < len(units); i++ {
		u := units[i]
		switch {
		case u < 0xd800 || u >= 0xe000:
			out = utf8.AppendRune(out, rune(u))
		case u < 0xdc00 && i+1 < len(units) && units[i+1] >= 0xdc00 && units[i+1] < 0xe000:
			out = utf8.AppendRune(out, utf16.DecodeRune(rune(u), rune(units[i+1])))
			i++
		default:
			return []byte(hexValue(content))
		}
	}
	return out
}

// escapeValue is GnuTLS's str_escape. A NUL byte (possible only in an
// OCTET STRING attribute) is an error, which makes GnuTLS fail the whole DN.
func escapeValue(s []byte) (string, error) {
	var sb strings.Builder
	sb.Grow(len(s) + 8)
	for i, c := range s {
		switch {
		case c == 0:
			return "", errDER
		case c == ',' || c == '+' || c == '"' || c == '\\' || c == '<' || c == '>' || c == ';':
			sb.WriteByte('\\')
		case i == 0 && (c == '#' || c == ' '):
			sb.WriteByte('\\')
		case i == len(s)-1 && c == ' ':
			sb.WriteByte('\\')
		}
		sb.WriteByte(c)
	}
	return sb.String(), nil
}

// hexValue is GnuTLS's data2hex: "#" and lowercase hex.
func hexValue(b []byte) string { return "#" + hex.EncodeToString(b) }

func hasNUL(b []byte) bool {
	for _, c := range b {
		if c == 0 {
			return true
		}
	}
	return false
}

// isPrintASCII is _gnutls_str_is_print (c_isprint on every byte).
func isPrintASCII(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}
