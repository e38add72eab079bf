package tlsprobe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/virt-pki/virt-pki/finding"
)

// chainConfirmWait bounds the wait for libvirt's confirmation byte when
// only the chain is wanted: libvirtd answers at once, and a TLS server
// that asks for a client certificate but is not libvirtd must not hold a
// scan for its whole timeout. The chain is returned either way.
const chainConfirmWait = 2 * time.Second

// ServerChain connects to target (a libvirt URI or host[:port], default
// port 16514), shakes hands without judging the server and returns the
// certificates the server sent, leaf first. It is what expiry
// uses for live endpoints. timeout bounds the whole exchange (5 s when
// zero). Client credentials are found as the libvirt client finds them
// (the URI's pkipath, ~/.pki/libvirt or /etc/pki, see
// layout.ClientCredentials) for the effective user and $HOME; see
// Prober.ServerChain for how the connection ends.
func ServerChain(ctx context.Context, target string, timeout time.Duration) ([]*x509.Certificate, error) {
	return New(Options{Credentials: DefaultCredentials(), Timeout: timeout}).ServerChain(ctx, target)
}

// DefaultCredentials is the lookup the libvirt client of this process
// would do: the effective user and $HOME, no explicit files.
func DefaultCredentials() CredentialsSource {
	home := os.Getenv("HOME")
	if home == "" {
		home, _ = os.UserHomeDir()
	}
	return CredentialsSource{Home: home, EUID: os.Geteuid()}
}

// ServerChain fetches target's certificate chain, leaf first, within the
// Prober's timeout, behaving like a polite libvirt client so that
// scanning a libvirtd from cron adds nothing to its log:
//
//   - With usable client credentials (found as the libvirt client finds
//     them, or given in Options.Credentials; the pair must pass libvirt's
//     own start-up checks and its issuer must be one the server accepts),
//     the handshake completes with them, the confirmation byte is read,
//     libvirt's connect-close is sent and the connection ends with
//     close_notify: libvirtd logs nothing. (When libvirtd refuses the
//     credentials, e.g. tls_allowed_dn_list, it logs why, as for virsh.)
//   - Without them, the handshake is abandoned, without an alert, at the
//     point where an empty client certificate would be sent, after the
//     server's certificates have arrived. libvirtd then logs one line,
//     "authentication failed: TLS handshake failed The TLS connection was
//     non-properly terminated." (the same as a plain TCP health check),
//     instead of the three a certificate-less handshake causes ("Unable
//     to verify TLS peer: No certificate was found.", the matching
//     "Certificate check failed" warning and "authentication failed:
//     Failed to verify peer's certificate").
//
// A server that does not ask for a client certificate (not libvirtd) gets
// a completed handshake and close_notify. The server is never judged.
//
// When no chain arrives the error is a *ChainError, one clause naming the
// address and the likely cause; a target that does not parse, or a +tcp
// URI (no TLS, so no certificate), is a plain error.
func (p *Prober) ServerChain(ctx context.Context, target string) ([]*x509.Certificate, error) {
	t, err := ParseTarget(target)
	if err != nil {
		return nil, err
	}
	if t.Transport == TransportTCP {
		return nil, fmt.Errorf("the +tcp transport is not encrypted: there is no certificate to check (use %s+tls://%s/...)", orDefault(t.Driver, "qemu"), t.Host)
	}
	ctx, cancel := context.WithTimeout(ctx, p.opts.Timeout)
	defer cancel()
	creds := p.credentials(t, p.opts.Now())
	a := runAttempt(ctx, t.Address(), attemptConfig{cert: usableCert(creds), quiet: true, confirmWait: chainConfirmWait})
	if a.abandoned || a.report.OK {
		return a.peerCerts, nil
	}
	return nil, chainError(t, a, p.opts.Timeout)
}

// usableCert is the client certificate a libvirt client would send, or
// nil when libvirt would not get that far with it (missing, unreadable,
// or refused by its own start-up checks): sending such a certificate
// would only fill the daemon's log.
func usableCert(c *credentials) *tls.Certificate {
	if c.cert == nil {
		return nil
	}
	for _, f := range c.findings {
		if f.Status == finding.Fail && strings.HasPrefix(f.ID, "client-") {
			return nil
		}
	}
	return c.cert
}
