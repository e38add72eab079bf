package tlsprobe

import (
	"crypto/x509"
	"fmt"
	"strings"
	"time"

	"github.com/virt-pki/virt-pki/finding"
)

// severity is Fail unless no_verify=1 makes libvirt ignore the problem.
func (d *diagnosis) severity() finding.Status {
	if d.t.NoVerify {
		return finding.Warn
	}
	return finding.Fail
}

// server judges the server chain as the libvirt client does.
func (d *diagnosis) server(chain []*x509.Certificate) {
	if len(chain) == 0 {
		d.add(finding.Finding{ID: "server-no-certificate", Status: finding.Fail, Message: "the server sent no certificate", Fix: "configure cert_file on the server"})
		return
	}
	leaf := chain[0]
	v := JudgeServer(chain, d.creds.cas, d.t.Host, d.now, d.p.opts.Rules)
	d.r.ChainOK = v.ChainOK() && d.creds.caErr == nil
	sev := d.severity()
	libvirtSays := ""
	if v.LibvirtError != "" {
		libvirtSays = "; virsh warns 'Certificate check failed " + v.LibvirtError + "' and fails with: authentication failed: Failed to verify peer's certificate"
	}

	switch {
	case d.creds.caErr != nil:
		d.add(finding.Finding{ID: "server-chain", Status: finding.Skip, Message: "server certificate chain not verified: no usable CA file"})
	case v.ChainErr != nil:
		var subjects []string
		for _, ca := range d.creds.cas {
			subjects = append(subjects, dnString(ca.RawSubject))
		}
		d.add(finding.Finding{ID: "server-chain", Status: sev,
			Message: fmt.Sprintf("the server certificate (issuer %q) does not verify against %s (CA subjects %s): %s%s", dnString(leaf.RawIssuer), d.creds.report.CACert, quoteList(subjects), gnutlsReason(v.ChainErr), libvirtSays),
			Fix:     fmt.Sprintf("put the CA that issued the server certificate in %s, or reissue the server certificate from the CA in it", d.creds.report.CACert)})
	case revoked(d.creds.crl, leaf):
		d.r.ChainOK = false
		d.add(finding.Finding{ID: "server-cert-revoked", Status: sev,
			Message: fmt.Sprintf("the server certificate (serial %X) is revoked by %s; virsh warns 'Certificate check failed Certificate failed validation: The certificate has been revoked.' and fails with: authentication failed: Failed to verify peer's certificate", leaf.SerialNumber, d.creds.report.CRL),
			Fix:     "issue a new server certificate, install it and restart libvirtd"})
	case v.Expired != nil:
		d.add(finding.Finding{ID: "server-cert-" + v.Expired.ID, Status: sev,
			Message: fmt.Sprintf("the server certificate is outside its validity period%s; libvirt only says: The certificate is not trusted.%s", expiryDetail(v.Expired.ID, leaf), libvirtSays),
			Fix:     "renew the server certificate, then restart libvirtd (or run virt-admin server-update-tls libvirtd)"})
	default:
		d.add(finding.Finding{ID: "server-chain", Status: finding.Pass,
			Message: fmt.Sprintf("server certificate chain verifies against %s (valid until %s)", d.creds.report.CACert, leaf.NotAfter.UTC().Format(time.RFC3339))})
	}

	// The libvirt client refuses a certificate that does not verify
	// (unknown CA, expired, revoked, no usable CA file) as firmly as one
	// for another host.
	d.r.ServerIdentityOK = d.r.ChainOK && v.IdentityOK()

	names := strings.Join(v.Names, ", ")
	if names == "" {
		names = "none"
	}
	if v.HostnameOK {
		d.add(finding.Finding{ID: "server-hostname", Status: finding.Pass,
			Message: fmt.Sprintf("server certificate is valid for %q (certificate names: %s)", d.t.Host, names)})
	} else {
		why := ""
		switch {
		case isIP(d.t.Host) && v.CNOnly:
			why = " (the CN is never compared with an IP address, and the certificate has no IP SAN)"
		case !v.CNOnly && leaf.Subject.CommonName != "" && strings.EqualFold(leaf.Subject.CommonName, d.t.Host):
			why = " (the CN matches, but GnuTLS ignores the CN once the certificate has a DNS SAN)"
		}
		fix := fmt.Sprintf("reissue the server certificate with dns_name = %q in its template, or connect with a name it lists", d.t.Host)
		if isIP(d.t.Host) {
			fix = fmt.Sprintf("reissue the server certificate with ip_address = %q in its template, or connect by a DNS name it lists", d.t.Host)
		}
		d.add(finding.Finding{ID: "server-hostname", Status: sev,
			Message: fmt.Sprintf("server certificate is not valid for %q: its names are %s%s; libvirt says: Certificate [session] owner does not match the hostname %s", d.t.Host, names, why, d.t.Host),
			Fix:     fix})
	}
	if v.CNOnly && v.HostnameOK {
		d.add(finding.Finding{ID: "server-cn-only", Status: finding.Warn,
			Message: fmt.Sprintf("the server certificate has no DNS SAN: libvirt accepts its CN %q, but Go, QEMU and other modern TLS clients refuse it", leaf.Subject.CommonName),
			Fix:     fmt.Sprintf("reissue the server certificate with dns_name = %q (and ip_address for every address clients use)", leaf.Subject.CommonName)})
	}
	for _, p := range v.Problems {
		st := finding.Warn
		if p.Fatal {
			st = sev
		}
		verb := "libvirt refuses the server certificate: "
		if !p.Fatal {
			verb = "libvirt only warns: "
		}
		d.add(finding.Finding{ID: "server-cert-" + p.ID, Status: st,
			Message: verb + p.Text("[session]"),
			Fix:     serverFix(p.ID)})
	}
	if v.Accepted() && !v.CNOnly { // server-cn-only already says Go refuses it
		if err := goVerdict(leaf, d.t.Host); err != nil {
			d.add(finding.Finding{ID: "go-rejects-server-cert", Status: finding.Warn,
				Message: "libvirt accepts the server certificate, but Go's crypto/tls (and other strict clients) would not: " + err.Error(),
				Fix:     "reissue the server certificate with SANs for every name and address, and the TLS Web Server purpose"})
		}
	}
}

func serverFix(id string) string {
	switch id {
	case "leaf-is-ca":
		return "issue a leaf server certificate (no 'ca' in its template)"
	case "ku-no-key-encipherment", "ku-no-digital-signature":
		return "reissue the server certificate with signing_key and encryption_key in its template"
	case "eku-no-server":
		return "reissue the server certificate with tls_www_server in its template"
	}
	return "reissue the server certificate"
}

// goVerdict is what Go's crypto/tls default verification adds to a chain
// that libvirt's rules already verified (same CA file, same time): the
// host name by RFC 6125 (no CN fallback), the TLS Web Server purpose and
// unknown critical extensions. It is reported for comparison only.
func goVerdict(leaf *x509.Certificate, host string) error {
	if err := leaf.VerifyHostname(host); err != nil {
		return err
	}
	if len(leaf.UnhandledCriticalExtensions) > 0 {
		return x509.UnhandledCriticalExtension{}
	}
	if len(leaf.ExtKeyUsage) == 0 && len(leaf.UnknownExtKeyUsage) == 0 {
		return nil
	}
	for _, u := range leaf.ExtKeyUsage {
		if u == x509.ExtKeyUsageServerAuth || u == x509.ExtKeyUsageAny {
			return nil
		}
	}
	return x509.CertificateInvalidError{Cert: leaf, Reason: x509.IncompatibleUsage}
}

func quoteList(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = fmt.Sprintf("%q", x)
	}
	return "[" + strings.Join(q, ", ") + "]"
}
