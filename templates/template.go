// Package templates reads GnuTLS certtool 3.7 template files (ca.info,
// server.info, client.info, ...) and turns them into the certificate certtool
// would issue for them.
//
// Parse/ParseFile accept certtool's syntax but reject what certtool silently
// misreads (see the README's divergences table); non-fatal oddities land in
// Template.Warnings. Template.Certificate applies certtool's certificate
// semantics (subject order and string types, extension order, criticality,
// key usage rules, SKI/AKI, validity, signature algorithm) so that signing
// its result with x509.CreateCertificate yields certtool's certificate.
//
// Callers may also build or adjust a Template programmatically: every field
// below is what the template key of the same name sets, and the zero value of
// each field means "key absent".
package templates

import (
	"encoding/asn1"
	"math/big"
	"net"
	"time"
)

// Template is one parsed certtool template. Field comments name the template
// key that sets the field.
type Template struct {
	// Name is the file name used in error and warning messages.
	Name string

	// Subject. The encoded order is fixed (certtool's, reference §2.1):
	// DN's RDNs (reversed), Country, State, Locality, Organization...,
	// Unit..., CN, UID, DC..., DNOIDs..., PKCS9Email.

	// DN is `dn`: an RFC 4514-style DN string ("CN=x,O=y"); its RDNs are
	// encoded last-to-first before every other subject attribute. See
	// DNFromLegacy to convert a virt-pki-query-dn string.
	DN           string
	Country      string     // `country` (always PrintableString)
	State        string     // `state`
	Locality     string     // `locality`
	Organization []string   // `organization` or `o`, in file order
	Unit         []string   // `unit` or `ou`, in file order
	CN           string     // `cn`
	UID          string     // `uid`
	DC           []string   // `dc` (IA5String), in file order
	DNOIDs       []OIDValue // `dn_oid = OID value`; OID must be in GnuTLS's attribute table
	PKCS9Email   string     // `pkcs9_email` (IA5String, always the last RDN)

	// Serial is `serial`; nil means 20 random bytes with the top bit clear.
	Serial *big.Int
	// ExpirationDays is `expiration_days`: validity length in days counted
	// from the build time (even when ActivationDate is set). 0 means 365;
	// -1 means "no well-defined expiration" (99991231235959Z); values below
	// -1 are rejected.
	ExpirationDays int
	// ActivationDate is `activation_date`; zero means the build time.
	ActivationDate time.Time
	// ExpirationDate is `expiration_date`; when set it overrides
	// ExpirationDays.
	ExpirationDate time.Time

	// Subject alternative names, encoded in this order: DNSNames, URIs,
	// IPAddresses, OtherNames, OtherNamesOctet, OtherNamesUTF8, XMPPNames,
	// KRB5Principals, Emails.
	DNSNames        []string   // `dns_name` (no syntax check, like certtool)
	URIs            []string   // `uri`
	IPAddresses     []net.IP   // `ip_address`, IPv4 (4 bytes) or IPv6 (16 bytes)
	OtherNames      []OIDBytes // `other_name = OID hexDER` (value is the DER, stored as-is)
	OtherNamesOctet []OIDValue // `other_name_octet = OID text` (wrapped in an OCTET STRING)
	OtherNamesUTF8  []OIDValue // `other_name_utf8 = OID text` (wrapped in a UTF8String)
	XMPPNames       []string   // `xmpp_name` (otherName id-on-xmppAddr)
	KRB5Principals  []string   // `krb5_principal` (otherName KRB5PrincipalName, "user@REALM")
	Emails          []string   // `email` (rfc822Name; certtool drops these when TLSWWWServer is set)

	// Key usage keywords (see Certificate for certtool's rules, which depend
	// on the subject key type and on CA/TLSWWWServer).
	SigningKey       bool // `signing_key` (digitalSignature)
	EncryptionKey    bool // `encryption_key` (keyEncipherment; RSA keys only)
	CertSigningKey   bool // `cert_signing_key` (keyCertSign; CA only)
	CRLSigningKey    bool // `crl_signing_key` (cRLSign; CA only)
	KeyAgreement     bool // `key_agreement`
	DataEncipherment bool // `data_encipherment`
	NonRepudiation   bool // `non_repudiation`

	// Key purposes (extended key usage), encoded in this order:
	// KeyPurposeOIDs..., clientAuth, serverAuth, ipsecIKE, OCSPSigning,
	// codeSigning, timeStamping, emailProtection.
	KeyPurposeOIDs     []asn1.ObjectIdentifier // `key_purpose_oid`, in file order
	TLSWWWClient       bool                    // `tls_www_client` (clientAuth)
	TLSWWWServer       bool                    // `tls_www_server` (serverAuth)
	IPsecIKEKey        bool                    // `ipsec_ike_key`
	OCSPSigningKey     bool                    // `ocsp_signing_key`
	CodeSigningKey     bool                    // `code_signing_key`
	TimeStampingKey    bool                    // `time_stamping_key`
	EmailProtectionKey bool                    // `email_protection_key`

	// CA is `ca`: BasicConstraints CA:TRUE (else CA:FALSE is written).
	CA bool
	// PathLen is `path_len`; nil means no pathLenConstraint. Used only when
	// CA is set.
	PathLen *int

	// Name constraints (`nc_permit_*`, `nc_exclude_*`), used only when CA
	// is set; written as one critical extension.
	NCPermitDNS    []string
	NCExcludeDNS   []string
	NCPermitEmail  []string
	NCExcludeEmail []string
	NCPermitIP     []*net.IPNet // CIDR required
	NCExcludeIP    []*net.IPNet

	CRLDistPoints []string // `crl_dist_points` (URIs)
	OCSPURIs      []string // `ocsp_uri` (AIA, listed before CAIssuersURIs)
	CAIssuersURIs []string // `ca_issuers_uri`

	// Policies are `policy1`..`policy8` with `policyN_txt` and
	// `policyN_url`; numbering must be contiguous from 1 (certtool stops
	// at the first gap).
	Policies []Policy
	// InhibitAnyPolicySkipCerts is `inhibit_anypolicy_skip_certs`; nil
	// means no InhibitAnyPolicy extension.
	InhibitAnyPolicySkipCerts *int
	// TLSFeatures is `tls_feature` (5 = status_request, OCSP must-staple).
	TLSFeatures []int

	// Extensions from `add_extension` and `add_critical_extension`, in file
	// order; all non-critical ones are encoded before the critical ones.
	AddExtensions         []OIDBytes
	AddCriticalExtensions []OIDBytes

	// SubjectUniqueID and IssuerUniqueID are `subject_unique_id` and
	// `issuer_unique_id` (hex). Certificate cannot encode them and fails
	// when they are set.
	SubjectUniqueID []byte
	IssuerUniqueID  []byte

	// Fields certtool uses for requests, CRLs, PKCS #12 and key files, not
	// for certificates. Certificate ignores the ones certtool ignores for
	// certificates and fails on HonorCRQExtensions/HonorCRQExt (there is
	// no request to honour).
	ChallengePassword   string                  // `challenge_password` (CSR attribute)
	Password            string                  // `password` (key file password in batch mode)
	PKCS12KeyName       string                  // `pkcs12_key_name`
	ProxyPolicyLanguage asn1.ObjectIdentifier   // `proxy_policy_language`
	HonorCRQExtensions  bool                    // `honor_crq_extensions`
	HonorCRQExt         []asn1.ObjectIdentifier // `honor_crq_ext`
	CRLNextUpdate       int                     // `crl_next_update` (days; 0 means 365)
	CRLNumber           *big.Int                // `crl_number`
	CRLThisUpdateDate   time.Time               // `crl_this_update_date`
	CRLNextUpdateDate   time.Time               // `crl_next_update_date`
	CRLRevocationDate   time.Time               // `crl_revocation_date`

	// Warnings are the non-fatal problems Parse found (and that Lint
	// finds), in line order. The CLI prints them.
	Warnings []Warning

	// lines records the first line of each key seen, for Lint's messages.
	lines map[string]int
	// expiresNow is set by "expiration_date = now".
	expiresNow bool
}

// OIDValue is an "OID value" pair with a text value (`dn_oid`,
// `other_name_utf8`, `other_name_octet`).
type OIDValue struct {
	OID   asn1.ObjectIdentifier
	Value string
}

// OIDBytes is an "OID hex" pair (`other_name`, `add_extension`,
// `add_critical_extension`); Value holds the decoded bytes.
type OIDBytes struct {
	OID   asn1.ObjectIdentifier
	Value []byte
}

// Policy is one `policyN` entry.
type Policy struct {
	OID  asn1.ObjectIdentifier // `policyN`
	Text string                // `policyN_txt` (userNotice explicitText), optional
	URL  string                // `policyN_url` (CPS URI), optional
}

// SetsExpiration reports whether the template chooses the end of the
// validity (expiration_days or expiration_date); without either certtool
// and Certificate use 365 days.
func (t *Template) SetsExpiration() bool {
	return t.ExpirationDays != 0 || !t.ExpirationDate.IsZero() || t.expiresNow
}
