package tlsprobe

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"time"
)

// attempt is one connection with one protocol version.
type attempt struct {
	version uint16
	tcp     TCPOutcome
	// dialErr is why the TCP connection failed (nil when it succeeded).
	dialErr error
	report  HandshakeReport
	state   *tls.ConnectionState
	// bytesRead counts what the peer sent during the handshake.
	bytesRead int64
	banner    []byte

	requested     bool
	acceptableCAs [][]byte
	sent          bool
	withheld      bool
	// peerCerts is the server's chain as received, leaf first (also when
	// the handshake was abandoned after it arrived).
	peerCerts []*x509.Certificate
	// abandoned tells that a quiet attempt stopped before sending an
	// empty certificate.
	abandoned bool

	confirmation string
	otherByte    byte
}

func versionName(v uint16) string {
	switch v {
	case tls.VersionTLS13:
		return "TLS 1.3"
	case tls.VersionTLS12:
		return "TLS 1.2"
	}
	return tls.VersionName(v)
}

// gnutlsGroups are the key exchange groups offered, in GnuTLS's order.
var gnutlsGroups = []tls.CurveID{tls.X25519, tls.CurveP256, tls.CurveP384, tls.CurveP521}

// goodbyeWait bounds the wait for the reply to libvirt's connect-close.
const goodbyeWait = time.Second

// bannerLen is how much of a non-TLS peer's first words is kept.
const bannerLen = 96

// countingConn counts bytes read, so a trickling peer can be described,
// and keeps the first ones, so a non-TLS peer's banner can be shown.
type countingConn struct {
	net.Conn
	n    atomic.Int64
	head []byte
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.n.Add(int64(n))
	if room := bannerLen - len(c.head); room > 0 {
		c.head = append(c.head, p[:min(n, room)]...)
	}
	return n, err
}

// attemptConfig says how one connection behaves.
type attemptConfig struct {
	// version is the only protocol version offered; 0 negotiates TLS 1.2
	// or 1.3 as a libvirt client does.
	version uint16
	// cert is offered when the server asks and its issuer is acceptable
	// (or force); nil offers none.
	cert  *tls.Certificate
	force bool
	// quiet abandons the handshake, without an alert, at the moment an
	// empty certificate would be sent: libvirtd then logs one line
	// instead of three (see ServerChain).
	quiet bool
	// confirmWait, when set, bounds the wait for the confirmation byte
	// (the whole context otherwise).
	confirmWait time.Duration
}

// errQuietAbort ends a handshake that would only make libvirtd log a
// missing client certificate.
var errQuietAbort = errors.New("handshake abandoned: no client certificate to send")

// runAttempt connects to addr, shakes hands as cfg says, offers cfg.cert
// (when the server asks and its issuer is acceptable, or force), reads the
// confirmation byte, says goodbye in libvirt's protocol and closes with
// close_notify.
func runAttempt(ctx context.Context, addr string, cfg attemptConfig) *attempt {
	version, cert, force := cfg.version, cfg.cert, cfg.force
	a := &attempt{version: version, report: HandshakeReport{Version: versionName(version)}}
	raw, outcome, err := dial(ctx, addr)
	a.tcp = outcome
	if err != nil {
		a.dialErr = err
		a.report.Error, a.report.Detail = "tcp", errDetail(err)
		return a
	}
	cc := &countingConn{Conn: raw}
	if dl, ok := ctx.Deadline(); ok {
		cc.SetDeadline(dl)
	}
	minV, maxV := version, version
	if version == 0 {
		minV, maxV = tls.VersionTLS12, tls.VersionTLS13
	}
	tc := &tls.Config{
		// The server is judged by libvirt's rules afterwards, not Go's.
		InsecureSkipVerify: true,
		MinVersion:         minV,
		MaxVersion:         maxV,
		// The groups GnuTLS 3.7 (libvirt's TLS library) offers; no
		// post-quantum hybrid, whose key generation would only cost time.
		CurvePreferences: gnutlsGroups,
		GetClientCertificate: func(cri *tls.CertificateRequestInfo) (*tls.Certificate, error) {
			a.requested = true
			a.acceptableCAs = cri.AcceptableCAs
			if cert != nil && (force || issuerAcceptable(cert, cri.AcceptableCAs)) {
				a.sent = true
				return cert, nil
			}
			a.withheld = cert != nil
			if cfg.quiet {
				// Close the socket first: under TLS 1.2 Go would answer
				// this error with an internal_error alert, which the
				// daemon logs; now it sees a plain end of connection.
				cc.Conn.Close()
				return nil, errQuietAbort
			}
			return &tls.Certificate{}, nil
		},
		// The server's chain is kept even when the handshake is abandoned.
		VerifyConnection: func(st tls.ConnectionState) error {
			a.peerCerts = st.PeerCertificates
			return nil
		},
	}
	conn := tls.Client(cc, tc)
	defer closeTLS(conn)
	err = conn.HandshakeContext(ctx)
	a.bytesRead = cc.n.Load()
	if errors.Is(err, errQuietAbort) {
		a.abandoned = true
		a.report.Detail = errQuietAbort.Error()
		return a
	}
	if err != nil {
		a.classifyHandshakeError(err)
		if a.report.Error == "not-tls" {
			a.banner = readBanner(cc)
		}
		return a
	}
	st := conn.ConnectionState()
	a.state = &st
	a.report.OK = true
	a.report.Version = versionName(st.Version)
	a.report.Cipher = tls.CipherSuiteName(st.CipherSuite)
	if cfg.quiet && !a.requested {
		// Not libvirtd (it always asks for a certificate): there is no
		// confirmation byte to wait for.
		return a
	}
	if cfg.confirmWait > 0 {
		if dl, ok := ctx.Deadline(); !ok || time.Until(dl) > cfg.confirmWait {
			conn.SetDeadline(time.Now().Add(cfg.confirmWait))
		}
	}
	a.readConfirmation(ctx, conn)
	a.report.Confirmation = a.confirmation
	return a
}

// issuerAcceptable mirrors Go's and GnuTLS's choice: a certificate is sent
// only when the server lists no CAs or one of the chain's issuers is listed.
func issuerAcceptable(cert *tls.Certificate, acceptable [][]byte) bool {
	if len(acceptable) == 0 {
		return true
	}
	for _, der := range cert.Certificate {
		for _, ca := range acceptable {
			if issuer := rawIssuer(der); issuer != nil && bytes.Equal(issuer, ca) {
				return true
			}
		}
	}
	return false
}

func (a *attempt) classifyHandshakeError(err error) {
	a.report.Detail = errDetail(err)
	var rh tls.RecordHeaderError
	msg := err.Error()
	switch {
	case errors.As(err, &rh):
		a.report.Error = "not-tls"
	case isTimeout(err):
		a.report.Error = "timeout"
	case classifyNetError(err) == TCPReset:
		a.report.Error = "reset"
	case isEOF(err):
		a.report.Error = "eof"
	case strings.Contains(msg, "remote error: tls:"):
		a.report.Error = "alert"
	case strings.Contains(msg, "exceeds maximum"):
		a.report.Error = "too-large"
	default:
		a.report.Error = "error"
	}
}

// readBanner returns the first bytes a non-TLS peer sent, waiting briefly
// for the rest of its first line when only a record header arrived.
func readBanner(cc *countingConn) []byte {
	if len(cc.head) < bannerLen && !bytes.ContainsAny(cc.head, "\n") {
		cc.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		buf := make([]byte, bannerLen-len(cc.head))
		cc.Read(buf)
	}
	return cc.head
}

// readConfirmation reads libvirt's one-byte verdict on the client.
func (a *attempt) readConfirmation(ctx context.Context, conn *tls.Conn) {
	var b [1]byte
	n, err := conn.Read(b[:])
	switch {
	case n == 1 && b[0] == 1:
		a.confirmation = "accepted"
		// Say goodbye in libvirt's protocol, as virsh does, so that the
		// daemon does not log the disconnection as an error; a peer that
		// does not answer gets a second at most.
		if dl, ok := ctx.Deadline(); !ok || time.Until(dl) > goodbyeWait {
			conn.SetDeadline(time.Now().Add(goodbyeWait))
		}
		rpcCall(conn, remoteProcConnectClose)
	case n == 1:
		a.confirmation, a.otherByte = "not-libvirt", b[0]
	case err == nil:
		a.confirmation = "rejected"
	case isTimeout(err):
		a.confirmation = "timeout"
	case isEOF(err):
		a.confirmation = "rejected"
	case classifyNetError(err) == TCPReset:
		a.confirmation = "reset"
	case strings.Contains(err.Error(), "remote error: tls:"):
		a.confirmation = "alert"
		a.report.Detail = errDetail(err)
	default:
		a.confirmation = "rejected"
		a.report.Detail = errDetail(err)
	}
}

// describePeerBytes renders what a non-TLS peer sent, printable or hex.
func describePeerBytes(b []byte) string {
	printable := true
	for _, c := range b {
		if (c < 0x20 || c > 0x7e) && c != '\r' && c != '\n' && c != '\t' {
			printable = false
			break
		}
	}
	if printable {
		return fmt.Sprintf("%q", strings.TrimRight(string(b), "\r\n"))
	}
	return fmt.Sprintf("% x", b)
}
