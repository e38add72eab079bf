package libvirtcert

import (
	"errors"
	"strconv"
)

// errDER is returned for input that is not valid DER. Its text is GnuTLS's
// gnutls_strerror(GNUTLS_E_ASN1_DER_ERROR), so callers that mirror GnuTLS
// tools can print it unchanged.
var errDER = errors.New("ASN1 parser: Error in DER parsing.")

// Universal tags used by the DN code (class universal, primitive unless
// noted).
const (
	tagOctetString     = 0x04
	tagOID             = 0x06
	tagUTF8String      = 0x0c
	tagSequence        = 0x30 // constructed
	tagSet             = 0x31 // constructed
	tagNumericString   = 0x12
	tagPrintableString = 0x13
	tagTeletexString   = 0x14
	tagIA5String       = 0x16
	tagUniversalString = 0x1c
	tagBMPString       = 0x1e
)

// derElement is one TLV.
type derElement struct {
	tag     []byte // identifier octets
	content []byte
	full    []byte // tag, length and content
}

// readElement splits the first DER element off b. It accepts high tag
// numbers and rejects indefinite or non-minimal lengths, as a strict DER
// decoder does.
func readElement(b []byte) (derElement, []byte, error) {
	if len(b) < 2 {
		return derElement{}, nil, errDER
	}
	i := 1
	if b[0]&0x1f == 0x1f { // high tag number form
		for {
			if i >= len(b) {
				return derElement{}, nil, errDER
			}
			if i == 1 && b[i] == 0x80 {
				return derElement{}, nil, errDER
			}
			c := b[i]
			i++
			if c&0x80 == 0 {
				break
			}
			if i > 6 {
				return derElement{}, nil, errDER
			}
		}
	}
	tagEnd := i
	if i >= len(b) {
		return derElement{}, nil, errDER
	}
	l := int(b[i])
	i++
	if l&0x80 != 0 {
		n := l & 0x7f
		if n == 0 || n > 4 || i+n > len(b) {
			return derElement{}, nil, errDER
		}
		if b[i] == 0 {
			return derElement{}, nil, errDER
		}
		l = 0
		for j := 0; j < n; j++ {
			l = l<<8 | int(b[i+j])
		}
		i += n
		if l < 0x80 {
			return derElement{}, nil, errDER
		}
	}
	if l < 0 || l > len(b)-i {
		return derElement{}, nil, errDER
	}
	e := derElement{tag: b[:tagEnd], content: b[i : i+l], full: b[:i+l]}
	return e, b[i+l:], nil
}

// readTagged reads one element whose single identifier octet is tag.
func readTagged(b []byte, tag byte) (derElement, []byte, error) {
	e, rest, err := readElement(b)
	if err != nil {
		return e, nil, err
	}
	if len(e.tag) != 1 || e.tag[0] != tag {
		return e, nil, errDER
	}
	return e, rest, nil
}

// oidString renders OID content octets in dotted form the way libtasn1
// does (arcs up to 64 bits, minimal base-128 encoding).
func oidString(content []byte) (string, error) {
	if len(content) == 0 {
		return "", errDER
	}
	var out []byte
	var v uint64
	first := true
	start := true
	for i, c := range content {
		if start && c == 0x80 {
			return "", errDER
		}
		start = false
		if v > (^uint64(0))>>7 {
			return "", errDER
		}
		v = v<<7 | uint64(c&0x7f)
		if c&0x80 != 0 {
			if i == len(content)-1 {
				return "", errDER
			}
			continue
		}
		if first {
			switch {
			case v < 40:
				out = append(out, '0', '.')
				out = strconv.AppendUint(out, v, 10)
			case v < 80:
				out = append(out, '1', '.')
				out = strconv.AppendUint(out, v-40, 10)
			default:
				out = append(out, '2', '.')
				out = strconv.AppendUint(out, v-80, 10)
			}
			first = false
		} else {
			out = append(out, '.')
			out = strconv.AppendUint(out, v, 10)
		}
		v = 0
		start = true
	}
	return string(out), nil
}
