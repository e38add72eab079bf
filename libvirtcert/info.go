package libvirtcert

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"time"

	"github.com/virt-pki/virt-pki/x509oid"
)

// Info is a certificate summary in the spirit of certtool -i, with
// libvirt's view added. Its JSON field names are stable.
type Info struct {
	File string `json:"file"`
	// Index is the certificate's 1-based position in its file; Line the
	// line of its BEGIN line.
	Index int `json:"index"`
	Line  int `json:"line,omitempty"`

	Subject DNInfo `json:"subject"`
	Issuer  DNInfo `json:"issuer"`

	Serial     string    `json:"serial"` // hex, as certtool -i prints it
	NotBefore  time.Time `json:"not_before"`
	NotAfter   time.Time `json:"not_after"`
	At         time.Time `json:"at"`        // the time validity and verdicts refer to
	DaysLeft   int       `json:"days_left"` // whole days from At to NotAfter, truncated toward zero (WholeDays)
	Validity   string    `json:"validity"`  // "valid", "expired", "not-yet-valid"
	SelfSigned bool      `json:"self_signed"`

	SANs      SANInfo `json:"san"`
	PublicKey KeyInfo `json:"public_key"`
	// SignatureAlgorithm uses GnuTLS's names ("ECDSA-SHA256", "RSA-SHA256").
	SignatureAlgorithm string `json:"signature_algorithm"`

	BasicConstraints *BasicConstraintsInfo `json:"basic_constraints"`
	KeyUsage         *KeyUsageInfo         `json:"key_usage"`
	KeyPurposes      *KeyPurposeInfo       `json:"key_purposes"`

	SubjectKeyID   string `json:"subject_key_id,omitempty"`
	AuthorityKeyID string `json:"authority_key_id,omitempty"`
	SHA1           string `json:"sha1"`
	SHA256         string `json:"sha256"`

	// Libvirt is libvirt's verdict on the certificate in each role.
	Libvirt RoleVerdicts `json:"libvirt"`
}

// DNInfo is a DN in both orders. Libvirt is the order libvirt prints and
// matches tls_allowed_dn_list against (GnuTLS's legacy order, as
// virt-pki-query-dn prints it); RFC4514 is the reversed order certtool -i
// and openssl -nameopt RFC2253 print. Error is GnuTLS's reason when it
// cannot print the DN (an empty subject, for example).
type DNInfo struct {
	Libvirt string `json:"libvirt"`
	RFC4514 string `json:"rfc4514"`
	Error   string `json:"error,omitempty"`
}

// SANInfo lists the subject alternative names.
type SANInfo struct {
	DNS   []string `json:"dns"`
	IP    []string `json:"ip"`
	Email []string `json:"email"`
	URI   []string `json:"uri"`
}

// KeyInfo describes the subject public key.
type KeyInfo struct {
	Algorithm string `json:"algorithm"` // "RSA", "EC", "Ed25519", or the OID
	Bits      int    `json:"bits,omitempty"`
	Curve     string `json:"curve,omitempty"` // "P-256", ...
}

// BasicConstraintsInfo is the basic constraints extension.
type BasicConstraintsInfo struct {
	Critical bool `json:"critical"`
	CA       bool `json:"ca"`
	// PathLen is nil when the extension sets no path length.
	PathLen *int `json:"path_len"`
}

// KeyUsageInfo is the key usage extension; Usages uses stable IDs
// ("digital-signature", "key-encipherment", "cert-sign", ...).
type KeyUsageInfo struct {
	Critical bool     `json:"critical"`
	Usages   []string `json:"usages"`
}

// KeyPurposeInfo is the extended key usage extension, in encoded order.
type KeyPurposeInfo struct {
	Critical bool          `json:"critical"`
	Purposes []PurposeInfo `json:"purposes"`
}

// PurposeInfo is one key purpose; Name is certtool's ("TLS WWW Server")
// or empty for OIDs it does not name.
type PurposeInfo struct {
	OID  string `json:"oid"`
	Name string `json:"name,omitempty"`
}

// RoleVerdicts holds libvirt's verdict for each role.
type RoleVerdicts struct {
	CA     Verdict `json:"ca"`
	Server Verdict `json:"server"`
	Client Verdict `json:"client"`
}

// Verdict is CheckCertificate's result for one role. Status is "ok" (no
// problem), "warn" (libvirt accepts the certificate and logs warnings) or
// "refused" (a fatal problem).
type Verdict struct {
	Status   string        `json:"status"`
	Problems []ProblemInfo `json:"problems"`
}

// ProblemInfo is a Problem with the file name filled into its message.
type ProblemInfo struct {
	ID      string `json:"id"`
	Fatal   bool   `json:"fatal"`
	Message string `json:"message"`
}

// KeyUsageNames are the IDs Info uses for key usage bits, in bit order,
// with certtool -i's wording.
var KeyUsageNames = []struct {
	Usage x509.KeyUsage
	ID    string
	Text  string
}{
	{x509.KeyUsageDigitalSignature, "digital-signature", "Digital signature"},
	{x509.KeyUsageContentCommitment, "non-repudiation", "Non repudiation"},
	{x509.KeyUsageKeyEncipherment, "key-encipherment", "Key encipherment"},
	{x509.KeyUsageDataEncipherment, "data-encipherment", "Data encipherment"},
	{x509.KeyUsageKeyAgreement, "key-agreement", "Key agreement"},
	{x509.KeyUsageCertSign, "cert-sign", "Certificate signing"},
	{x509.KeyUsageCRLSign, "crl-sign", "CRL signing"},
	{x509.KeyUsageEncipherOnly, "encipher-only", "Key encipher only"},
	{x509.KeyUsageDecipherOnly, "decipher-only", "Key decipher only"},
}

var purposeNames = map[string]string{
	KeyPurposeServer:                           "TLS WWW Server",
	KeyPurposeClient:                           "TLS WWW Client",
	x509oid.KeyPurposeCodeSigning.String():     "Code signing",
	x509oid.KeyPurposeEmailProtection.String(): "Email protection",
	x509oid.KeyPurposeTimeStamping.String():    "Time stamping",
	x509oid.KeyPurposeOCSPSigning.String():     "OCSP signing",
	x509oid.KeyPurposeIPsecIKE.String():        "Ipsec IKE",
	x509oid.KeyPurposeSmartCardLogon.String():  "Smart Card Logon",
	KeyPurposeAny:                              "Any purpose",
}

// KeyPurposeName is certtool's name for the key purpose oid (dotted, e.g.
// "TLS WWW Server" for KeyPurposeServer); ok is false for OIDs certtool
// does not name.
func KeyPurposeName(oid string) (name string, ok bool) {
	name, ok = purposeNames[oid]
	return name, ok
}

// Describe summarises cert, found at index (1-based) and line of file,
// evaluating validity and libvirt's rules at time at.
func Describe(cert *x509.Certificate, file string, index, line int, at time.Time, opts Options) Info {
	in := Info{
		File:       file,
		Index:      index,
		Line:       line,
		Subject:    describeDN(cert.RawSubject),
		Issuer:     describeDN(cert.RawIssuer),
		Serial:     serialHex(cert),
		NotBefore:  cert.NotBefore.UTC(),
		NotAfter:   cert.NotAfter.UTC(),
		At:         at.UTC().Truncate(time.Second),
		DaysLeft:   int(DaysLeft(at, cert.NotAfter)),
		SelfSigned: selfIssued(cert) && cert.CheckSignature(cert.SignatureAlgorithm, cert.RawTBSCertificate, cert.Signature) == nil,
		PublicKey:  describeKey(cert),
		SHA1:       hexSum1(cert.Raw),
		SHA256:     hexSum256(cert.Raw),
	}
	in.SignatureAlgorithm = SignatureAlgorithmName(cert.SignatureAlgorithm)
	switch {
	case cert.NotAfter.Unix() < at.Unix():
		in.Validity = "expired"
	case cert.NotBefore.Unix() > at.Unix():
		in.Validity = "not-yet-valid"
	default:
		in.Validity = "valid"
	}
	in.SANs = SANInfo{DNS: nonNil(cert.DNSNames), Email: nonNil(cert.EmailAddresses), IP: []string{}, URI: []string{}}
	for _, ip := range cert.IPAddresses {
		in.SANs.IP = append(in.SANs.IP, ip.String())
	}
	for _, u := range cert.URIs {
		in.SANs.URI = append(in.SANs.URI, u.String())
	}
	if _, crit, ok := extension(cert, x509oid.BasicConstraints); ok {
		bc := &BasicConstraintsInfo{Critical: crit, CA: cert.IsCA}
		if cert.IsCA && (cert.MaxPathLen > 0 || cert.MaxPathLenZero) {
			n := cert.MaxPathLen
			bc.PathLen = &n
		}
		in.BasicConstraints = bc
	}
	if _, crit, ok := extension(cert, x509oid.KeyUsage); ok {
		ku := &KeyUsageInfo{Critical: crit, Usages: []string{}}
		for _, n := range KeyUsageNames {
			if cert.KeyUsage&n.Usage != 0 {
				ku.Usages = append(ku.Usages, n.ID)
			}
		}
		in.KeyUsage = ku
	}
	if oids, crit, ok := KeyPurposes(cert); ok {
		kp := &KeyPurposeInfo{Critical: crit, Purposes: []PurposeInfo{}}
		for _, o := range oids {
			kp.Purposes = append(kp.Purposes, PurposeInfo{OID: o, Name: purposeNames[o]})
		}
		in.KeyPurposes = kp
	}
	in.SubjectKeyID = hex.EncodeToString(cert.SubjectKeyId)
	in.AuthorityKeyID = hex.EncodeToString(cert.AuthorityKeyId)
	in.Libvirt = RoleVerdicts{
		CA:     verdict(CheckCertificate(cert, RoleCA, at, opts), file),
		Server: verdict(CheckCertificate(cert, RoleServer, at, opts), file),
		Client: verdict(CheckCertificate(cert, RoleClient, at, opts), file),
	}
	return in
}

func verdict(ps []Problem, file string) Verdict {
	v := Verdict{Status: "ok", Problems: []ProblemInfo{}}
	for _, p := range ps {
		v.Problems = append(v.Problems, ProblemInfo{ID: p.ID, Fatal: p.Fatal, Message: p.Text(file)})
		if p.Fatal {
			v.Status = "refused"
		} else if v.Status == "ok" {
			v.Status = "warn"
		}
	}
	return v
}

func describeDN(raw []byte) DNInfo {
	var d DNInfo
	var err error
	if d.Libvirt, err = FormatDN(raw); err != nil {
		d.Error = err.Error()
		return d
	}
	d.RFC4514, _ = FormatDNRFC4514(raw)
	return d
}

func describeKey(cert *x509.Certificate) KeyInfo {
	switch k := cert.PublicKey.(type) {
	case *rsa.PublicKey:
		return KeyInfo{Algorithm: "RSA", Bits: k.N.BitLen()}
	case *ecdsa.PublicKey:
		return KeyInfo{Algorithm: "EC", Bits: k.Curve.Params().BitSize, Curve: k.Curve.Params().Name}
	case ed25519.PublicKey:
		return KeyInfo{Algorithm: "Ed25519", Bits: 256}
	}
	return KeyInfo{Algorithm: PublicKeyOID(cert)}
}

// serialHex prints the serial's DER content octets in hex, as certtool -i.
func serialHex(cert *x509.Certificate) string {
	if b, err := asn1.Marshal(cert.SerialNumber); err == nil && len(b) > 2 {
		e, _, err := readElement(b)
		if err == nil {
			return hex.EncodeToString(e.content)
		}
	}
	return cert.SerialNumber.Text(16)
}

// SignatureAlgorithmName is GnuTLS's name for a signature algorithm
// ("RSA-SHA256", "ECDSA-SHA384", "EdDSA-Ed25519"), as certtool -i and
// gnutls-cli print it; algorithms GnuTLS does not name get Go's name.
func SignatureAlgorithmName(a x509.SignatureAlgorithm) string {
	switch a {
	case x509.SHA256WithRSA:
		return "RSA-SHA256"
	case x509.SHA384WithRSA:
		return "RSA-SHA384"
	case x509.SHA512WithRSA:
		return "RSA-SHA512"
	case x509.SHA1WithRSA:
		return "RSA-SHA1"
	case x509.MD5WithRSA:
		return "RSA-MD5"
	case x509.SHA256WithRSAPSS:
		return "RSA-PSS-SHA256"
	case x509.SHA384WithRSAPSS:
		return "RSA-PSS-SHA384"
	case x509.SHA512WithRSAPSS:
		return "RSA-PSS-SHA512"
	case x509.ECDSAWithSHA1:
		return "ECDSA-SHA1"
	case x509.ECDSAWithSHA256:
		return "ECDSA-SHA256"
	case x509.ECDSAWithSHA384:
		return "ECDSA-SHA384"
	case x509.ECDSAWithSHA512:
		return "ECDSA-SHA512"
	case x509.PureEd25519:
		return "EdDSA-Ed25519"
	}
	return a.String()
}

func hexSum1(b []byte) string   { s := sha1.Sum(b); return hex.EncodeToString(s[:]) }
func hexSum256(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
