package tlsprobe

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestServerChainErrorIsOneClause: a failed fetch says in one clause what
// happened at which address, without repeating the target or the layers'
// prefixes ("connect", "dial tcp", the local address).
func TestServerChainErrorIsOneClause(t *testing.T) {
	addr := closedPort(t)
	_, port, _ := net.SplitHostPort(addr)
	for _, tc := range []struct{ target, want string }{
		{addr, "connection refused by " + addr + " (nothing listens there; is libvirtd running with --listen and listen_tls = 1?)"},
		{"qemu+tls://localhost:" + port + "/system", "connection refused by localhost:" + port + " (nothing listens there; is libvirtd running with --listen and listen_tls = 1?)"},
	} {
		_, err := ServerChain(context.Background(), tc.target, 5*time.Second)
		var ce *ChainError
		if !errors.As(err, &ce) || ce.TCP != TCPRefused || ce.Target != tc.target {
			t.Fatalf("%s: error %#v; want a *ChainError with TCP refused", tc.target, err)
		}
		if err.Error() != tc.want {
			t.Errorf("%s: error %q\nwant %q", tc.target, err, tc.want)
		}
		if !errors.Is(err, syscall.ECONNREFUSED) {
			t.Errorf("%s: errors.Is(err, ECONNREFUSED) is false", tc.target)
		}
	}

	_, err := ServerChain(context.Background(), "qemu+tcp://localhost:"+port+"/system", time.Second)
	if err == nil || err.Error() != "the +tcp transport is not encrypted: there is no certificate to check (use qemu+tls://localhost/...)" {
		t.Errorf("+tcp target: %v", err)
	}
}

// serveOnce accepts connections on loopback and hands each to handle.
func serveOnce(t *testing.T, handle func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go handle(c)
		}
	}()
	return ln.Addr().String()
}

// TestServerChainHandshakeErrors: peers that accept TCP but do not speak
// TLS are described by what they did.
func TestServerChainHandshakeErrors(t *testing.T) {
	held := make(chan struct{})
	t.Cleanup(func() { close(held) })
	for _, tc := range []struct {
		name      string
		handle    func(net.Conn)
		handshake string
		want      string // %s is the address
	}{
		{"ssh banner", func(c net.Conn) { c.Write([]byte("SSH-2.0-OpenSSH_9.2\r\n")); c.Close() }, "not-tls",
			`%s does not speak TLS: it answered "SSH-2.0-OpenSSH_9.2"`},
		{"close", func(c net.Conn) {
			// FIN first, then drain: closing with unread data would reset.
			c.(*net.TCPConn).CloseWrite()
			io.Copy(io.Discard, c)
			c.Close()
		}, "eof",
			"%s closed the connection during the TLS handshake (not a TLS port, or a tls_priority that shares no protocol version or cipher with us)"},
		{"reset", func(c net.Conn) {
			buf := make([]byte, 5)
			c.Read(buf)
			c.(*net.TCPConn).SetLinger(0)
			c.Close()
		}, "reset", "%s reset the connection during the TLS handshake (not a TLS port: libvirt's TLS port is tls_port, default 16514)"},
		{"silent", func(c net.Conn) { <-held; c.Close() }, "timeout",
			"%s accepted the connection but completed no TLS handshake within 300ms (not a TLS port, or a stalled proxy)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr := serveOnce(t, tc.handle)
			p := New(Options{Timeout: 300 * time.Millisecond, Credentials: CredentialsSource{Home: t.TempDir(), EUID: 1000, Root: t.TempDir()}})
			_, err := p.ServerChain(context.Background(), addr)
			var ce *ChainError
			if !errors.As(err, &ce) || ce.TCP != TCPConnected || ce.Handshake != tc.handshake {
				t.Fatalf("error %#v; want a *ChainError for handshake %q", err, tc.handshake)
			}
			if want := strings.ReplaceAll(tc.want, "%s", addr); err.Error() != want {
				t.Errorf("error %q\nwant %q", err, want)
			}
		})
	}
}

// TestConnectFailureTexts: every way a connection fails reads as one
// clause naming the address and the cause.
func TestConnectFailureTexts(t *testing.T) {
	op := func(err error) error { return &net.OpError{Op: "dial", Net: "tcp", Err: err} }
	for _, tc := range []struct {
		outcome TCPOutcome
		err     error
		want    string
	}{
		{TCPTimeout, op(os.ErrDeadlineExceeded), "no answer from h:1 within 10s (the host is down, or a firewall drops the packets)"},
		{TCPReset, op(os.NewSyscallError("connect", syscall.ECONNRESET)), "connection to h:1 was reset while connecting (a firewall or proxy refused it)"},
		{TCPUnreachable, op(os.NewSyscallError("connect", syscall.EHOSTUNREACH)), "cannot reach h:1: no route to host"},
		{TCPUnreachable, op(os.NewSyscallError("connect", syscall.ENETUNREACH)), "cannot reach h:1: network is unreachable"},
		{TCPNameError, op(&net.DNSError{Err: "no such host", Name: "kvm9.example", IsNotFound: true}), "cannot resolve the host name kvm9.example: no such host (check the name, DNS or /etc/hosts)"},
		{TCPNameError, op(&net.DNSError{Err: "server misbehaving", Name: "kvm9.example", Server: "10.0.0.53:53"}), "cannot resolve the host name kvm9.example: server misbehaving"},
		{TCPError, op(os.NewSyscallError("connect", syscall.EACCES)), "cannot connect to h:1: permission denied"},
	} {
		if got := connectFailure("h:1", tc.outcome, tc.err, 10*time.Second); got != tc.want {
			t.Errorf("%s: %q\nwant %q", tc.outcome, got, tc.want)
		}
		if got := classifyNetError(tc.err); got != tc.outcome {
			t.Errorf("%v classified %s; want %s", tc.err, got, tc.outcome)
		}
	}
}
