// Package libvirtcert is libvirt's view of an X.509 certificate, shared by
// issue, validate, tlsprobe and expiry so that none of them imports another:
//
//   - the GnuTLS DN strings (FormatDN, FormatDNRFC4514, SubjectDN): the
//     legacy string of gnutls_x509_crt_get_dn (RDNs in encoded order),
//     which virt-pki-query-dn prints and libvirtd matches against
//     tls_allowed_dn_list, and the RFC 4514 order that certtool -i prints,
//     byte for byte as GnuTLS 3.7.9 writes them; GnuTLS's attribute table
//     (AttributeOID, AttributeName);
//   - tls_allowed_dn_list matching (MatchDNPattern: GLib
//     g_pattern_match_simple, whole string, only * and ?);
//   - libvirt 9.0's certificate rules (CheckCertificate): validity, basic
//     constraints, key usage and key purpose with their criticality
//     semantics, the peer DN check, and the GnuTLS key-usage rule libvirt
//     misses; chain verification against the first 16 CA certificates
//     (VerifyChain) with libvirt's reason texts;
//   - libvirt's host-name rule (MatchHostname: gnutls_x509_crt_check_hostname);
//   - the one certificate-PEM reader of virt-pki (ReadCertificates,
//     ParseCertificates and their PEMCertificate forms), reading files the
//     way libvirt does: 64 KiB cap, text up to the first NUL, CERTIFICATE
//     and X509 CERTIFICATE blocks; every failure a one-line *FileError
//     naming the file with a reason callers can test (ErrDER,
//     ErrPrivateKey, ErrNoCertificate, ...); and the way GnuTLS imports
//     the first certificate of a PEM file (ImportPEMCertificate, RawNames,
//     which accept subjects Go's parser refuses);
//   - the one CRL-file reader (ReadCRLs, ParseCRLs), reading a crl_file
//     as GnuTLS does for libvirt: PEM only (a DER CRL is ErrDERCRL with
//     the command that converts it), every X509 CRL block, one bad block
//     fails the file; and the one revocation lookup (Revoked);
//   - splitting DN strings at unescaped separators (SplitDN);
//   - a certtool -i style summary with libvirt's verdicts (Describe);
//   - the one "days left" rule (WholeDays, DaysLeft: truncated toward zero).
//
// The tests compare these with the real tools where they are installed:
// virt-pki-query-dn and certtool -i for DN strings (golden/dn_test.go),
// libvirtd and virsh for the rules, the chain check, host names and the
// DN ACL, and GLib for pattern matching.
package libvirtcert
