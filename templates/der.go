package templates

import "encoding/asn1"

// DER tags used by the encoders in this package.
const (
	tagBoolean         = 0x01
	tagInteger         = 0x02
	tagBitString       = 0x03
	tagOctetString     = 0x04
	tagOID             = 0x06
	tagUTF8String      = 0x0c
	tagNumericString   = 0x12
	tagPrintableString = 0x13
	tagIA5String       = 0x16
	tagGeneralString   = 0x1b
	tagSequence        = 0x30
	tagSet             = 0x31
)

// tlv encodes one DER element.
func tlv(tag byte, content []byte) []byte {
	n := len(content)
	var out []byte
	switch {
	case n < 0x80:
		out = make([]byte, 0, 2+n)
		out = append(out, tag, byte(n))
	case n < 0x100:
		out = make([]byte, 0, 3+n)
		out = append(out, tag, 0x81, byte(n))
	case n < 0x10000:
		out = make([]byte, 0, 4+n)
		out = append(out, tag, 0x82, byte(n>>8), byte(n))
	case n < 0x1000000:
		out = make([]byte, 0, 5+n)
		out = append(out, tag, 0x83, byte(n>>16), byte(n>>8), byte(n))
	default:
		out = make([]byte, 0, 6+n)
		out = append(out, tag, 0x84, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	return append(out, content...)
}

// seq encodes a SEQUENCE of already-encoded elements.
func seq(elems ...[]byte) []byte { return tlv(tagSequence, concat(elems...)) }

// ctx encodes a context-specific tag [n]; constructed for EXPLICIT tags and
// for IMPLICIT tags of constructed types.
func ctx(n int, constructed bool, content []byte) []byte {
	tag := byte(0x80 | n)
	if constructed {
		tag |= 0x20
	}
	return tlv(tag, content)
}

func concat(elems ...[]byte) []byte {
	var out []byte
	for _, e := range elems {
		out = append(out, e...)
	}
	return out
}

// oidDER encodes an OBJECT IDENTIFIER.
func oidDER(oid asn1.ObjectIdentifier) []byte {
	b, err := asn1.Marshal(oid)
	if err != nil {
		panic("templates: invalid OID " + oid.String()) // OIDs are validated when parsed
	}
	return b
}

// intDER encodes a small non-negative INTEGER.
func intDER(n int) []byte {
	b, _ := asn1.Marshal(n)
	return b
}

// splitDER splits concatenated DER elements; ok is false on malformed input.
func splitDER(b []byte) (elems [][]byte, ok bool) {
	for len(b) > 0 {
		var raw asn1.RawValue
		rest, err := asn1.Unmarshal(b, &raw)
		if err != nil {
			return nil, false
		}
		elems = append(elems, raw.FullBytes)
		b = rest
	}
	return elems, true
}
