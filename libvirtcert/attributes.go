package libvirtcert

import (
	"encoding/asn1"
	"strings"
)

// valueKind is how GnuTLS decodes an attribute value (the etype/asn_desc
// columns of _oid2str in lib/x509/common.c).
type valueKind int

const (
	// kindDirectoryString: a DirectoryString CHOICE (teletex, printable,
	// universal, UTF-8, BMP); GnuTLS converts BMP to UTF-8, keeps
	// printable teletex, and prints other universal/teletex strings as #hex.
	kindDirectoryString valueKind = iota
	// The remaining kinds accept exactly one universal string tag.
	kindPrintable
	kindIA5
	kindUTF8
	kindNumeric
	kindBMP
	kindOctet
	// kindChallengePassword: PKIX1.pkcs-9-challengePassword (a CHOICE of
	// printableString / utf8String).
	kindChallengePassword
)

// attribute is one row of GnuTLS 3.7.9's DN attribute table.
type attribute struct {
	oid  string
	name string // "" when GnuTLS has no LDAP name (printed as dotted OID)
	kind valueKind
}

// attributes is GnuTLS 3.7.9's _oid2str table (lib/x509/common.c), in its
// order. Rows without a name are still "known": their values are decoded
// instead of printed as #hex DER, but the type prints as a dotted OID.
var attributes = []attribute{
	{"1.3.6.1.5.5.7.9.2", "placeOfBirth", kindDirectoryString},
	{"1.3.6.1.5.5.7.9.3", "gender", kindPrintable},
	{"1.3.6.1.5.5.7.9.4", "countryOfCitizenship", kindPrintable},
	{"1.3.6.1.5.5.7.9.5", "countryOfResidence", kindPrintable},

	{"2.5.4.6", "C", kindPrintable},
	{"2.5.4.9", "street", kindDirectoryString},
	{"2.5.4.12", "title", kindDirectoryString},
	{"2.5.4.10", "O", kindDirectoryString},
	{"2.5.4.11", "OU", kindDirectoryString},
	{"2.5.4.3", "CN", kindDirectoryString},
	{"2.5.4.7", "L", kindDirectoryString},
	{"2.5.4.8", "ST", kindDirectoryString},
	{"2.5.4.13", "description", kindDirectoryString},

	{"2.5.4.5", "serialNumber", kindPrintable},
	{"2.5.4.20", "telephoneNumber", kindPrintable},
	{"2.5.4.4", "surName", kindDirectoryString},
	{"2.5.4.43", "initials", kindDirectoryString},
	{"2.5.4.44", "generationQualifier", kindDirectoryString},
	{"2.5.4.42", "givenName", kindDirectoryString},
	{"2.5.4.65", "pseudonym", kindDirectoryString},
	{"2.5.4.46", "dnQualifier", kindPrintable},
	{"2.5.4.17", "postalCode", kindDirectoryString},
	{"2.5.4.41", "name", kindDirectoryString},
	{"2.5.4.15", "businessCategory", kindDirectoryString},

	{"0.9.2342.19200300.100.1.25", "DC", kindIA5},
	{"0.9.2342.19200300.100.1.1", "UID", kindDirectoryString},
	{"1.2.840.113556.1.4.656", "userPrincipalName", kindDirectoryString},

	{"1.3.6.1.4.1.311.60.2.1.1", "jurisdictionOfIncorporationLocalityName", kindDirectoryString},
	{"1.3.6.1.4.1.311.60.2.1.2", "jurisdictionOfIncorporationStateOrProvinceName", kindDirectoryString},
	{"1.3.6.1.4.1.311.60.2.1.3", "jurisdictionOfIncorporationCountryName", kindPrintable},

	{"1.2.840.113549.1.9.1", "EMAIL", kindIA5},
	{"1.2.840.113549.1.9.7", "", kindChallengePassword},
	{"1.2.840.113549.1.9.20", "", kindBMP},
	{"1.2.840.113549.1.9.21", "", kindOctet},
	{"1.2.840.113549.1.9.4", "", kindOctet},

	{"1.3.6.1.5.5.7.8.5", "XmppAddr", kindUTF8},

	{"1.2.643.100.1", "OGRN", kindNumeric},
	{"1.2.643.100.3", "SNILS", kindNumeric},
	{"1.2.643.100.5", "OGRNIP", kindNumeric},
	{"1.2.643.3.131.1.1", "INN", kindNumeric},
}

// lookupAttribute finds the table row for a dotted OID.
func lookupAttribute(oid string) (attribute, bool) {
	for _, a := range attributes {
		if a.oid == oid {
			return a, true
		}
	}
	return attribute{}, false
}

// AttributeOID returns the OID GnuTLS's DN table gives a short name such as
// "CN", "C", "DC", "UID", "EMAIL" or "title". The comparison is ASCII
// case-insensitive, as _gnutls_ldap_string_to_oid's is. Names GnuTLS does
// not know (for example "emailAddress" or "SN") return false.
func AttributeOID(name string) (asn1.ObjectIdentifier, bool) {
	for _, a := range attributes {
		if a.name != "" && strings.EqualFold(a.name, name) && isASCII(name) {
			return parseOID(a.oid), true
		}
	}
	return nil, false
}

// AttributeName returns GnuTLS's short name for an attribute OID ("CN",
// "EMAIL", "pseudonym", ...); false when GnuTLS prints the OID in dotted
// form (unknown OIDs and the table rows without a name).
func AttributeName(oid asn1.ObjectIdentifier) (string, bool) {
	a, ok := lookupAttribute(oid.String())
	if !ok || a.name == "" {
		return "", false
	}
	return a.name, true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// parseOID converts a dotted OID from the table; the table is constant, so
// a malformed entry is a programming error.
func parseOID(dotted string) asn1.ObjectIdentifier {
	var oid asn1.ObjectIdentifier
	n := 0
	for i := 0; i <= len(dotted); i++ {
		if i == len(dotted) || dotted[i] == '.' {
			oid = append(oid, n)
			n = 0
			continue
		}
		n = n*10 + int(dotted[i]-'0')
	}
	return oid
}

// StringType is the ASN.1 string type GnuTLS gives a DN attribute's text
// value when it encodes one (certtool templates, gnutls_x509_crt_set_dn).
type StringType int

const (
	// DirectoryString: PrintableString when every byte is in GnuTLS's
	// printable set, else UTF8String.
	DirectoryString StringType = iota
	PrintableString
	IA5String
	UTF8String
	NumericString
)

// AttributeStringType returns how GnuTLS encodes text values of the
// attribute oid (the etype column of _oid2str). It is false exactly when
// AttributeName is: GnuTLS does not set attributes it cannot name (certtool:
// "The OID is not supported").
func AttributeStringType(oid asn1.ObjectIdentifier) (StringType, bool) {
	a, ok := lookupAttribute(oid.String())
	if !ok || a.name == "" {
		return 0, false
	}
	switch a.kind {
	case kindPrintable:
		return PrintableString, true
	case kindIA5:
		return IA5String, true
	case kindUTF8:
		return UTF8String, true
	case kindNumeric:
		return NumericString, true
	}
	return DirectoryString, true
}
