package tlsprobe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"time"
)

// ServerChain connects to target (a libvirt URI or host[:port], default
// port 16514), completes a TLS handshake without judging the server and
// returns the certificates the server sent, leaf first. It is what expiry
// uses for live endpoints. timeout bounds the whole exchange (5 s when
// zero); the connection ends with close_notify.
func ServerChain(ctx context.Context, target string, timeout time.Duration) ([]*x509.Certificate, error) {
	t, err := ParseTarget(target)
	if err != nil {
		return nil, err
	}
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	raw, outcome, err := dial(ctx, t.Address())
	if err != nil {
		return nil, fmt.Errorf("%s: connect %s: %s: %w", t.Raw, t.Address(), outcome, err)
	}
	conn := tls.Client(raw, &tls.Config{
		InsecureSkipVerify: true, // the chain is returned, not judged
		// No ServerName: libvirt clients send no SNI either.
		// An empty certificate answers a CertificateRequest.
		GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			return &tls.Certificate{}, nil
		},
	})
	defer closeTLS(conn)
	if err := conn.HandshakeContext(ctx); err != nil {
		return nil, fmt.Errorf("%s: TLS handshake with %s: %w", t.Raw, t.Address(), err)
	}
	return conn.ConnectionState().PeerCertificates, nil
}
