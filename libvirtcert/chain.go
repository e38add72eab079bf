package libvirtcert

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"time"

	"github.com/virt-pki/virt-pki/x509oid"
)

// GnuTLS certificate status bits (gnutls_certificate_status_t) that
// VerifyChain reports.
const (
	StatusInvalid           = 1 << 1
	StatusRevoked           = 1 << 5
	StatusSignerNotFound    = 1 << 6
	StatusSignerNotCA       = 1 << 7
	StatusInsecureAlgorithm = 1 << 8
	StatusNotActivated      = 1 << 9
	StatusExpired           = 1 << 10
	StatusSignatureFailure  = 1 << 11
	StatusSignerConstraints = 1 << 12
)

// ChainError is why libvirt's sanity check (gnutls_x509_crt_list_verify)
// rejects a certificate against the CA file.
type ChainError struct {
	// Problem has the ID (IDUnknownIssuer, IDUntrusted or
	// IDInsecureAlgorithm) and, as Message, the reason text libvirt
	// prints: "Our own certificate %s failed validation against %s:
	// <Message>" at startup, "Certificate failed validation: <Message>"
	// for a peer.
	Problem
	// Status is the GnuTLS status bitmask (Status* constants).
	Status uint
	// Detail says which check failed, in words ("the CA certificate
	// CN=Old CA expired on 2024-01-01"), since libvirt's reason alone
	// rarely says.
	Detail string
}

func (e *ChainError) Error() string {
	if e.Detail == "" {
		return e.Message
	}
	return e.Message + " (" + e.Detail + ")"
}

// Reason returns libvirt's reason text for a GnuTLS status bitmask (the
// precedence of virNetTLSContextCheckCertPair).
func Reason(status uint) string {
	reason := "Invalid certificate"
	if status&StatusInvalid != 0 {
		reason = "The certificate is not trusted."
	}
	if status&StatusSignerNotFound != 0 {
		reason = "The certificate hasn't got a known issuer."
	}
	if status&StatusRevoked != 0 {
		reason = "The certificate has been revoked."
	}
	if status&StatusInsecureAlgorithm != 0 {
		reason = "The certificate uses an insecure algorithm"
	}
	return reason
}

// VerifyChain verifies leaf against the CA certificates as libvirt's sanity
// check does with gnutls_x509_crt_list_verify (flags 0, no CRL). Only the
// first MaxCACerts of cas count, as libvirt imports no more. It returns nil
// when libvirt would accept the pair, else a *ChainError.
//
// Every CA certificate is a trust anchor, so the leaf must be signed
// directly by one of them (an intermediate CA in the CA file is enough).
// The rules follow GnuTLS 3.7's verify_crt:
//   - a leaf identical to a CA certificate is trusted if that certificate
//     is within its validity period;
//   - the issuer is a CA certificate whose subject equals the leaf's issuer
//     byte for byte and, when both identifiers exist, whose subject key
//     identifier equals the leaf's authority key identifier; among several,
//     the last one valid now, else the first;
//   - no issuer: "hasn't got a known issuer" (IDUnknownIssuer);
//   - a v3 issuer must have CA:TRUE and, when it has a key usage
//     extension, keyCertSign (v1 issuers are accepted as trust anchors);
//   - the signature must verify; MD5 and SHA-1 signatures are insecure
//     (IDInsecureAlgorithm) unless the leaf is self-signed;
//   - the issuer and the leaf must be within their validity periods;
//   - every other failure is "not trusted" (IDUntrusted).
func VerifyChain(leaf *x509.Certificate, cas []*x509.Certificate, now time.Time) error {
	if len(cas) > MaxCACerts {
		cas = cas[:MaxCACerts]
	}
	var status uint
	var detail string
	fail := func(bits uint, why string) {
		status |= bits | StatusInvalid
		if detail == "" {
			detail = why
		}
	}
	for _, ca := range cas {
		if bytes.Equal(ca.Raw, leaf.Raw) {
			if why := timeProblem(ca, now, "the certificate"); why != "" {
				fail(timeBits(ca, now), why)
				return chainError(status, detail)
			}
			return nil
		}
	}
	issuer := findIssuer(leaf, cas, now)
	if issuer == nil {
		fail(StatusSignerNotFound, "no certificate in the CA file has the subject "+dnOrHex(leaf.RawIssuer))
	} else {
		name := "the CA certificate " + dnOrHex(issuer.RawSubject)
		if issuer.Version != 1 {
			if !issuer.IsCA && !bytes.Equal(issuer.Raw, leaf.Raw) {
				fail(StatusSignerNotCA, name+" is not a CA (basic constraints)")
			}
			if _, _, hasKU := extension(issuer, x509oid.KeyUsage); hasKU && issuer.KeyUsage&x509.KeyUsageCertSign == 0 {
				fail(StatusSignerConstraints, name+" key usage does not permit certificate signing")
			}
		}
		if err := issuer.CheckSignature(leaf.SignatureAlgorithm, leaf.RawTBSCertificate, leaf.Signature); err != nil {
			var insecure x509.InsecureAlgorithmError
			if errors.As(err, &insecure) {
				fail(StatusInsecureAlgorithm, "the signature uses "+leaf.SignatureAlgorithm.String())
			} else {
				fail(StatusSignatureFailure, "the signature does not verify with the key of "+name)
			}
		}
	}
	if insecureSignature(leaf.SignatureAlgorithm) && !selfIssued(leaf) {
		fail(StatusInsecureAlgorithm, "the signature uses "+leaf.SignatureAlgorithm.String())
	}
	if issuer != nil {
		if why := timeProblem(issuer, now, "the CA certificate "+dnOrHex(issuer.RawSubject)); why != "" {
			fail(timeBits(issuer, now), why)
		}
	}
	if why := timeProblem(leaf, now, "the certificate"); why != "" {
		fail(timeBits(leaf, now), why)
	}
	if status != 0 {
		return chainError(status, detail)
	}
	return nil
}

func chainError(status uint, detail string) *ChainError {
	id := IDUntrusted
	switch {
	case status&StatusInsecureAlgorithm != 0:
		id = IDInsecureAlgorithm
	case status&StatusSignerNotFound != 0:
		id = IDUnknownIssuer
	}
	return &ChainError{Problem: Problem{ID: id, Fatal: true, Message: Reason(status)}, Status: status, Detail: detail}
}

// findIssuer is GnuTLS's find_issuer over the trusted list.
func findIssuer(cert *x509.Certificate, cas []*x509.Certificate, now time.Time) *x509.Certificate {
	var issuer *x509.Certificate
	for _, ca := range cas {
		if !isIssuer(cert, ca) {
			continue
		}
		if issuer == nil || timeProblem(ca, now, "") == "" {
			issuer = ca
		}
	}
	return issuer
}

// isIssuer compares the raw DNs and, when both are present, the authority
// and subject key identifiers.
func isIssuer(cert, ca *x509.Certificate) bool {
	if !bytes.Equal(cert.RawIssuer, ca.RawSubject) {
		return false
	}
	if len(cert.AuthorityKeyId) > 0 && len(ca.SubjectKeyId) > 0 && !bytes.Equal(cert.AuthorityKeyId, ca.SubjectKeyId) {
		return false
	}
	return true
}

func selfIssued(cert *x509.Certificate) bool { return isIssuer(cert, cert) }

func insecureSignature(alg x509.SignatureAlgorithm) bool {
	switch alg {
	case x509.MD2WithRSA, x509.MD5WithRSA, x509.SHA1WithRSA, x509.DSAWithSHA1, x509.ECDSAWithSHA1:
		return true
	}
	return false
}

func timeBits(c *x509.Certificate, now time.Time) uint {
	if c.NotAfter.Unix() < now.Unix() {
		return StatusExpired
	}
	return StatusNotActivated
}

func timeProblem(c *x509.Certificate, now time.Time, what string) string {
	switch {
	case c.NotAfter.Unix() < now.Unix():
		return what + " expired on " + c.NotAfter.UTC().Format(time.RFC3339)
	case c.NotBefore.Unix() > now.Unix():
		return what + " is not valid before " + c.NotBefore.UTC().Format(time.RFC3339)
	}
	return ""
}

// dnOrHex names a DN for messages.
func dnOrHex(raw []byte) string {
	if dn, err := FormatDN(raw); err == nil {
		return "\"" + dn + "\""
	}
	var rdn asn1.RawValue
	if _, err := asn1.Unmarshal(raw, &rdn); err == nil && len(rdn.Bytes) == 0 {
		return "(empty)"
	}
	return hexValue(raw)
}
