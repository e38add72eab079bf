package tlsprobe

import (
	"context"
	"crypto/tls"
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
	a := runAttempt(ctx, d.r.Address, attemptConfig{version: tls.VersionTLS13})
	if !a.report.OK {
		a = runAttempt(ctx, d.r.Address, attemptConfig{version: tls.VersionTLS12})
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
