package tlsprobe

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/virt-pki/virt-pki/libvirtcert"
)

// ServerVerdict is what a libvirt client concludes about a server
// certificate chain (virNetTLSContextValidCertificate on the client side).
type ServerVerdict struct {
	// ChainErr is the GnuTLS-style chain verification failure (nil = OK).
	ChainErr error
	// Expired is set when the leaf is outside its validity period.
	Expired *libvirtcert.Problem
	// HostnameOK tells whether host matches by GnuTLS's rules.
	HostnameOK bool
	// Names are the certificate names GnuTLS compares host with.
	Names []string
	// CNOnly is set when the certificate has no DNS SAN and its CN is used.
	CNOnly bool
	// Problems are libvirt's checks of the leaf (fatal and warnings).
	Problems []libvirtcert.Problem
	// LibvirtError is the first reason the libvirt client gives, as it
	// logs it after "Certificate check failed"; empty when it accepts.
	LibvirtError string
}

// ChainOK reports whether the chain verifies and the leaf is in its
// validity period.
func (v ServerVerdict) ChainOK() bool { return v.ChainErr == nil && v.Expired == nil }

// IdentityOK reports whether the libvirt client accepts the certificate
// as the server's identity: host name and libvirt's fatal leaf checks.
func (v ServerVerdict) IdentityOK() bool {
	if !v.HostnameOK {
		return false
	}
	for _, p := range v.Problems {
		if p.Fatal {
			return false
		}
	}
	return true
}

// Accepted reports whether a libvirt client proceeds with this server.
func (v ServerVerdict) Accepted() bool { return v.LibvirtError == "" }

// JudgeServer applies the libvirt client's rules to the chain a server
// sent, for a connection to host, trusting cas (the client's CA file).
func JudgeServer(chain []*x509.Certificate, cas []*x509.Certificate, host string, now time.Time, opts libvirtcert.Options) ServerVerdict {
	var v ServerVerdict
	if len(chain) == 0 {
		v.LibvirtError = "Unable to verify TLS peer: No certificate was found."
		return v
	}
	leaf := chain[0]
	v.Names = certNames(leaf)
	v.CNOnly = len(leaf.DNSNames) == 0 && leaf.Subject.CommonName != ""
	v.HostnameOK = libvirtcert.MatchHostname(leaf, host)
	if len(cas) == 0 {
		v.ChainErr = fmt.Errorf("no CA certificate to verify against")
	} else {
		v.ChainErr = libvirtcert.VerifyChain(leaf, cas, now)
	}
	for _, p := range libvirtcert.CheckCertificate(leaf, libvirtcert.RoleServer, now, opts) {
		if p.ID == "expired" || p.ID == "not-yet-valid" {
			p := p
			v.Expired = &p
			continue
		}
		v.Problems = append(v.Problems, p)
	}
	// The order of libvirt's session checks decides which reason it logs.
	switch {
	case v.ChainErr != nil:
		v.LibvirtError = "Certificate failed validation: " + gnutlsReason(v.ChainErr)
	case v.Expired != nil:
		v.LibvirtError = "Certificate failed validation: The certificate is not trusted."
	case !v.HostnameOK:
		v.LibvirtError = "Certificate [session] owner does not match the hostname " + host
	default:
		for _, p := range v.Problems {
			if p.Fatal {
				v.LibvirtError = p.Text("[session]")
				break
			}
		}
	}
	return v
}

// ClientVerdict is what libvirtd concludes about a client certificate
// (virNetTLSContextValidCertificate on the server side).
type ClientVerdict struct {
	Accepted bool
	// ID is a stable reason ("no-certificate", "unknown-issuer",
	// "expired", "dn-not-allowed", or a libvirtcert problem ID).
	ID string
	// LibvirtError is libvirtd's log text for the refusal.
	LibvirtError string
}

// JudgeClient predicts libvirtd's verdict on a client certificate: cas is
// the server's CA file, allowed its tls_allowed_dn_list (allowedSet false
// when the setting is absent, which admits every verified client).
func JudgeClient(cert *x509.Certificate, cas []*x509.Certificate, allowed []string, allowedSet bool, now time.Time, opts libvirtcert.Options) ClientVerdict {
	if cert == nil {
		return ClientVerdict{ID: "no-certificate", LibvirtError: "Unable to verify TLS peer: No certificate was found."}
	}
	if err := libvirtcert.VerifyChain(cert, cas, now); err != nil {
		return ClientVerdict{ID: "unknown-issuer", LibvirtError: "Certificate failed validation: " + gnutlsReason(err)}
	}
	problems := libvirtcert.CheckCertificate(cert, libvirtcert.RoleClient, now, opts)
	for _, p := range problems {
		if p.ID == "expired" || p.ID == "not-yet-valid" {
			return ClientVerdict{ID: p.ID, LibvirtError: "Certificate failed validation: The certificate is not trusted."}
		}
	}
	if allowedSet {
		dn, err := libvirtcert.SubjectDN(cert)
		if err != nil || !dnAllowed(dn, allowed) {
			return ClientVerdict{ID: "dn-not-allowed", LibvirtError: dnNotAllowedText}
		}
	}
	for _, p := range problems {
		if p.Fatal {
			return ClientVerdict{ID: p.ID, LibvirtError: p.Text("[session]")}
		}
	}
	return ClientVerdict{Accepted: true}
}

// dnNotAllowedText is libvirtd's log message for a DN not on the list.
const dnNotAllowedText = "Client's Distinguished Name is not on the list of allowed clients (tls_allowed_dn_list).  Use 'virt-pki-query-dn clientcert.pem' to view the Distinguished Name field in the client certificate, or run this daemon with --verbose option."

func dnAllowed(dn string, patterns []string) bool {
	for _, p := range patterns {
		if libvirtcert.MatchDNPattern(p, dn) {
			return true
		}
	}
	return false
}

// certNames lists the names GnuTLS compares a host with: DNS and IP SANs,
// and the CN only when there is no DNS SAN.
func certNames(c *x509.Certificate) []string {
	var out []string
	for _, d := range c.DNSNames {
		out = append(out, "DNS:"+d)
	}
	for _, ip := range c.IPAddresses {
		out = append(out, "IP:"+ip.String())
	}
	if len(c.DNSNames) == 0 && c.Subject.CommonName != "" {
		out = append(out, "CN:"+c.Subject.CommonName)
	}
	return out
}

// gnutlsReason is GnuTLS's reason for a chain error, as libvirt prints it
// (the Message of a *libvirtcert.ChainError); other errors give their text.
func gnutlsReason(err error) string {
	var ce *libvirtcert.ChainError
	if errors.As(err, &ce) {
		return ce.Message
	}
	return err.Error()
}

// expiryDetail says when a certificate expired or becomes valid, which
// libvirt's own messages do not.
func expiryDetail(id string, c *x509.Certificate) string {
	switch id {
	case "expired":
		return fmt.Sprintf(" (expired on %s)", c.NotAfter.UTC().Format(time.RFC3339))
	case "not-yet-valid":
		return fmt.Sprintf(" (valid from %s)", c.NotBefore.UTC().Format(time.RFC3339))
	}
	return ""
}

// isIP reports whether host is an IP literal.
func isIP(host string) bool { return net.ParseIP(host) != nil }
