package tlsprobe

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/virt-pki/virt-pki/finding"
	"github.com/virt-pki/virt-pki/libvirtcert"
)

// client reports the client-certificate exchange and the server's verdict
// on us (the confirmation byte).
func (d *diagnosis) client(a *attempt) {
	r := d.r
	r.ClientCertRequested = a.requested
	r.ClientCertSent = a.sent
	for _, ca := range a.acceptableCAs {
		r.AcceptableCAs = append(r.AcceptableCAs, dnString(ca))
	}
	issuerListed := d.creds.leaf != nil && issuerInList(d.creds.leaf.RawIssuer, a.acceptableCAs)
	switch {
	case !a.requested:
		d.add(finding.Finding{ID: "client-cert-not-requested", Status: finding.Warn,
			Message: "the server did not request a client certificate: libvirtd always does, so this is not libvirtd (a TLS proxy in between?)",
			Fix:     "connect to libvirtd directly"})
	case d.creds.cert == nil:
		// client-cert-missing or unreadable is already reported.
	case a.withheld:
		d.add(finding.Finding{ID: "client-cert-withheld", Status: finding.Fail,
			Message: fmt.Sprintf("our client certificate was not sent: its issuer %q is not among the CAs the server accepts %s; Go and GnuTLS (so libvirt) withhold such a certificate, and libvirtd then logs 'No certificate was found'", dnString(d.creds.leaf.RawIssuer), quoteList(r.AcceptableCAs)),
			Fix:     "issue the client certificate from the server's CA (one of the acceptable CAs), or rerun with --force-client-cert to see libvirtd's verdict on this certificate"})
	case a.sent && !issuerListed && len(a.acceptableCAs) > 0:
		d.add(finding.Finding{ID: "client-cert-forced", Status: finding.Warn,
			Message: fmt.Sprintf("our client certificate (issuer %q) was sent because of --force-client-cert, although the server accepts only %s; a libvirt client would not send it", dnString(d.creds.leaf.RawIssuer), quoteList(r.AcceptableCAs)),
			Fix:     "issue the client certificate from the server's CA"})
	default:
		d.add(finding.Finding{ID: "client-cert-sent", Status: finding.Pass,
			Message: fmt.Sprintf("client certificate sent (DN %q)", d.creds.dn)})
	}

	accepted := a.confirmation == "accepted"
	r.ClientAccepted = &accepted
	switch a.confirmation {
	case "accepted":
		d.add(finding.Finding{ID: "client-accepted", Status: finding.Pass,
			Message: "libvirtd accepted our credentials (confirmation byte 0x01)"})
		d.dnCheck(true)
	case "not-libvirt":
		d.add(finding.Finding{ID: "not-libvirt", Status: finding.Fail,
			Message: fmt.Sprintf("after the handshake the server sent byte 0x%02x, not libvirt's confirmation 0x01: this is not a libvirt TLS endpoint", a.otherByte),
			Fix:     fmt.Sprintf("check that the port is libvirtd's TLS port (tls_port, default %d)", DefaultTLSPort)})
	case "timeout":
		d.add(finding.Finding{ID: "no-confirmation", Status: finding.Fail,
			Message: fmt.Sprintf("the handshake completed but the server sent no confirmation byte within %s: not libvirtd, or a proxy in between", d.p.opts.Timeout),
			Fix:     "connect to libvirtd directly"})
	default:
		d.rejected(a)
	}
}

// rejected explains a refusal after the handshake: libvirtd gives no
// reason on the wire, so list the causes we can see.
func (d *diagnosis) rejected(a *attempt) {
	d.add(finding.Finding{ID: "client-rejected", Status: finding.Fail,
		Message: "libvirtd closed the connection after the handshake without the confirmation byte: it rejected our credentials (virsh: Unable to read TLS confirmation: Input/output error); the reason is only in the daemon log",
		Fix:     "see the likely causes below; the daemon log (journalctl -u libvirtd) names the exact one"})
	explained := false
	if d.creds.cert == nil || a.withheld {
		explained = true // reported as client-cert-missing / client-cert-withheld
	}
	if d.creds.leaf != nil && a.sent {
		leaf := d.creds.leaf
		if len(a.acceptableCAs) > 0 && !issuerInList(leaf.RawIssuer, a.acceptableCAs) {
			explained = true
			d.add(finding.Finding{ID: "client-cert-unknown-issuer", Status: finding.Fail,
				Message: fmt.Sprintf("likely cause: libvirtd does not know our certificate's issuer %q (it accepts %s); it logs: Certificate failed validation: The certificate hasn't got a known issuer.", dnString(leaf.RawIssuer), quoteList(d.r.AcceptableCAs)),
				Fix:     "issue the client certificate from the server's CA"})
		}
		for _, p := range libvirtcert.CheckCertificate(leaf, libvirtcert.RoleClient, d.now, d.p.opts.Rules) {
			if !p.Fatal {
				continue
			}
			explained = true
			logText := p.Text("[session]")
			if p.ID == "expired" || p.ID == "not-yet-valid" {
				logText = "Certificate failed validation: The certificate is not trusted."
			}
			d.add(finding.Finding{ID: "client-rejected-" + p.ID, Status: finding.Fail,
				Message: fmt.Sprintf("likely cause: our certificate breaks libvirt's rules (%s%s); libvirtd logs: %s", p.Text(d.creds.report.ClientCert), expiryDetail(p.ID, leaf), logText),
				Fix:     clientFix(p.ID)})
		}
	}
	if d.dnCheck(false) {
		explained = true
	}
	if !explained && d.creds.leaf != nil {
		d.add(finding.Finding{ID: "client-rejected-unexplained", Status: finding.Fail,
			Message: fmt.Sprintf("our certificate passes every check visible from here; the likely cause is tls_allowed_dn_list (our DN is %q) or revocation by the server's crl_file", d.creds.dn),
			Fix:     fmt.Sprintf("add \"%s\" to tls_allowed_dn_list in libvirtd.conf and restart libvirtd; rerun with --libvirtd-conf FILE or --allowed-dn PATTERN to check the list", d.creds.dn)})
	}
}

// dnCheck compares our DN with a known tls_allowed_dn_list. It returns
// true when it found the DN refused.
func (d *diagnosis) dnCheck(accepted bool) bool {
	o := d.p.opts
	if !o.AllowedDNSet || d.creds.leaf == nil {
		return false
	}
	dn := d.creds.dn
	src := o.AllowedDNFrom
	if src == "" {
		src = "tls_allowed_dn_list"
	}
	if p, ok := matchingPattern(dn, o.AllowedDN); ok {
		d.add(finding.Finding{ID: "client-dn-allowed", Status: finding.Pass,
			Message: fmt.Sprintf("our DN %q matches %q of %s", dn, p, src)})
		return false
	}
	if accepted {
		d.add(finding.Finding{ID: "client-dn-list-differs", Status: finding.Warn,
			Message: fmt.Sprintf("libvirtd accepted us although our DN %q matches nothing in %s %s: the daemon runs with another list or tls_no_verify_certificate = 1", dn, src, quoteList(o.AllowedDN)),
			Fix:     "compare the running daemon's libvirtd.conf with the one given"})
		return false
	}
	rfc, _ := libvirtcert.FormatDNRFC4514(d.creds.leaf.RawSubject)
	d.add(finding.Finding{ID: "client-dn-not-allowed", Status: finding.Fail,
		Message: fmt.Sprintf("our DN %q matches nothing in %s %s%s; libvirtd logs: %s", dn, src, quoteList(o.AllowedDN), dnHints(dn, rfc, o.AllowedDN), dnNotAllowedText),
		Fix:     fmt.Sprintf("add \"%s\" (or a glob such as \"%s\") to tls_allowed_dn_list in libvirtd.conf and restart libvirtd", dn, globFor(dn))})
	return true
}

func matchingPattern(dn string, patterns []string) (string, bool) {
	for _, p := range patterns {
		if libvirtcert.MatchDNPattern(p, dn) {
			return p, true
		}
	}
	return "", false
}

// dnHints explains near misses: reversed (RFC 4514) order, spaces after
// commas, a partial DN, an empty list.
func dnHints(dn, rfc string, patterns []string) string {
	if len(patterns) == 0 {
		return " (an empty list denies every client; delete the setting to admit any client the CA signed)"
	}
	var hints []string
	for _, p := range patterns {
		switch {
		case rfc != "" && libvirtcert.MatchDNPattern(p, rfc):
			hints = append(hints, fmt.Sprintf("%q is in RFC 4514 order (as certtool -i and openssl print it); libvirt matches the order virt-pki-query-dn prints: %q", p, dn))
		case strings.Contains(p, ", ") && libvirtcert.MatchDNPattern(strings.ReplaceAll(p, ", ", ","), dn):
			hints = append(hints, fmt.Sprintf("%q has spaces after commas; libvirt's DN string has none", p))
		case !strings.ContainsAny(p, "*?") && strings.Contains(dn, p):
			hints = append(hints, fmt.Sprintf("%q is only part of the DN; a pattern must match the whole DN (use * for the rest)", p))
		}
	}
	if len(hints) == 0 {
		return ""
	}
	return " (" + strings.Join(hints, "; ") + ")"
}

// globFor suggests a pattern admitting every CN with the same other RDNs.
func globFor(dn string) string {
	i := strings.LastIndex(dn, "CN=")
	if i < 0 {
		return dn
	}
	return dn[:i] + "CN=*"
}

func issuerInList(issuer []byte, list [][]byte) bool {
	for _, ca := range list {
		if bytes.Equal(issuer, ca) {
			return true
		}
	}
	return false
}
