package tlsprobe

import (
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"time"
)

// ChainError is why ServerChain got no certificates: the TCP connection to
// Address or the TLS handshake failed. Its text is one clause that names
// the address and the likely cause, such as "connection refused by
// 127.0.0.1:16514 (nothing listens there; is libvirtd running with
// --listen and listen_tls = 1?)"; it does not repeat the target, which
// callers show next to it. Unwrap returns the network error, so
// errors.Is(err, syscall.ECONNREFUSED) works.
type ChainError struct {
	// Target is the endpoint as given; Address is the host:port dialled.
	Target, Address string
	// TCP is what happened to the TCP connection; TCPConnected when the
	// TLS handshake is what failed.
	TCP TCPOutcome
	// Handshake is the handshake failure when TCP connected ("not-tls",
	// "timeout", "reset", "eof", "alert", "too-large" or "error", as in
	// HandshakeReport.Error); empty otherwise.
	Handshake string
	msg       string
	err       error
}

func (e *ChainError) Error() string { return e.msg }

func (e *ChainError) Unwrap() error { return e.err }

// chainError describes the failed attempt a at t; timeout is the limit
// the attempt had.
func chainError(t Target, a *attempt, timeout time.Duration) *ChainError {
	addr := t.Address()
	e := &ChainError{Target: t.Raw, Address: addr, TCP: a.tcp, err: a.dialErr}
	if a.tcp != TCPConnected {
		e.msg = connectFailure(addr, a.tcp, a.dialErr, timeout)
		return e
	}
	e.Handshake = a.report.Error
	e.err = errors.New(a.report.Detail)
	switch a.report.Error {
	case "not-tls":
		e.msg = fmt.Sprintf("%s does not speak TLS: it answered %s", addr, describePeerBytes(a.banner))
	case "timeout":
		e.msg = fmt.Sprintf("%s accepted the connection but completed no TLS handshake within %s (not a TLS port, or a stalled proxy)", addr, timeout)
	case "reset":
		e.msg = fmt.Sprintf("%s reset the connection during the TLS handshake (not a TLS port: libvirt's TLS port is tls_port, default %d)", addr, DefaultTLSPort)
	case "eof":
		e.msg = fmt.Sprintf("%s closed the connection during the TLS handshake (not a TLS port, or a tls_priority that shares no protocol version or cipher with us)", addr)
	case "alert":
		e.msg = fmt.Sprintf("%s refused the TLS handshake (%s)", addr, a.report.Detail)
	case "too-large":
		e.msg = fmt.Sprintf("%s sent a handshake message larger than TLS clients accept (%s)", addr, a.report.Detail)
	default:
		e.msg = fmt.Sprintf("TLS handshake with %s failed: %s", addr, a.report.Detail)
	}
	return e
}

// connectFailure is one clause saying why connecting to addr failed.
func connectFailure(addr string, outcome TCPOutcome, err error, timeout time.Duration) string {
	switch outcome {
	case TCPRefused:
		return fmt.Sprintf("connection refused by %s (nothing listens there; is libvirtd running with --listen and listen_tls = 1?)", addr)
	case TCPTimeout:
		return fmt.Sprintf("no answer from %s within %s (the host is down, or a firewall drops the packets)", addr, timeout)
	case TCPReset:
		return fmt.Sprintf("connection to %s was reset while connecting (a firewall or proxy refused it)", addr)
	case TCPUnreachable:
		return fmt.Sprintf("cannot reach %s: %s", addr, rootCause(err))
	case TCPNameError:
		var dnsErr *net.DNSError
		if errors.As(err, &dnsErr) {
			if dnsErr.IsNotFound {
				return fmt.Sprintf("cannot resolve the host name %s: no such host (check the name, DNS or /etc/hosts)", dnsErr.Name)
			}
			return fmt.Sprintf("cannot resolve the host name %s: %s", dnsErr.Name, dnsErr.Err)
		}
	}
	return fmt.Sprintf("cannot connect to %s: %s", addr, rootCause(err))
}

// rootCause is the innermost reason of a network error ("no route to
// host"), without the operation, addresses and system call names the
// layers above add.
func rootCause(err error) string {
	if err == nil {
		return "unknown error"
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno.Error()
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return dnsErr.Err
	}
	var sysErr *os.SyscallError
	if errors.As(err, &sysErr) {
		return sysErr.Err.Error()
	}
	return errDetail(err)
}
