// Package libvirtcert is libvirt's view of an X.509 certificate, shared by
// issue, validate, tlsprobe and expiry so that none of them imports another:
//
//   - the GnuTLS DN strings: the legacy string of gnutls_x509_crt_get_dn
//     (RDNs in encoded order), which virt-pki-query-dn prints and libvirtd
//     matches against tls_allowed_dn_list, and the RFC 4514 order that
//     certtool -i prints;
//   - tls_allowed_dn_list matching (GLib g_pattern_match_simple: whole
//     string, only * and ?);
//   - libvirt's certificate rules (virnettlscert.c): validity, basic
//     constraints, key usage and key purpose with their criticality
//     semantics, chain verification against the first 16 CA certificates;
//   - libvirt's host-name rule (gnutls_x509_crt_check_hostname: DNS SANs,
//     IP SANs, CN only when there is no DNS SAN);
//   - reading PEM files the way libvirt does (64 KiB cap).
package libvirtcert
