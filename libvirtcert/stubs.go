package libvirtcert

import (
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"time"
)

var errTODO = errors.New("libvirtcert: not implemented yet")

// SubjectDN returns cert's subject as gnutls_x509_crt_get_dn prints it (the
// string virt-pki-query-dn prints and tls_allowed_dn_list is matched
// against). An empty subject is an error, as in GnuTLS.
func SubjectDN(cert *x509.Certificate) (string, error) { return FormatDN(cert.RawSubject) }

// FormatDN renders a DER Name in GnuTLS's legacy order (RDNs as encoded,
// first to last, joined by ",", multi-valued RDNs joined by "+").
func FormatDN(rawName []byte) (string, error) { return "", errTODO }

// FormatDNRFC4514 renders a DER Name in RFC 4514 order (reversed), as
// certtool -i prints it.
func FormatDNRFC4514(rawName []byte) (string, error) { return "", errTODO }

// MatchDNPattern reports whether dn matches one tls_allowed_dn_list pattern
// with GLib's g_pattern_match_simple: the whole string, '*' any run, '?' one
// character, nothing else special.
func MatchDNPattern(pattern, dn string) bool { return false }

// CheckCertificate applies libvirt's virNetTLSCertCheck rules for role at
// time now and returns every problem found, fatal or not.
func CheckCertificate(cert *x509.Certificate, role Role, now time.Time, opts Options) []Problem {
	return nil
}

// VerifyChain verifies leaf against the CA certificates as libvirt's sanity
// check does (only the first MaxCACerts of cas count). It returns nil when
// libvirt would accept the chain, else a Problem-carrying error.
func VerifyChain(leaf *x509.Certificate, cas []*x509.Certificate, now time.Time) error {
	return errTODO
}

// MatchHostname reports whether cert is valid for host by GnuTLS's
// gnutls_x509_crt_check_hostname rules, which libvirt clients use: an IP
// address matches only IP SANs; a name matches DNS SANs (with wildcards);
// the CN counts only when the certificate has no DNS SAN.
func MatchHostname(cert *x509.Certificate, host string) bool { return false }

// AttributeOID returns the OID GnuTLS's DN table gives a short name such as
// "CN", "C", "DC", "UID", "EMAIL" or "title" (case-insensitive).
func AttributeOID(name string) (asn1.ObjectIdentifier, bool) { return nil, false }

// AttributeName returns GnuTLS's short name for an attribute OID ("CN",
// "EMAIL", "pseudonym", ...); false when GnuTLS prints the OID in dotted form.
func AttributeName(oid asn1.ObjectIdentifier) (string, bool) { return "", false }
