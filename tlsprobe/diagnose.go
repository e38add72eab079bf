package tlsprobe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"strings"
	"time"

	"github.com/virt-pki/virt-pki/finding"
)

// diagnosis turns what the connections observed into a Result.
type diagnosis struct {
	p     *Prober
	t     Target
	r     *Result
	now   time.Time
	creds *credentials
}

func (d *diagnosis) add(fs ...finding.Finding) { d.r.Findings = append(d.r.Findings, fs...) }

// conf reports insecure server settings read from --libvirtd-conf.
func (d *diagnosis) conf() {
	c := d.p.opts.Conf
	if c == nil {
		return
	}
	if c.TLSNoVerifyCertificate {
		d.add(finding.Finding{ID: "server-no-verify", Status: finding.Warn, Path: c.Path,
			Message: "tls_no_verify_certificate = 1: libvirtd admits clients without a valid certificate and does not enforce tls_allowed_dn_list",
			Fix:     "set tls_no_verify_certificate = 0 in " + c.Path + " and restart libvirtd"})
	}
	if c.TLSPort != "" && c.TLSPort != fmt.Sprint(d.t.Port) && d.t.Connect == "" {
		d.add(finding.Finding{ID: "port-mismatch", Status: finding.Warn, Path: c.Path,
			Message: fmt.Sprintf("%s sets tls_port = %q but the target uses port %d", c.Path, c.TLSPort, d.t.Port),
			Fix:     fmt.Sprintf("connect to port %s (write it in the URI: %s+tls://%s:%s/...)", c.TLSPort, orDefault(d.t.Driver, "qemu"), d.t.Host, c.TLSPort)})
	}
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// tcpFailure reports a failed connect.
func (d *diagnosis) tcpFailure(outcome TCPOutcome, detail string) {
	d.r.TCP = outcome
	msg := map[TCPOutcome]string{
		TCPRefused:     "connection refused: nothing listens on %s (libvirtd not running, not started with --listen / listen_tls = 0, another tls_port or listen_addr, or a firewall REJECT); virsh says: unable to connect to server at '%s': Connection refused",
		TCPTimeout:     "no answer from %s within the timeout (a firewall dropping packets, or the host is down); virsh hangs the same way at '%s'",
		TCPReset:       "the connection to %s was reset (%s)",
		TCPUnreachable: "%s is unreachable: no route (%s)",
		TCPNameError:   "cannot resolve the host of %s (%s)",
	}[outcome]
	if msg == "" {
		msg = "cannot connect to %s (%s)"
	}
	arg := d.r.Address
	if outcome != TCPRefused && outcome != TCPTimeout {
		arg = detail
	}
	d.add(finding.Finding{ID: "tcp-" + string(outcome), Status: finding.Fail,
		Message: fmt.Sprintf(msg, d.r.Address, arg),
		Fix:     fmt.Sprintf("start libvirtd with TLS listening (listen_tls = 1 and --listen, or enable libvirtd-tls.socket / virtproxyd-tls.socket) on port %d, or fix the port in the URI", d.t.Port)})
}

// handshakes evaluates the per-version attempts.
func (d *diagnosis) handshakes(ctx context.Context, atts []*attempt) {
	connected := false
	for _, a := range atts {
		d.r.Handshakes = append(d.r.Handshakes, a.report)
		if a.tcp == TCPConnected {
			connected = true
		}
	}
	if !connected {
		d.tcpFailure(atts[0].tcp, atts[0].report.Detail)
		return
	}
	d.r.TCP = TCPConnected
	d.add(finding.Finding{ID: "tcp", Status: finding.Pass, Message: "TCP connection to " + d.r.Address})
	var best *attempt
	var accepted, refused []string
	for _, a := range atts {
		if a.report.OK {
			d.r.TLSVersions = append(d.r.TLSVersions, a.report.Version)
			accepted = append(accepted, fmt.Sprintf("%s (%s)", a.report.Version, a.report.Cipher))
			if best == nil {
				best = a
			}
		} else if a.tcp == TCPConnected {
			refused = append(refused, fmt.Sprintf("%s (%s)", a.report.Version, a.report.Error))
		}
	}
	if best == nil {
		d.handshakeFailure(ctx, atts)
		return
	}
	msg := "TLS handshake: " + strings.Join(accepted, ", ")
	if len(refused) > 0 {
		msg += "; refused: " + strings.Join(refused, ", ")
	}
	d.add(finding.Finding{ID: "tls-handshake", Status: finding.Pass, Message: msg})
	d.r.Cipher = best.report.Cipher
	chain := best.state.PeerCertificates
	for _, c := range chain {
		d.r.ServerChain = append(d.r.ServerChain, describeCert(c))
	}
	d.server(chain)
	d.client(best)
}

// handshakeFailure explains why no TLS version worked.
func (d *diagnosis) handshakeFailure(ctx context.Context, atts []*attempt) {
	a := atts[0]
	for _, x := range atts {
		if x.report.Error == "not-tls" || x.report.Error == "too-large" {
			a = x
		}
	}
	switch a.report.Error {
	case "not-tls":
		what := describePeerBytes(a.banner)
		fix := fmt.Sprintf("point the URI at libvirtd's TLS port (tls_port, default %d)", DefaultTLSPort)
		if strings.HasPrefix(string(a.banner), "SSH-") {
			fix = "this is an SSH server: use " + orDefault(d.t.Driver, "qemu") + "+ssh://" + d.t.Host + "/system, or the TLS port"
		}
		d.add(finding.Finding{ID: "not-tls", Status: finding.Fail,
			Message: fmt.Sprintf("%s is not a TLS server: instead of a ServerHello it sent %s", d.r.Address, what), Fix: fix})
	case "reset", "eof":
		if ctx.Err() == nil && speaksLibvirtRPC(ctx, d.r.Address) {
			d.add(finding.Finding{ID: "plain-tcp-port", Status: finding.Fail,
				Message: fmt.Sprintf("%s speaks plain libvirt RPC (listen_tcp, the +tcp transport), not TLS: it reads the ClientHello as an RPC packet length and hangs up; virsh says: authentication failed: TLS handshake failed Error in the pull function.", d.r.Address),
				Fix:     fmt.Sprintf("use libvirtd's TLS port (tls_port, default %d) in the URI, or %s+tcp:// if unencrypted TCP is really intended", DefaultTLSPort, orDefault(d.t.Driver, "qemu"))})
			return
		}
		if a.report.Error == "reset" {
			d.add(finding.Finding{ID: "handshake-reset", Status: finding.Fail,
				Message: fmt.Sprintf("%s reset the connection during the TLS handshake for every version tried: it does not speak TLS on this port", d.r.Address),
				Fix:     fmt.Sprintf("check that the port is libvirtd's TLS port (tls_port, default %d)", DefaultTLSPort)})
			return
		}
		d.add(finding.Finding{ID: "handshake-eof", Status: finding.Fail,
			Message: fmt.Sprintf("%s accepted TCP but closed the connection during the handshake without an alert, for TLS 1.3 and 1.2: libvirtd does this when its tls_priority is invalid or shares no protocol version or cipher with the client; virsh says: TLS handshake failed", d.r.Address),
			Fix:     "check tls_priority in libvirtd.conf (gnutls-cli --priority 'STRING' -l must accept it) and the daemon log"})
	case "timeout":
		msg := fmt.Sprintf("%s accepted TCP but sent nothing within %s: not a TLS server, or a stalled proxy", d.r.Address, d.p.opts.Timeout)
		if n := maxBytes(atts); n > 0 {
			msg = fmt.Sprintf("%s sent only %d bytes of its handshake within %s: the peer or the network is far too slow (a trickling peer)", d.r.Address, n, d.p.opts.Timeout)
		}
		d.add(finding.Finding{ID: "handshake-timeout", Status: finding.Fail, Message: msg,
			Fix: "check that the port is libvirtd's TLS port and that no proxy or firewall stalls it; raise --timeout for slow links"})
	case "too-large":
		d.add(finding.Finding{ID: "handshake-too-large", Status: finding.Fail,
			Message: fmt.Sprintf("%s sent a handshake message larger than TLS clients accept (%s): an oversized certificate chain", d.r.Address, a.report.Detail),
			Fix:     "serve only the server certificate (and its intermediates) in cert_file"})
	case "alert":
		d.add(finding.Finding{ID: "handshake-alert", Status: finding.Fail,
			Message: fmt.Sprintf("%s refused the handshake with an alert for every version tried (%s)", d.r.Address, a.report.Detail),
			Fix:     "compare the server's tls_priority with the client's; libvirt needs TLS 1.2 or 1.3"})
	default:
		d.add(finding.Finding{ID: "handshake-failed", Status: finding.Fail,
			Message: fmt.Sprintf("TLS handshake with %s failed: %s", d.r.Address, a.report.Detail),
			Fix:     "check that the port is libvirtd's TLS port"})
	}
}

func maxBytes(atts []*attempt) int64 {
	var n int64
	for _, a := range atts {
		n = max(n, a.bytesRead)
	}
	return n
}

// plainTransport probes a +tcp target: plain libvirt RPC, or a TLS port
// reached by a plain client.
func (d *diagnosis) plainTransport(ctx context.Context) {
	d.r.Credentials.Why = []string{"the +tcp transport uses no certificates"}
	c, outcome, err := dial(ctx, d.r.Address)
	if err != nil {
		d.tcpFailure(outcome, errDetail(err))
		return
	}
	c.Close()
	d.r.TCP = TCPConnected
	d.add(finding.Finding{ID: "tcp", Status: finding.Pass, Message: "TCP connection to " + d.r.Address})
	if speaksLibvirtRPC(ctx, d.r.Address) {
		d.add(finding.Finding{ID: "plain-rpc", Status: finding.Pass, Message: d.r.Address + " answers libvirt RPC without TLS"},
			finding.Finding{ID: "unencrypted", Status: finding.Warn,
				Message: "the +tcp transport sends everything, credentials included, unencrypted",
				Fix:     fmt.Sprintf("use %s+tls://%s/... (port %d) instead", orDefault(d.t.Driver, "qemu"), d.t.Host, DefaultTLSPort)})
		return
	}
	a := runAttempt(ctx, d.r.Address, tls.VersionTLS13, nil, false)
	if !a.report.OK {
		a = runAttempt(ctx, d.r.Address, tls.VersionTLS12, nil, false)
	}
	if a.report.OK {
		d.r.TLSVersions = append(d.r.TLSVersions, a.report.Version)
		d.add(finding.Finding{ID: "tls-port-plain-client", Status: finding.Fail,
			Message: fmt.Sprintf("%s expects TLS, but the URI asks for plain TCP: libvirtd logs 'TLS handshake failed An unexpected TLS packet was received.' and virsh says: Cannot recv data: Connection reset by peer", d.r.Address),
			Fix:     fmt.Sprintf("use %s+tls://%s:%d/... for this port", orDefault(d.t.Driver, "qemu"), d.t.Host, d.t.Port)})
		return
	}
	d.add(finding.Finding{ID: "not-libvirt-rpc", Status: finding.Fail,
		Message: fmt.Sprintf("%s answers neither libvirt RPC nor TLS", d.r.Address),
		Fix:     fmt.Sprintf("check the port (plain TCP: tcp_port, default %d; TLS: tls_port, default %d)", DefaultTCPPort, DefaultTLSPort)})
}

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
	d.r.ServerIdentityOK = v.IdentityOK()
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
			Message: verb + libvirtMessage(p.Message, "[session]"),
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
