package templates

import (
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math/big"
	"sync"
	"time"

	"github.com/virt-pki/virt-pki/x509oid"
)

// BuildOptions are the inputs of Certificate besides the template.
type BuildOptions struct {
	// SubjectKey is the new certificate's public key.
	SubjectKey crypto.PublicKey
	// Issuer is the CA certificate; nil for a self-signed certificate.
	Issuer *x509.Certificate
	// SignerKey is the public half of the signing key; it chooses the
	// signature algorithm. For self-signed certificates it is SubjectKey
	// (used when nil).
	SignerKey crypto.PublicKey
	// Now is the issuing time; zero means time.Now().
	Now time.Time
	// Rand is the randomness for the default serial; nil means crypto/rand.
	Rand io.Reader
}

// trialKey signs the throwaway copies checkReadable parses; Ed25519
// signatures are deterministic and cheap.
// It is derived on first use, so commands that never build a certificate
// do not pay for it at start-up.
var trialKey = sync.OnceValue(func() ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
})

// noWellDefinedExpiration is RFC 5280's 99991231235959Z.
var noWellDefinedExpiration = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)

// Certificate returns the unsigned certificate certtool 3.7.9 would produce
// for t; pass it to x509.CreateCertificate(rand, cert, issuerOrSelf,
// o.SubjectKey, signer). The result reproduces certtool's subject encoding,
// every extension (OID, criticality, value and DER order; all of them are
// in ExtraExtensions, so Go adds none of its own), the signature algorithm
// and the validity; only the default serial, the validity start and the
// signature differ between runs.
//
// It fails for fields it cannot honour (subject_unique_id,
// issuer_unique_id, honor_crq_extensions, honor_crq_ext) and for keys Go
// cannot sign certificates with. Fields certtool only uses for requests,
// CRLs and key files (challenge_password, password, pkcs12_key_name,
// proxy_policy_language, crl_*) are ignored, as certtool ignores them
// for certificates.
func (t *Template) Certificate(o BuildOptions) (*x509.Certificate, error) {
	c, err := t.certificate(o)
	if err != nil {
		return nil, &Error{Name: t.Name, Message: clip(err.Error())}
	}
	return c, nil
}

func (t *Template) certificate(o BuildOptions) (*x509.Certificate, error) {
	if o.SubjectKey == nil {
		return nil, errors.New("no subject public key")
	}
	if err := t.checkHonourable(); err != nil {
		return nil, err
	}
	signer := o.SignerKey
	if signer == nil {
		if o.Issuer != nil {
			signer = o.Issuer.PublicKey
		} else {
			signer = o.SubjectKey
		}
	}
	sigAlg, err := SignatureAlgorithm(signer)
	if err != nil {
		return nil, err
	}
	spki, err := x509.MarshalPKIXPublicKey(o.SubjectKey)
	if err != nil {
		return nil, fmt.Errorf("subject key: %v", err)
	}
	subject, err := t.subjectDER()
	if err != nil {
		return nil, err
	}
	serial := t.Serial
	if serial == nil {
		if serial, err = DefaultSerial(o.Rand); err != nil {
			return nil, err
		}
	}
	notBefore, notAfter, err := t.validity(o.Now)
	if err != nil {
		return nil, err
	}
	exts, err := t.extensions(o, spki)
	if err != nil {
		return nil, err
	}
	cert := &x509.Certificate{
		SerialNumber:       new(big.Int).Set(serial),
		RawSubject:         subject,
		NotBefore:          notBefore,
		NotAfter:           notAfter,
		SignatureAlgorithm: sigAlg,
		ExtraExtensions:    exts.exts,
	}
	if err := checkReadable(cert); err != nil {
		return nil, err
	}
	return cert, nil
}

// checkReadable signs a copy of cert with a throwaway key and parses it
// back: certtool writes values no strict parser accepts (a malformed URI,
// an invalid name constraint, a broken add_extension SAN), and a
// certificate that Go and libvirt's peers cannot read must not be issued.
func checkReadable(cert *x509.Certificate) error {
	trial := *cert
	trial.SignatureAlgorithm = x509.PureEd25519
	der, err := x509.CreateCertificate(rand.Reader, &trial, &trial, trialKey().Public(), trialKey())
	if err == nil {
		_, err = x509.ParseCertificate(der)
	}
	if err != nil {
		return fmt.Errorf("the certificate would be unreadable (%v)", err)
	}
	return nil
}

// checkHonourable fails for fields certtool applies to certificates that
// this package cannot produce.
func (t *Template) checkHonourable() error {
	switch {
	case len(t.SubjectUniqueID) > 0:
		return errors.New("subject_unique_id cannot be written (X.509 v2 unique identifiers are not supported); remove it")
	case len(t.IssuerUniqueID) > 0:
		return errors.New("issuer_unique_id cannot be written (X.509 v2 unique identifiers are not supported); remove it")
	case t.HonorCRQExtensions:
		return errors.New("honor_crq_extensions applies to issuing from a certificate request, which is not supported; remove it")
	case len(t.HonorCRQExt) > 0:
		return errors.New("honor_crq_ext applies to issuing from a certificate request, which is not supported; remove it")
	case t.ExpirationDays < -1:
		return fmt.Errorf("expiration_days %d: use a positive number of days, or -1", t.ExpirationDays)
	case t.PathLen != nil && *t.PathLen < 0:
		return fmt.Errorf("path_len %d is negative", *t.PathLen)
	case t.InhibitAnyPolicySkipCerts != nil && *t.InhibitAnyPolicySkipCerts < 0:
		return fmt.Errorf("inhibit_anypolicy_skip_certs %d is negative", *t.InhibitAnyPolicySkipCerts)
	case len(t.Policies) > maxPolicies:
		return fmt.Errorf("%d policies; certtool supports at most %d", len(t.Policies), maxPolicies)
	}
	if t.Serial != nil && (t.Serial.Sign() <= 0 || t.Serial.BitLen() > 159) {
		return errors.New("serial must be positive and fit in 20 bytes")
	}
	for _, f := range []struct {
		key    string
		values []string
	}{
		{"dns_name", t.DNSNames}, {"uri", t.URIs}, {"email", t.Emails}, {"crl_dist_points", t.CRLDistPoints},
		{"ocsp_uri", t.OCSPURIs}, {"ca_issuers_uri", t.CAIssuersURIs}, {"nc_permit_dns", t.NCPermitDNS},
		{"nc_exclude_dns", t.NCExcludeDNS}, {"nc_permit_email", t.NCPermitEmail}, {"nc_exclude_email", t.NCExcludeEmail},
	} {
		for _, v := range f.values {
			if err := checkIA5Name(v); err != nil {
				return fmt.Errorf("%s: %v", f.key, err)
			}
		}
	}
	for i, p := range t.Policies {
		if err := checkIA5Name(p.URL); err != nil {
			return fmt.Errorf("policy%d_url: %v", i+1, err)
		}
	}
	return nil
}

// DefaultSerial returns certtool's default serial: 20 random bytes with the
// top bit cleared. r nil means crypto/rand.
func DefaultSerial(r io.Reader) (*big.Int, error) {
	if r == nil {
		r = rand.Reader
	}
	b := make([]byte, 20)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, fmt.Errorf("generating serial: %v", err)
	}
	b[0] &= 0x7f
	return new(big.Int).SetBytes(b), nil
}

// validity returns notBefore and notAfter: activation_date or now, and
// expiration_date or now + expiration_days (365 by default, -1 for
// 99991231235959Z). Like certtool, the days count from now even when
// activation_date is set.
func (t *Template) validity(now time.Time) (time.Time, time.Time, error) {
	if now.IsZero() {
		now = time.Now()
	}
	now = now.UTC().Truncate(time.Second)
	notBefore := now
	if !t.ActivationDate.IsZero() {
		notBefore = t.ActivationDate.UTC().Truncate(time.Second)
	}
	var notAfter time.Time
	switch {
	case t.expiresNow:
		notAfter = now
	case !t.ExpirationDate.IsZero():
		notAfter = t.ExpirationDate.UTC().Truncate(time.Second)
	case t.ExpirationDays == -1:
		notAfter = noWellDefinedExpiration
	case t.ExpirationDays == 0:
		notAfter = now.AddDate(0, 0, 365)
	default:
		notAfter = now.AddDate(0, 0, t.ExpirationDays) // UTC: exactly n*24h
	}
	if notAfter.Year() > 9999 {
		return time.Time{}, time.Time{}, fmt.Errorf("the expiration date %s is after the year 9999", notAfter.Format("2006-01-02"))
	}
	if notAfter.Before(notBefore) {
		return time.Time{}, time.Time{}, fmt.Errorf("the certificate would expire (%s) before it becomes valid (%s)",
			notAfter.Format(time.RFC3339), notBefore.Format(time.RFC3339))
	}
	return notBefore, notAfter, nil
}

// SignatureAlgorithm returns the algorithm certtool signs with for a signing
// key: RSA up to 3072 bits SHA-256, up to 8192 bits SHA-384, larger
// SHA-512; ECDSA by curve (P-256 SHA-256, P-384 SHA-384, P-521 SHA-512);
// Ed25519 pure EdDSA.
func SignatureAlgorithm(signer crypto.PublicKey) (x509.SignatureAlgorithm, error) {
	switch k := signer.(type) {
	case *rsa.PublicKey:
		switch bits := k.N.BitLen(); {
		case bits <= 3072:
			return x509.SHA256WithRSA, nil
		case bits <= 8192:
			return x509.SHA384WithRSA, nil
		default:
			return x509.SHA512WithRSA, nil
		}
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			return x509.ECDSAWithSHA256, nil
		case elliptic.P384():
			return x509.ECDSAWithSHA384, nil
		case elliptic.P521():
			return x509.ECDSAWithSHA512, nil
		}
		return 0, fmt.Errorf("unsupported ECDSA curve %s for signing", k.Curve.Params().Name)
	case ed25519.PublicKey:
		return x509.PureEd25519, nil
	}
	return 0, fmt.Errorf("unsupported signing key type %T", signer)
}

// keyUsageBits applies certtool's key usage rules (generate_certificate in
// src/certtool.c) for the subject key.
func (t *Template) keyUsageBits(subjectKey crypto.PublicKey) byte {
	var bits byte
	if !t.CA || t.TLSWWWServer {
		switch k := subjectKey.(type) {
		case *rsa.PublicKey:
			if t.SigningKey {
				bits |= kuDigitalSignature
			}
			if t.EncryptionKey {
				bits |= kuKeyEncipherment
			}
		case *ecdh.PublicKey:
			if k.Curve() == ecdh.X25519() {
				bits |= kuKeyAgreement
			} else {
				bits |= kuDigitalSignature
			}
		default: // ECDSA, EdDSA: these keys can only sign
			bits |= kuDigitalSignature
		}
	} else if t.SigningKey {
		bits |= kuDigitalSignature
	}
	if t.KeyAgreement {
		bits |= kuKeyAgreement
	}
	if t.DataEncipherment {
		bits |= kuDataEncipherment
	}
	if t.NonRepudiation {
		bits |= kuNonRepudiation
	}
	if t.CA {
		if t.CertSigningKey {
			bits |= kuKeyCertSign
		}
		if t.CRLSigningKey {
			bits |= kuCRLSign
		}
	}
	if bits != 0 && t.IPsecIKEKey && !t.SigningKey {
		// RFC 4945 5.1.3.2: IKE certificates need digitalSignature or
		// nonRepudiation.
		bits |= kuNonRepudiation
	}
	return bits
}

// extensions builds the extension list in certtool's creation order.
func (t *Template) extensions(o BuildOptions, spki []byte) (*extList, error) {
	l := &extList{}
	var kps [][]byte
	for _, oid := range t.KeyPurposeOIDs {
		kps = append(kps, oidDER(oid))
	}
	if err := l.appendSeq(x509oid.ExtKeyUsage, false, kps...); err != nil {
		return nil, err
	}
	if len(t.TLSFeatures) > 0 {
		var feats [][]byte
		for _, f := range t.TLSFeatures {
			feats = append(feats, intDER(f))
		}
		l.set(x509oid.TLSFeature, false, seq(feats...))
	}
	for _, e := range t.AddExtensions {
		l.set(e.OID, false, e.Value)
	}
	for _, e := range t.AddCriticalExtensions {
		l.set(e.OID, true, e.Value)
	}
	pathLen := -1
	if t.CA && t.PathLen != nil {
		pathLen = *t.PathLen
	}
	l.set(x509oid.BasicConstraints, true, basicConstraints(t.CA, pathLen))
	if t.TLSWWWClient {
		_ = l.appendSeq(x509oid.ExtKeyUsage, false, oidDER(x509oid.KeyPurposeClientAuth))
	}
	sans, err := t.sanEntries()
	if err != nil {
		return nil, err
	}
	if err := l.appendSeq(x509oid.SubjectAltName, false, sans...); err != nil {
		return nil, err
	}
	if t.InhibitAnyPolicySkipCerts != nil {
		l.set(x509oid.InhibitAnyPolicy, true, intDER(*t.InhibitAnyPolicySkipCerts))
	}
	for _, p := range t.Policies {
		if err := l.appendSeq(x509oid.CertificatePolicies, false, policyInfo(p)); err != nil {
			return nil, err
		}
	}
	if t.TLSWWWServer {
		if err := l.appendSeq(x509oid.ExtKeyUsage, false, oidDER(x509oid.KeyPurposeServerAuth)); err != nil {
			return nil, err
		}
	} else {
		var emails [][]byte
		for _, e := range t.Emails {
			if e == "" {
				return nil, errors.New("email is empty")
			}
			emails = append(emails, gnString(gnRFC822, e))
		}
		if err := l.appendSeq(x509oid.SubjectAltName, false, emails...); err != nil {
			return nil, err
		}
	}
	var laterKPs [][]byte
	if (!t.CA || t.TLSWWWServer) && t.IPsecIKEKey {
		laterKPs = append(laterKPs, oidDER(x509oid.KeyPurposeIPsecIKE))
	}
	for _, kp := range []struct {
		on  bool
		oid asn1.ObjectIdentifier
	}{
		{t.OCSPSigningKey, x509oid.KeyPurposeOCSPSigning},
		{t.CodeSigningKey, x509oid.KeyPurposeCodeSigning},
		{t.TimeStampingKey, x509oid.KeyPurposeTimeStamping},
		{t.EmailProtectionKey, x509oid.KeyPurposeEmailProtection},
	} {
		if kp.on {
			laterKPs = append(laterKPs, oidDER(kp.oid))
		}
	}
	if err := l.appendSeq(x509oid.ExtKeyUsage, false, laterKPs...); err != nil {
		return nil, err
	}
	if t.CA && t.hasNameConstraints() {
		l.set(x509oid.NameConstraints, true, t.nameConstraints())
	}
	var ads [][]byte
	for _, u := range t.OCSPURIs {
		ads = append(ads, accessDescription(x509oid.AccessOCSP, u))
	}
	for _, u := range t.CAIssuersURIs {
		ads = append(ads, accessDescription(x509oid.AccessCAIssuers, u))
	}
	if err := l.appendSeq(x509oid.AuthorityInfoAccess, false, ads...); err != nil {
		return nil, err
	}
	if bits := t.keyUsageBits(o.SubjectKey); bits != 0 {
		l.set(x509oid.KeyUsage, true, keyUsage(bits))
	}
	// GnuTLS refuses to set a key identifier that an add_extension line
	// already set (set_subject_key_id: The request is invalid).
	if l.find(x509oid.SubjectKeyID) >= 0 {
		return nil, errors.New("add_extension 2.5.29.14: the subject key identifier is computed from the key and cannot be given (certtool fails too)")
	}
	ski := sha1.Sum(spki)
	l.set(x509oid.SubjectKeyID, false, tlv(tagOctetString, ski[:]))
	if o.Issuer != nil && len(o.Issuer.SubjectKeyId) > 0 {
		if l.find(x509oid.AuthorityKeyID) >= 0 {
			return nil, errors.New("add_extension 2.5.29.35: the authority key identifier is copied from the CA and cannot be given (certtool fails too)")
		}
		l.set(x509oid.AuthorityKeyID, false, seq(ctx(0, false, o.Issuer.SubjectKeyId)))
	}
	if len(t.CRLDistPoints) > 0 {
		if err := l.appendSeq(x509oid.CRLDistributionPoints, false, crlDistributionPoint(t.CRLDistPoints)); err != nil {
			return nil, err
		}
	}
	return l, nil
}
