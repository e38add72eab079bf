package libvirtcert

import "crypto/x509"

// MaxFileSize is the size cap libvirt applies when it reads a certificate
// or CA file (virFileReadAll with 64 KiB).
const MaxFileSize = 65536

// MaxCACerts is how many certificates of the CA file libvirt's sanity check
// imports (MAX_CERTS in virnettlscontext.c).
const MaxCACerts = 16

// Role is what a certificate is used for in libvirt's TLS setup.
type Role int

// The roles libvirt checks certificates for.
const (
	RoleCA Role = iota
	RoleServer
	RoleClient
)

// String names the role as libvirt's messages do: "CA", "server", "client".
func (r Role) String() string {
	switch r {
	case RoleCA:
		return "CA"
	case RoleServer:
		return "server"
	case RoleClient:
		return "client"
	}
	return "unknown"
}

// Problem is one way a certificate breaks libvirt's rules.
type Problem struct {
	// ID is stable: one of the ID* constants (IDExpired "expired",
	// IDNotYetValid, IDLeafIsCA, IDCANotCA, IDCAMissingBasicConstraints,
	// IDKUNoCertSign, IDKUNoDigitalSignature, IDKUNoKeyEncipherment,
	// IDEKUNoServer, IDEKUNoClient, IDEmptySubject, IDSubjectUnprintable,
	// IDGnuTLSWillNotUse; VerifyChain: IDUnknownIssuer, IDUntrusted,
	// IDInsecureAlgorithm).
	ID string
	// Fatal is true when libvirt refuses the certificate; false when libvirt
	// only logs a warning and carries on.
	Fatal bool
	// Message is libvirt's own text where it has one, with %s where
	// libvirt puts the file name (for example "Certificate %s usage does
	// not permit key encipherment"); Text(file) fills it in.
	Message string
}

// Options select between libvirt versions' rules.
type Options struct {
	// ECExemptFromKeyEncipherment applies RFC 8813 (newer libvirt): EC and
	// X25519/X448 keys need no keyEncipherment. libvirt 9.0 (Debian 12)
	// does not exempt them.
	ECExemptFromKeyEncipherment bool
}

// SubjectDN returns cert's subject as gnutls_x509_crt_get_dn prints it (the
// string virt-pki-query-dn prints and tls_allowed_dn_list is matched
// against). An empty subject is an error (ErrEmptyDN), as in GnuTLS.
func SubjectDN(cert *x509.Certificate) (string, error) { return FormatDN(cert.RawSubject) }
