package templates

import (
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"net"
	"strconv"
	"strings"
	"time"
)

// parseOID parses a dotted OID ("1.3.6.1.5.5.7.3.1").
func parseOID(s string) (asn1.ObjectIdentifier, error) {
	parts := strings.Split(s, ".")
	if len(parts) < 2 {
		return nil, fmt.Errorf("%q is not a dotted OID", s)
	}
	oid := make(asn1.ObjectIdentifier, len(parts))
	for i, p := range parts {
		if p == "" || (len(p) > 1 && p[0] == '0') {
			return nil, fmt.Errorf("%q is not a dotted OID", s)
		}
		n, err := strconv.ParseUint(p, 10, 31)
		if err != nil {
			return nil, fmt.Errorf("%q is not a dotted OID", s)
		}
		oid[i] = int(n)
	}
	if oid[0] > 2 || (oid[0] < 2 && oid[1] > 39) {
		return nil, fmt.Errorf("%q is not a valid OID", s)
	}
	return oid, nil
}

// splitPair splits an "OID value" pair the way certtool does: at the first
// space (or the first tab when there is no space), skipping blanks after it.
func splitPair(s string) (first, rest string, err error) {
	i := strings.IndexByte(s, ' ')
	if i < 0 {
		i = strings.IndexByte(s, '\t')
	}
	if i < 0 {
		return "", "", errors.New("expects \"OID value\" (separated by a space)")
	}
	first = s[:i]
	rest = strings.TrimLeft(s[i+1:], " \t")
	if rest == "" {
		return "", "", errors.New("expects \"OID value\": the value is missing")
	}
	return first, rest, nil
}

// parseInt parses a whole decimal integer (certtool's strtol would accept
// "10days" as 10 and "abc" as 0).
func parseInt(s string) (int, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 32)
	if err != nil {
		return 0, fmt.Errorf("%q is not a whole number", s)
	}
	return int(n), nil
}

// parseSerial parses a serial (or CRL number): decimal 1..2^63-2 or "0x"
// followed by an even number of hex digits, used as two's-complement bytes.
// A value certtool would encode as a negative number is rejected.
func parseSerial(s string) (*big.Int, error) {
	if strings.HasPrefix(s, "0x") {
		b, err := hex.DecodeString(s[2:])
		if err != nil || len(b) == 0 {
			return nil, fmt.Errorf("%q is not valid hex (0x followed by an even number of hex digits)", s)
		}
		if b[0]&0x80 != 0 {
			return nil, fmt.Errorf("%s has the top bit set: certtool would encode a negative serial number, which RFC 5280 forbids; prefix it with 00 (0x00%s) for the positive value", s, s[2:])
		}
		if len(b) > 20 {
			return nil, fmt.Errorf("%s is longer than 20 bytes (RFC 5280, section 4.1.2.2)", s)
		}
		return new(big.Int).SetBytes(b), nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || n >= 1<<63-1 {
		return nil, fmt.Errorf("%q is not a number between 1 and 9223372036854775806 (or 0x-prefixed hex)", s)
	}
	return big.NewInt(n), nil
}

// parseIP parses a SAN IP address with certtool's rule: a value containing
// ':' (or longer than 16 characters) is IPv6 and encoded in 16 bytes,
// anything else IPv4 in 4 bytes. CIDRs are rejected.
func parseIP(s string) (net.IP, error) {
	if strings.Contains(s, "/") {
		return nil, fmt.Errorf("%q is a network, not an address (CIDRs belong in nc_permit_ip/nc_exclude_ip)", s)
	}
	ip := net.ParseIP(s)
	if strings.Contains(s, ":") || len(s) > 16 {
		if ip == nil || !strings.Contains(s, ":") {
			return nil, fmt.Errorf("%q is not an IPv6 address", s)
		}
		return ip.To16(), nil
	}
	if ip == nil || ip.To4() == nil {
		return nil, fmt.Errorf("%q is not an IPv4 address", s)
	}
	return ip.To4(), nil
}

// parseCIDR parses a name-constraint network. Host bits are cleared, as
// certtool does; masked reports whether there were any.
func parseCIDR(s string) (n *net.IPNet, masked bool, err error) {
	ip, n, err := net.ParseCIDR(s)
	if err != nil {
		return nil, false, fmt.Errorf("%q is not a network in CIDR form (e.g. 192.168.0.0/16 or fd00::/8)", s)
	}
	masked = !ip.Equal(n.IP)
	if !strings.Contains(s, ":") {
		n.IP = n.IP.To4()
		if len(n.Mask) == 16 {
			n.Mask = n.Mask[12:]
		}
	}
	return n, masked, nil
}

// parseHexBytes decodes hex with an optional "0x" prefix.
func parseHexBytes(s string) ([]byte, error) {
	s = strings.TrimPrefix(s, "0x")
	b, err := hex.DecodeString(s)
	if err != nil || len(b) == 0 {
		return nil, fmt.Errorf("%q is not valid hex", s)
	}
	return b, nil
}

// parseExtensionValue decodes an add_extension value: hex, optionally
// 0x-prefixed, or octet_string(hex) which wraps the bytes in an OCTET STRING.
func parseExtensionValue(s string) ([]byte, error) {
	if i := strings.IndexByte(s, '('); i >= 0 {
		if !strings.HasPrefix(s, "octet_string(") {
			return nil, fmt.Errorf("%q: only octet_string(hex) is supported", s)
		}
		j := strings.IndexByte(s, ')')
		if j < 0 {
			return nil, fmt.Errorf("%q: missing ')'", s)
		}
		if strings.TrimSpace(s[j+1:]) != "" {
			return nil, fmt.Errorf("%q: text after ')'", s)
		}
		b, err := parseHexBytes(s[i+1 : j])
		if err != nil {
			return nil, err
		}
		return tlv(tagOctetString, b), nil
	}
	return parseHexBytes(s)
}

// dateLayouts are the date forms accepted for the *_date keys, tried in
// order; forms without a zone are local time, as in certtool.
var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05 Z07:00",
	"2006-01-02 15:04:05 Z0700",
	"2006-01-02 15:04:05Z0700",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04",
	"2006-01-02 15:04",
	"2006-01-02",
}

// errDateNow marks the value "now".
var errDateNow = errors.New("now")

// parseDate parses a template date. "now" returns errDateNow: the caller
// resolves it at build time.
func parseDate(s string) (time.Time, error) {
	v := strings.TrimSpace(s)
	if v == "now" {
		return time.Time{}, errDateNow
	}
	if u, ok := strings.CutSuffix(v, " UTC"); ok && !strings.HasSuffix(u, "Z") {
		v = strings.Replace(u, " ", "T", 1) + "Z"
	}
	if strings.HasPrefix(v, "@") {
		n, err := strconv.ParseInt(v[1:], 10, 64)
		if err != nil {
			return time.Time{}, fmt.Errorf("cannot parse date %q: @ must be followed by seconds since 1970", s)
		}
		return time.Unix(n, 0).UTC(), nil
	}
	for _, l := range dateLayouts {
		var t time.Time
		var err error
		if strings.Contains(l, "Z07") {
			t, err = time.Parse(l, v)
		} else {
			t, err = time.ParseInLocation(l, v, time.Local)
		}
		if err == nil {
			if t.Year() < 1950 || t.Year() > 9999 {
				return time.Time{}, fmt.Errorf("date %q is outside 1950..9999", s)
			}
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("cannot parse date %q; use YYYY-MM-DD, \"YYYY-MM-DD HH:MM:SS\" (local time) with an optional zone (Z, +0200, +02:00), RFC 3339, @SECONDS or now", s)
}
