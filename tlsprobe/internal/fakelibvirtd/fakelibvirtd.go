// Package fakelibvirtd is a loopback TLS endpoint that answers like
// libvirtd's TLS listener on the wire: it requests (not requires) a client
// certificate, advertises its CA subjects, and after the handshake either
// sends the one confirmation byte 0x01 or closes the TCP connection without
// an alert. Tests and the benchmark use it where a real libvirtd per
// endpoint would be too heavy; the real-daemon tests live in golden/.
package fakelibvirtd

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"sync"
	"time"
)

// Server is one listening endpoint.
type Server struct {
	ln     net.Listener
	cfg    *tls.Config
	accept func(*x509.Certificate) bool
	wg     sync.WaitGroup
	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
}

// Options configure a Server.
type Options struct {
	// Certificate is what the server presents.
	Certificate tls.Certificate
	// ClientCAs verify client certificates and are advertised in the
	// CertificateRequest.
	ClientCAs *x509.CertPool
	// Accept decides, after the chain verified, whether the client is let
	// in (the tls_allowed_dn_list step). Nil accepts every verified client.
	Accept func(*x509.Certificate) bool
	// MaxVersion limits the protocol (0 = TLS 1.3).
	MaxVersion uint16
}

// Start listens on 127.0.0.1 with a free port.
func Start(opts Options) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{ln: ln, accept: opts.Accept, conns: map[net.Conn]struct{}{}}
	s.cfg = &tls.Config{
		Certificates: []tls.Certificate{opts.Certificate},
		ClientAuth:   tls.RequestClientCert,
		ClientCAs:    opts.ClientCAs,
		MaxVersion:   opts.MaxVersion,
	}
	s.wg.Add(1)
	go s.serve()
	return s, nil
}

// Addr is the listening address.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Port is the listening port.
func (s *Server) Port() int { return s.ln.Addr().(*net.TCPAddr).Port }

// Close stops listening, closes open connections and waits for the
// server's goroutines to end.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.ln.Close()
	s.wg.Wait()
}

func (s *Server) serve() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			c.Close()
			return
		}
		s.conns[c] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go s.handle(c)
	}
}

func (s *Server) handle(raw net.Conn) {
	defer s.wg.Done()
	defer func() {
		s.mu.Lock()
		delete(s.conns, raw)
		s.mu.Unlock()
		raw.Close()
	}()
	raw.SetDeadline(time.Now().Add(10 * time.Second))
	c := tls.Server(raw, s.cfg)
	if err := c.Handshake(); err != nil {
		return
	}
	if !s.verified(c.ConnectionState().PeerCertificates) {
		// libvirtd closes the TCP connection: FIN, no alert.
		return
	}
	if _, err := c.Write([]byte{1}); err != nil {
		return
	}
	// Answer RPC calls with an empty reply, as libvirtd answers
	// connect-close, until the client finishes (close_notify or EOF).
	for {
		var hdr [28]byte
		if _, err := io.ReadFull(c, hdr[:]); err != nil {
			return
		}
		n := binary.BigEndian.Uint32(hdr[0:])
		if n < 28 || n > 1<<20 {
			return
		}
		if _, err := io.CopyN(io.Discard, c, int64(n-28)); err != nil {
			return
		}
		binary.BigEndian.PutUint32(hdr[0:], 28)
		binary.BigEndian.PutUint32(hdr[16:], 1) // REPLY
		if _, err := c.Write(hdr[:]); err != nil {
			return
		}
	}
}

func (s *Server) verified(peer []*x509.Certificate) bool {
	if len(peer) == 0 || s.cfg.ClientCAs == nil {
		return false
	}
	inter := x509.NewCertPool()
	for _, c := range peer[1:] {
		inter.AddCert(c)
	}
	if _, err := peer[0].Verify(x509.VerifyOptions{Roots: s.cfg.ClientCAs, Intermediates: inter,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		return false
	}
	return s.accept == nil || s.accept(peer[0])
}
