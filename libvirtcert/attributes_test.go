package libvirtcert

import (
	"encoding/asn1"
	"testing"
)

func TestAttributeTable(t *testing.T) {
	cases := []struct {
		name string
		oid  asn1.ObjectIdentifier
	}{
		{"C", asn1.ObjectIdentifier{2, 5, 4, 6}},
		{"ST", asn1.ObjectIdentifier{2, 5, 4, 8}},
		{"L", asn1.ObjectIdentifier{2, 5, 4, 7}},
		{"O", asn1.ObjectIdentifier{2, 5, 4, 10}},
		{"OU", asn1.ObjectIdentifier{2, 5, 4, 11}},
		{"CN", asn1.ObjectIdentifier{2, 5, 4, 3}},
		{"UID", asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 1}},
		{"DC", asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 25}},
		{"EMAIL", asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}},
		{"title", asn1.ObjectIdentifier{2, 5, 4, 12}},
		{"pseudonym", asn1.ObjectIdentifier{2, 5, 4, 65}},
		{"surName", asn1.ObjectIdentifier{2, 5, 4, 4}},
		{"serialNumber", asn1.ObjectIdentifier{2, 5, 4, 5}},
		{"XmppAddr", asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 8, 5}},
		{"jurisdictionOfIncorporationCountryName", asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 60, 2, 1, 3}},
		{"INN", asn1.ObjectIdentifier{1, 2, 643, 3, 131, 1, 1}},
	}
	for _, c := range cases {
		oid, ok := AttributeOID(c.name)
		if !ok || !oid.Equal(c.oid) {
			t.Errorf("AttributeOID(%q) = %v, %v; want %v", c.name, oid, ok, c.oid)
		}
		name, ok := AttributeName(c.oid)
		if !ok || name != c.name {
			t.Errorf("AttributeName(%v) = %q, %v; want %q", c.oid, name, ok, c.name)
		}
	}
}

func TestAttributeOIDIsCaseInsensitive(t *testing.T) {
	for _, n := range []string{"cn", "Cn", "email", "TITLE", "dc"} {
		if _, ok := AttributeOID(n); !ok {
			t.Errorf("AttributeOID(%q) not found", n)
		}
	}
}

func TestAttributeUnknown(t *testing.T) {
	for _, n := range []string{"emailAddress", "SN", "GN", "street address", "", "ＣＮ"} {
		if oid, ok := AttributeOID(n); ok {
			t.Errorf("AttributeOID(%q) = %v, want not found", n, oid)
		}
	}
	// Known to GnuTLS but without a name: printed as a dotted OID.
	for _, oid := range []asn1.ObjectIdentifier{{1, 2, 840, 113549, 1, 9, 7}, {1, 2, 840, 113549, 1, 9, 20}, {1, 2, 3, 4}} {
		if name, ok := AttributeName(oid); ok {
			t.Errorf("AttributeName(%v) = %q, want not found", oid, name)
		}
	}
}

func TestAttributeTableConsistent(t *testing.T) {
	seen := map[string]bool{}
	for _, a := range attributes {
		if seen[a.oid] {
			t.Errorf("duplicate OID %s", a.oid)
		}
		seen[a.oid] = true
		if parseOID(a.oid).String() != a.oid {
			t.Errorf("OID %s does not round-trip", a.oid)
		}
	}
}

func TestAttributeStringType(t *testing.T) {
	for _, tc := range []struct {
		oid  asn1.ObjectIdentifier
		want StringType
	}{
		{asn1.ObjectIdentifier{2, 5, 4, 3}, DirectoryString},
		{asn1.ObjectIdentifier{2, 5, 4, 6}, PrintableString},
		{asn1.ObjectIdentifier{2, 5, 4, 46}, PrintableString},
		{asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 25}, IA5String},
		{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}, IA5String},
		{asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 8, 5}, UTF8String},
		{asn1.ObjectIdentifier{1, 2, 643, 3, 131, 1, 1}, NumericString},
	} {
		if got, ok := AttributeStringType(tc.oid); !ok || got != tc.want {
			t.Errorf("AttributeStringType(%s) = %v, %v; want %v, true", tc.oid, got, ok, tc.want)
		}
	}
	// Unnamed rows and unknown OIDs cannot be set.
	for _, oid := range []asn1.ObjectIdentifier{{1, 2, 840, 113549, 1, 9, 7}, {1, 2, 840, 113549, 1, 9, 21}, {1, 2, 3, 4}} {
		if _, ok := AttributeStringType(oid); ok {
			t.Errorf("AttributeStringType(%s) is true", oid)
		}
	}
}
