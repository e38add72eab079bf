package issue

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"

	"github.com/virt-pki/virt-pki/templates"
	"github.com/virt-pki/virt-pki/x509oid"
)

// CertificateRequest builds the PKCS #10 request certtool 3.7.9 -q makes
// for t and key (DER). certtool's request rules differ from its
// certificate rules (observed):
//   - extensions, in order: SAN (email names are kept even with
//     tls_www_server), add_extension, add_critical_extension, BasicConstraints
//     (critical), the key purposes when code_signing_key,
//     time_stamping_key, email_protection_key, ipsec_ike_key or
//     ocsp_signing_key created them, KeyUsage (critical), TLS features,
//     then the key purposes created by tls_www_client, tls_www_server or
//     key_purpose_oid; key purposes are critical;
//   - key purposes are listed code signing, time stamping, email
//     protection, IPsec IKE, OCSP signing, client, server, key_purpose_oid;
//   - key usage: for RSA, signing_key gives digitalSignature and
//     encryption_key keyEncipherment, digitalSignature when neither is
//     set; for other keys always digitalSignature; with `ca`,
//     cert_signing_key and crl_signing_key add their bits; nothing else;
//   - CRL distribution points, AIA, policies and name constraints are not
//     requested.
//
// challenge_password is not written.
func CertificateRequest(t *templates.Template, key crypto.Signer, sigAlg x509.SignatureAlgorithm) ([]byte, error) {
	// The certificate builder gives the subject, the SAN and the
	// BasicConstraints values; email names survive only without
	// tls_www_server there, so build from a copy without it.
	noServer := *t
	noServer.TLSWWWServer = false
	cert, err := noServer.Certificate(templates.BuildOptions{SubjectKey: key.Public(), SignerKey: key.Public(), Rand: rand.Reader})
	if err != nil {
		return nil, err
	}
	find := func(oid asn1.ObjectIdentifier) (pkix.Extension, bool) {
		for _, e := range cert.ExtraExtensions {
			if e.Id.Equal(oid) {
				return e, true
			}
		}
		return pkix.Extension{}, false
	}
	var exts []pkix.Extension
	if e, ok := find(x509oid.SubjectAltName); ok {
		exts = append(exts, e)
	}
	for _, e := range t.AddExtensions {
		exts = append(exts, pkix.Extension{Id: e.OID, Value: e.Value})
	}
	for _, e := range t.AddCriticalExtensions {
		exts = append(exts, pkix.Extension{Id: e.OID, Critical: true, Value: e.Value})
	}
	if e, ok := find(x509oid.BasicConstraints); ok {
		exts = append(exts, e)
	}
	var purposes []asn1.ObjectIdentifier
	for _, p := range []struct {
		on  bool
		oid asn1.ObjectIdentifier
	}{{t.CodeSigningKey, x509oid.KeyPurposeCodeSigning}, {t.TimeStampingKey, x509oid.KeyPurposeTimeStamping}, {t.EmailProtectionKey, x509oid.KeyPurposeEmailProtection},
		{t.IPsecIKEKey, x509oid.KeyPurposeIPsecIKE}, {t.OCSPSigningKey, x509oid.KeyPurposeOCSPSigning}} {
		if p.on {
			purposes = append(purposes, p.oid)
		}
	}
	early := len(purposes) > 0
	if t.TLSWWWClient {
		purposes = append(purposes, x509oid.KeyPurposeClientAuth)
	}
	if t.TLSWWWServer {
		purposes = append(purposes, x509oid.KeyPurposeServerAuth)
	}
	purposes = append(purposes, t.KeyPurposeOIDs...)
	var eku *pkix.Extension
	if len(purposes) > 0 {
		v, err := asn1.Marshal(purposes)
		if err != nil {
			return nil, err
		}
		eku = &pkix.Extension{Id: x509oid.ExtKeyUsage, Critical: true, Value: v}
	}
	if early {
		exts = append(exts, *eku)
	}
	ku, err := requestKeyUsage(t, key.Public())
	if err != nil {
		return nil, err
	}
	exts = append(exts, ku)
	if e, ok := find(x509oid.TLSFeature); ok {
		exts = append(exts, e)
	}
	if !early && eku != nil {
		exts = append(exts, *eku)
	}
	req := &x509.CertificateRequest{RawSubject: cert.RawSubject, ExtraExtensions: exts, SignatureAlgorithm: sigAlg}
	der, err := x509.CreateCertificateRequest(rand.Reader, req, key)
	if err != nil {
		return nil, fmt.Errorf("signing the request: %w", err)
	}
	return der, nil
}

func requestKeyUsage(t *templates.Template, pub crypto.PublicKey) (pkix.Extension, error) {
	var bits []int // bit numbers of KeyUsage
	if _, isRSA := pub.(*rsa.PublicKey); isRSA {
		if t.SigningKey || !t.EncryptionKey {
			bits = append(bits, 0)
		}
		if t.EncryptionKey {
			bits = append(bits, 2)
		}
	} else {
		bits = append(bits, 0)
	}
	if t.CA && t.CertSigningKey {
		bits = append(bits, 5)
	}
	if t.CA && t.CRLSigningKey {
		bits = append(bits, 6)
	}
	max := bits[len(bits)-1]
	b := make([]byte, max/8+1)
	for _, n := range bits {
		b[n/8] |= 0x80 >> (n % 8)
	}
	v, err := asn1.Marshal(asn1.BitString{Bytes: b, BitLength: max + 1})
	if err != nil {
		return pkix.Extension{}, err
	}
	return pkix.Extension{Id: x509oid.KeyUsage, Critical: true, Value: v}, nil
}
