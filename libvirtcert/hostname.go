package libvirtcert

import (
	"bytes"
	"crypto/x509"
	"net/netip"
	"strings"

	"github.com/virt-pki/virt-pki/x509oid"
)

// MatchHostname reports whether cert is valid for host by GnuTLS 3.7's
// gnutls_x509_crt_check_hostname, which libvirt clients call with the host
// name of the connection URI:
//
//   - host is an IP address when it contains ':' and parses as IPv6, or
//     parses as dotted-quad IPv4. It then matches only IP address SANs, byte
//     for byte (an IPv4 address never matches a v4-mapped IPv6 SAN). There
//     is no fallback to DNS SANs or the CN, whatever the certificate holds.
//   - otherwise host is compared, ASCII case-insensitively, with each DNS
//     SAN that is printable ASCII. A SAN starting with '*' is a wildcard
//     when it has at least two dots and does not end in one: the '*'
//     matches any run of characters within the first label ("*.example.com"
//     matches "a.example.com", not "example.com" nor "a.b.example.com";
//     "*x.example.com" matches "ax.example.com").
//   - the subject CN is used only when the certificate has no DNS SAN and
//     no IP SAN, its key purposes allow a TLS server (none, serverAuth or
//     anyExtendedKeyUsage), and the subject has exactly one CN. The CN is
//     taken in its escaped DN form, so a CN with a comma never matches.
//
// GnuTLS maps a non-ASCII host name to its IDNA (punycode) form before
// comparing; MatchHostname compares such names as given.
func MatchHostname(cert *x509.Certificate, host string) bool {
	if ip, ok := parseHostIP(host); ok {
		for _, san := range cert.IPAddresses {
			if bytes.Equal(san, ip) {
				return true
			}
		}
		return false
	}
	for _, name := range cert.DNSNames {
		if strings.IndexByte(name, 0) >= 0 || !isPrintASCII([]byte(name)) {
			continue
		}
		if hostnameCompare(name, host) {
			return true
		}
	}
	if len(cert.DNSNames) > 0 || len(cert.IPAddresses) > 0 || !keyPurposeAllowsServerName(cert) {
		return false
	}
	cn, ok := singleCN(cert.RawSubject)
	if !ok || strings.IndexByte(cn, 0) >= 0 || !isPrintASCII([]byte(cn)) {
		return false
	}
	return hostnameCompare(cn, host)
}

// parseHostIP mirrors GnuTLS's inet_pton test and returns the address
// bytes (4 for IPv4, 16 for IPv6).
func parseHostIP(host string) ([]byte, bool) {
	if strings.Contains(host, ":") {
		a, err := netip.ParseAddr(host)
		if err != nil || !a.Is6() || a.Zone() != "" {
			return nil, false
		}
		b := a.As16()
		return b[:], true
	}
	a, err := netip.ParseAddr(host)
	if err != nil || !a.Is4() {
		return nil, false
	}
	b := a.As4()
	return b[:], true
}

// keyPurposeAllowsServerName is GnuTLS's _gnutls_check_key_purpose(cert,
// GNUTLS_KP_TLS_WWW_SERVER, 0): no extension, serverAuth or
// anyExtendedKeyUsage; for CA certificates also the old Netscape and
// VeriSign server-gated-crypto purposes.
func keyPurposeAllowsServerName(cert *x509.Certificate) bool {
	oids, _, present := KeyPurposes(cert)
	if !present || len(oids) == 0 {
		return true
	}
	for _, o := range oids {
		if o == KeyPurposeServer || o == KeyPurposeAny {
			return true
		}
		if cert.IsCA && (o == "2.16.840.1.113730.4.1" || o == "2.16.840.1.113733.1.8.1") {
			return true
		}
	}
	return false
}

// singleCN returns the subject's CN in GnuTLS's printed form when the
// subject has exactly one CN attribute.
func singleCN(rawSubject []byte) (string, bool) {
	rdns, err := ParseName(rawSubject)
	if err != nil {
		return "", false
	}
	var found []AVA
	for _, rdn := range rdns {
		for _, a := range rdn {
			if a.OID == x509oid.CommonName.String() {
				found = append(found, a)
			}
		}
	}
	if len(found) != 1 {
		return "", false
	}
	v, err := FormatAttributeValue(found[0].OID, found[0].Value)
	return v, err == nil
}

// hostnameCompare is GnuTLS's _gnutls_hostname_compare.
func hostnameCompare(certName, host string) bool {
	if !isPrintASCII([]byte(certName)) {
		return false
	}
	if strings.HasPrefix(certName, "*") {
		last := strings.LastIndexByte(certName, '.')
		if last < 0 || strings.IndexByte(certName, '.') == last || last == len(certName)-1 {
			return false
		}
		rest := certName[1:]
		for i := 0; ; i++ {
			if asciiEqualFold(rest, host[i:]) {
				return true
			}
			if i >= len(host) || host[i] == '.' {
				return false
			}
		}
	}
	return asciiEqualFold(certName, host)
}

// asciiEqualFold compares with C's c_toupper (ASCII only); the host name
// stops at a NUL as a C string does.
func asciiEqualFold(certName, host string) bool {
	if i := strings.IndexByte(host, 0); i >= 0 {
		host = host[:i]
	}
	if len(certName) != len(host) {
		return false
	}
	for i := 0; i < len(host); i++ {
		if upper(certName[i]) != upper(host[i]) {
			return false
		}
	}
	return true
}

func upper(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}
