package tlsprobe

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"os"
	"syscall"
)

// TCPOutcome classifies what happened when connecting or talking TCP.
type TCPOutcome string

// TCP outcomes, as a user would name them.
const (
	TCPConnected   TCPOutcome = "connected"
	TCPRefused     TCPOutcome = "refused"
	TCPTimeout     TCPOutcome = "timeout"
	TCPReset       TCPOutcome = "reset"
	TCPUnreachable TCPOutcome = "unreachable"
	TCPNameError   TCPOutcome = "name-error"
	TCPError       TCPOutcome = "error"
)

// dial connects to addr within ctx and classifies a failure.
func dial(ctx context.Context, addr string) (net.Conn, TCPOutcome, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, classifyNetError(err), err
	}
	return c, TCPConnected, nil
}

// classifyNetError maps a dial or I/O error to a TCPOutcome.
func classifyNetError(err error) TCPOutcome {
	var dnsErr *net.DNSError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return TCPRefused
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return TCPReset
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return TCPUnreachable
	case errors.As(err, &dnsErr):
		return TCPNameError
	case isTimeout(err):
		return TCPTimeout
	}
	return TCPError
}

func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func isEOF(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// closeTLS ends a TLS connection politely: close_notify when the handshake
// completed (so libvirtd logs nothing alarming), then the socket.
func closeTLS(c *tls.Conn) {
	// tls.Conn.Close sends close_notify after a completed handshake and
	// bounds that write itself.
	_ = c.Close()
}

// errDetail describes err without the local address and port, which
// change with every connection.
func errDetail(err error) string {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Err.Error()
	}
	return err.Error()
}
