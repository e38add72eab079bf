package tlsprobe

import (
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"time"

	"github.com/virt-pki/virt-pki/finding"
	"github.com/virt-pki/virt-pki/libvirtcert"
)

// Result is everything one probe learned about one target. Its JSON form
// is part of virt-pki's interface: field names are stable.
type Result struct {
	Target    string    `json:"target"`
	Address   string    `json:"address"`
	Host      string    `json:"host"`
	Transport Transport `json:"transport"`
	// Credentials are the client files used, and why.
	Credentials CredentialsReport `json:"credentials"`
	// TCP is the outcome of connecting ("connected", "refused", ...).
	TCP TCPOutcome `json:"tcp"`
	// Handshakes has one entry per protocol version tried.
	Handshakes []HandshakeReport `json:"handshakes"`
	// TLSVersions lists the versions the server accepted, newest first.
	TLSVersions []string `json:"tls_versions"`
	// Cipher is the suite negotiated with the newest accepted version.
	Cipher      string     `json:"cipher"`
	ServerChain []CertInfo `json:"server_chain"`
	// ServerIdentityOK is the verdict a libvirt client reaches on the
	// server certificate for the URI host: true only when the chain
	// verifies against the CA file (ChainOK: issuer, signatures, validity,
	// revocation), the host name matches by GnuTLS's rules and libvirt's
	// session checks (basic constraints, key usage, purpose) pass.
	ServerIdentityOK bool `json:"server_identity_ok"`
	// ChainOK tells whether the server certificate verifies against the CA
	// file (issuer, signatures, validity), as GnuTLS does for libvirt.
	ChainOK             bool     `json:"chain_ok"`
	ClientCertRequested bool     `json:"client_cert_requested"`
	AcceptableCAs       []string `json:"acceptable_cas"`
	ClientCertSent      bool     `json:"client_cert_sent"`
	// ClientDN is our certificate's DN as libvirtd matches it against
	// tls_allowed_dn_list (empty without a certificate).
	ClientDN string `json:"client_dn,omitempty"`
	// ClientAccepted is the server's verdict on us (the confirmation byte);
	// nil when no handshake completed.
	ClientAccepted *bool        `json:"client_accepted"`
	Findings       finding.List `json:"findings"`
}

// OK reports whether nothing failed for this target.
func (r *Result) OK() bool { return r.Findings.Worst() != finding.Fail }

// CredentialsReport names the client files used and why.
type CredentialsReport struct {
	CACert     string   `json:"ca_cert"`
	CRL        string   `json:"crl,omitempty"`
	ClientCert string   `json:"client_cert,omitempty"`
	ClientKey  string   `json:"client_key,omitempty"`
	Why        []string `json:"why"`
	// explicitCA and explicitPair tell that --cacert, or --cert and --key,
	// named the files (so a fix names the option, not libvirt's path).
	explicitCA, explicitPair bool
}

// HandshakeReport is the outcome of one TLS handshake attempt.
type HandshakeReport struct {
	Version string `json:"version"`
	OK      bool   `json:"ok"`
	Cipher  string `json:"cipher,omitempty"`
	// Error is the classified failure ("reset", "eof", "timeout",
	// "not-tls", "alert", "too-large", "tcp", "error") with Detail.
	Error  string `json:"error,omitempty"`
	Detail string `json:"detail,omitempty"`
	// Confirmation is what followed the handshake: "accepted" (0x01),
	// "rejected" (EOF), "not-libvirt" (another byte), "timeout", "reset".
	Confirmation string `json:"confirmation,omitempty"`
}

// CertInfo describes one certificate of the server's chain.
type CertInfo struct {
	Subject      string    `json:"subject"`
	Issuer       string    `json:"issuer"`
	Serial       string    `json:"serial"`
	NotBefore    time.Time `json:"not_before"`
	NotAfter     time.Time `json:"not_after"`
	DNSNames     []string  `json:"dns_names"`
	IPAddresses  []string  `json:"ip_addresses"`
	IsCA         bool      `json:"is_ca"`
	SHA256       string    `json:"sha256"`
	PublicKeyAlg string    `json:"public_key_algorithm"`
}

func describeCert(c *x509.Certificate) CertInfo {
	info := CertInfo{
		Subject:      dnString(c.RawSubject),
		Issuer:       dnString(c.RawIssuer),
		Serial:       hex.EncodeToString(c.SerialNumber.Bytes()),
		NotBefore:    c.NotBefore.UTC(),
		NotAfter:     c.NotAfter.UTC(),
		DNSNames:     append([]string{}, c.DNSNames...),
		IPAddresses:  []string{},
		IsCA:         c.BasicConstraintsValid && c.IsCA,
		PublicKeyAlg: c.PublicKeyAlgorithm.String(),
	}
	for _, ip := range c.IPAddresses {
		info.IPAddresses = append(info.IPAddresses, ip.String())
	}
	sum := sha256.Sum256(c.Raw)
	info.SHA256 = hex.EncodeToString(sum[:])
	return info
}

// dnString renders a DER name in libvirt's (GnuTLS legacy) order, falling
// back to Go's rendering if that fails.
func dnString(raw []byte) string {
	if s, err := libvirtcert.FormatDN(raw); err == nil {
		return s
	}
	var seq pkix.RDNSequence
	if _, err := asn1.Unmarshal(raw, &seq); err == nil {
		return seq.String()
	}
	return "(unparsable DN)"
}
