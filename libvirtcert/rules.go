package libvirtcert

import (
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"strings"
	"time"

	"github.com/virt-pki/virt-pki/x509oid"
)

// Problem IDs reported by CheckCertificate. They are stable: validators,
// probes and JSON consumers key on them.
const (
	// libvirt's own rules (virNetTLSContextCheckCert*, libvirt 9.0).
	IDExpired                   = "expired"
	IDNotYetValid               = "not-yet-valid"
	IDLeafIsCA                  = "leaf-is-ca"
	IDCANotCA                   = "ca-not-ca"
	IDCAMissingBasicConstraints = "ca-missing-basic-constraints"
	IDKUNoCertSign              = "ku-no-cert-sign"
	IDKUNoDigitalSignature      = "ku-no-digital-signature"
	IDKUNoKeyEncipherment       = "ku-no-key-encipherment"
	IDEKUNoServer               = "eku-no-server"
	IDEKUNoClient               = "eku-no-client"
	// IDEmptySubject: a peer certificate whose subject is empty. libvirt
	// reads the peer's DN for every TLS session and refuses the session
	// when gnutls_x509_crt_get_dn fails ("Failed to get certificate
	// [session] distinguished name: ...").
	IDEmptySubject = "empty-subject"
	// IDSubjectUnprintable: GnuTLS cannot print the subject DN (an empty
	// CN/O/... value), so libvirt refuses the session as for an empty
	// subject; a subject of empty RDNs makes GnuTLS abort the process.
	IDSubjectUnprintable = "subject-unprintable"
	// IDGnuTLSWillNotUse is not a libvirt rule; see CheckCertificate.
	IDGnuTLSWillNotUse = "gnutls-will-not-use"

	// VerifyChain's IDs.
	IDUnknownIssuer     = "unknown-issuer"
	IDUntrusted         = "untrusted"
	IDInsecureAlgorithm = "insecure-algorithm"
)

// Text returns p's message with the certificate file name filled in, as
// libvirt prints it (libvirt uses "[session]" for a peer's certificate).
func (p Problem) Text(file string) string {
	return strings.Replace(p.Message, "%s", file, 1)
}

// Key purpose OIDs as GnuTLS names them.
const (
	KeyPurposeServer = "1.3.6.1.5.5.7.3.1" // GNUTLS_KP_TLS_WWW_SERVER
	KeyPurposeClient = "1.3.6.1.5.5.7.3.2" // GNUTLS_KP_TLS_WWW_CLIENT
	KeyPurposeAny    = "2.5.29.37.0"       // GNUTLS_KP_ANY
)

// extension returns the extension with oid and whether it is present.
func extension(cert *x509.Certificate, oid asn1.ObjectIdentifier) (value []byte, critical, present bool) {
	for _, e := range cert.Extensions {
		if e.Id.Equal(oid) {
			return e.Value, e.Critical, true
		}
	}
	return nil, false, false
}

// KeyPurposes returns the key purpose OIDs of cert's extended key usage
// extension in encoded order (as gnutls_x509_crt_get_key_purpose_oid
// lists them), whether the extension is critical, and whether it is
// present.
func KeyPurposes(cert *x509.Certificate) (oids []string, critical, present bool) {
	v, crit, ok := extension(cert, x509oid.ExtKeyUsage)
	if !ok {
		return nil, false, false
	}
	var list []asn1.ObjectIdentifier
	if rest, err := asn1.Unmarshal(v, &list); err == nil && len(rest) == 0 {
		for _, o := range list {
			oids = append(oids, o.String())
		}
	}
	return oids, crit, true
}

// CheckCertificate applies libvirt 9.0's certificate rules
// (virNetTLSContextCheckCert: times, basic constraints, key usage, key
// purpose, in that order) for role at time now and returns every problem
// found, fatal or not, in that order. libvirt itself stops at the first
// fatal one, which is the error it prints; the non-fatal ones before it are
// the warnings it logs ("Certificate %s usage does not permit ...").
//
// For the server and client roles it also reports what libvirt checks on
// a peer's certificate during the TLS session: the subject must print as a
// DN (IDEmptySubject, IDSubjectUnprintable).
//
// Rules, with their IDs:
//   - IDExpired / IDNotYetValid (fatal): now after NotAfter / before
//     NotBefore, compared in whole seconds as libvirt does with time(NULL).
//   - IDLeafIsCA (fatal): a server or client certificate with CA:TRUE.
//   - IDCANotCA (fatal): a CA certificate with CA:FALSE.
//   - IDCAMissingBasicConstraints (fatal): a CA certificate without the
//     basic constraints extension. A leaf without it is fine.
//   - IDKUNoCertSign: a CA whose key usage lacks keyCertSign.
//   - IDKUNoDigitalSignature / IDKUNoKeyEncipherment: a leaf whose key
//     usage lacks digitalSignature / keyEncipherment. With
//     opts.ECExemptFromKeyEncipherment (newer libvirt, RFC 8813) EC, X25519
//     and X448 keys need no keyEncipherment.
//   - IDEKUNoServer / IDEKUNoClient: a server (client) certificate whose
//     key purposes allow no TLS server (client) use. libvirt counts
//     serverAuth for servers, clientAuth for clients, and any OTHER purpose
//     as allowing both (codeSigning does); anyExtendedKeyUsage alone allows
//     neither (libvirt compares with STRNEQ). No extension allows both.
//
// Key usage and key purpose problems are fatal only when the extension is
// critical; otherwise libvirt logs a warning and carries on. A missing key
// usage extension is fine.
//
// IDGnuTLSWillNotUse (fatal, not a libvirt rule): a server or client
// certificate with a key usage extension, critical or NOT, that lacks
// digitalSignature. libvirt only warns when the extension is not critical,
// but GnuTLS then refuses to use the certificate in a handshake: every
// TLS 1.3 handshake and every TLS 1.2 ECDHE/DHE handshake signs with the
// certificate's key, and GnuTLS's _gnutls_check_key_usage_for_sig
// (lib/tls-sig.c) returns GNUTLS_E_KEY_USAGE_VIOLATION for "Local"
// certificates without digitalSignature (unless the priority string has
// %ALLOW_SERVER_KEY_USAGE_VIOLATION) and rejects "Peer's" certificates
// without it when verifying their signature. The connection fails although
// libvirt's own check passed.
func CheckCertificate(cert *x509.Certificate, role Role, now time.Time, opts Options) []Problem {
	var out []Problem
	add := func(id string, fatal bool, msg string) {
		out = append(out, Problem{ID: id, Fatal: fatal, Message: msg})
	}
	what := map[Role]string{RoleCA: "CA", RoleServer: "server", RoleClient: "client"}[role]

	// virNetTLSContextCheckCertTimes
	if cert.NotAfter.Unix() < now.Unix() {
		add(IDExpired, true, "The "+what+" certificate %s has expired")
	} else if cert.NotBefore.Unix() > now.Unix() {
		add(IDNotYetValid, true, "The "+what+" certificate %s is not yet active")
	}

	// virNetTLSContextCheckCertBasicConstraints
	_, _, hasBC := extension(cert, x509oid.BasicConstraints)
	switch {
	case hasBC && cert.IsCA && role != RoleCA:
		add(IDLeafIsCA, true, "The certificate %s basic constraints show a CA, but we need one for a "+what)
	case hasBC && !cert.IsCA && role == RoleCA:
		add(IDCANotCA, true, "The certificate %s basic constraints do not show a CA")
	case !hasBC && role == RoleCA:
		add(IDCAMissingBasicConstraints, true, "The certificate %s is missing basic constraints for a CA")
	}

	// virNetTLSContextCheckCertKeyUsage
	_, kuCrit, hasKU := extension(cert, x509oid.KeyUsage)
	if hasKU {
		ku := cert.KeyUsage
		if role == RoleCA {
			if ku&x509.KeyUsageCertSign == 0 {
				add(IDKUNoCertSign, kuCrit, "Certificate %s usage does not permit certificate signing")
			}
		} else {
			if ku&x509.KeyUsageDigitalSignature == 0 {
				add(IDKUNoDigitalSignature, kuCrit, "Certificate %s usage does not permit digital signature")
			}
			if ku&x509.KeyUsageKeyEncipherment == 0 && !(opts.ECExemptFromKeyEncipherment && ecLikeKey(cert)) {
				add(IDKUNoKeyEncipherment, kuCrit, "Certificate %s usage does not permit key encipherment")
			}
		}
	}

	// virNetTLSContextCheckCertKeyPurpose (leaf roles only)
	if role != RoleCA {
		allowServer, allowClient, crit := keyPurposeAllows(cert)
		if role == RoleServer && !allowServer {
			add(IDEKUNoServer, crit, "Certificate %s purpose does not allow use for with a TLS server")
		}
		if role == RoleClient && !allowClient {
			add(IDEKUNoClient, crit, "Certificate %s purpose does not allow use for with a TLS client")
		}
	}

	if role != RoleCA {
		// virNetTLSContextValidCertificate reads the peer's DN.
		_, err := FormatDN(cert.RawSubject)
		switch {
		case errors.Is(err, ErrEmptyDN):
			add(IDEmptySubject, true, "Failed to get certificate %s distinguished name: "+err.Error())
		case err != nil:
			add(IDSubjectUnprintable, true, "Failed to get certificate %s distinguished name: "+err.Error())
		}
		if hasKU && cert.KeyUsage&x509.KeyUsageDigitalSignature == 0 {
			add(IDGnuTLSWillNotUse, true, "GnuTLS will not use certificate %s in a TLS handshake: its key usage does not permit digital signature (GNUTLS_E_KEY_USAGE_VIOLATION)")
		}
	}
	return out
}

// keyPurposeAllows mirrors virNetTLSContextCheckCertKeyPurpose.
func keyPurposeAllows(cert *x509.Certificate) (server, client, critical bool) {
	oids, crit, present := KeyPurposes(cert)
	if !present || len(oids) == 0 {
		return true, true, false
	}
	for _, o := range oids {
		switch o {
		case KeyPurposeServer:
			server = true
		case KeyPurposeClient:
			client = true
		case KeyPurposeAny:
			// STRNEQ(buffer, GNUTLS_KP_ANY): anyExtendedKeyUsage grants nothing.
		default:
			server, client = true, true
		}
	}
	return server, client, crit
}

// ecLikeKey reports whether cert's key is one RFC 8813 exempts from
// keyEncipherment (GNUTLS_PK_ECDSA, GNUTLS_PK_ECDH_X25519, _X448).
func ecLikeKey(cert *x509.Certificate) bool {
	switch PublicKeyOID(cert) {
	case "1.2.840.10045.2.1", "1.3.101.110", "1.3.101.111":
		return true
	}
	return false
}

// PublicKeyOID returns the algorithm OID of cert's subject public key
// ("1.2.840.113549.1.1.1" RSA, "1.2.840.10045.2.1" EC, "1.3.101.112"
// Ed25519, ...), or "" when it cannot be read.
func PublicKeyOID(cert *x509.Certificate) string {
	var spki struct {
		Algorithm struct {
			Algorithm  asn1.ObjectIdentifier
			Parameters asn1.RawValue `asn1:"optional"`
		}
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(cert.RawSubjectPublicKeyInfo, &spki); err != nil {
		return ""
	}
	return spki.Algorithm.Algorithm.String()
}

// Fatal returns the first fatal problem of ps: the one libvirt reports.
func Fatal(ps []Problem) (Problem, bool) {
	for _, p := range ps {
		if p.Fatal {
			return p, true
		}
	}
	return Problem{}, false
}
