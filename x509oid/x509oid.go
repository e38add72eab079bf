// Package x509oid is the single table of the X.509 object identifiers
// virt-pki uses: certificate extensions, key purposes, subject attributes,
// access methods, policy qualifiers and key algorithms. Every other package
// takes its OIDs from here instead of spelling them again.
//
// The values are shared: callers must not modify them. The package imports
// no other virt-pki package, so anything may import it.
package x509oid

import "encoding/asn1"

// Certificate extensions (RFC 5280 §4.2, RFC 7633).
var (
	BasicConstraints      = asn1.ObjectIdentifier{2, 5, 29, 19}
	KeyUsage              = asn1.ObjectIdentifier{2, 5, 29, 15}
	ExtKeyUsage           = asn1.ObjectIdentifier{2, 5, 29, 37}
	SubjectAltName        = asn1.ObjectIdentifier{2, 5, 29, 17}
	SubjectKeyID          = asn1.ObjectIdentifier{2, 5, 29, 14}
	AuthorityKeyID        = asn1.ObjectIdentifier{2, 5, 29, 35}
	NameConstraints       = asn1.ObjectIdentifier{2, 5, 29, 30}
	CRLDistributionPoints = asn1.ObjectIdentifier{2, 5, 29, 31}
	CertificatePolicies   = asn1.ObjectIdentifier{2, 5, 29, 32}
	InhibitAnyPolicy      = asn1.ObjectIdentifier{2, 5, 29, 54}
	AuthorityInfoAccess   = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 1}
	TLSFeature            = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 24}
)

// Key purposes of the extended key usage extension (RFC 5280 §4.2.1.12).
var (
	KeyPurposeAny             = asn1.ObjectIdentifier{2, 5, 29, 37, 0}
	KeyPurposeServerAuth      = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 1}
	KeyPurposeClientAuth      = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 2}
	KeyPurposeCodeSigning     = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 3}
	KeyPurposeEmailProtection = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 4}
	KeyPurposeTimeStamping    = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 8}
	KeyPurposeOCSPSigning     = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 9}
	KeyPurposeIPsecIKE        = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 17}
	KeyPurposeSmartCardLogon  = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 20, 2, 2}
)

// Subject attributes certtool templates set by name (RFC 4519, RFC 4524,
// PKCS #9).
var (
	Country            = asn1.ObjectIdentifier{2, 5, 4, 6}
	State              = asn1.ObjectIdentifier{2, 5, 4, 8}
	Locality           = asn1.ObjectIdentifier{2, 5, 4, 7}
	Organization       = asn1.ObjectIdentifier{2, 5, 4, 10}
	OrganizationalUnit = asn1.ObjectIdentifier{2, 5, 4, 11}
	CommonName         = asn1.ObjectIdentifier{2, 5, 4, 3}
	UserID             = asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 1}
	DomainComponent    = asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 25}
	EmailAddress       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}
)

// otherName types, access methods and policy qualifiers (RFC 6120, RFC
// 4556, RFC 5280).
var (
	XMPPAddr            = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 8, 5}
	KRB5PrincipalName   = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 2, 2}
	UserPrincipalName   = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 20, 2, 3}
	AccessOCSP          = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1}
	AccessCAIssuers     = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 2}
	QualifierCPS        = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 2, 1}
	QualifierUserNotice = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 2, 2}
)

// Key algorithms (RFC 8017).
var RSAEncryption = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
