// Package tlsprobe talks to live libvirt TLS endpoints and explains, from
// the client side, what libvirt will decide and why.
package tlsprobe

import (
	"context"
	"crypto/x509"
	"errors"
	"time"
)

// ServerChain connects to target (a libvirt URI or host[:port], default
// port 16514), completes a TLS handshake without judging the server and
// returns the certificates the server sent, leaf first. It is what expiry
// uses for live endpoints.
func ServerChain(ctx context.Context, target string, timeout time.Duration) ([]*x509.Certificate, error) {
	return nil, errors.New("tlsprobe: not implemented yet")
}
