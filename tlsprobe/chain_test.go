package tlsprobe

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/virt-pki/virt-pki/internal/pkitest"
)

func TestServerChain(t *testing.T) {
	ca := pkitest.CA(t, "Chain CA")
	srv := pkitest.Server(t, ca, "localhost", "localhost", "127.0.0.1")
	s := startFake(t, srv, ca, nil)
	chain, err := ServerChain(context.Background(), "test+tls://localhost:"+itoa(s.Port())+"/default", 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if len(chain) != 1 || chain[0].SerialNumber.Cmp(srv.Cert.SerialNumber) != 0 {
		t.Fatalf("ServerChain returned %d certificates, want the server's one", len(chain))
	}
}

func TestServerChainRefused(t *testing.T) {
	ln := closedPort(t)
	_, err := ServerChain(context.Background(), ln, time.Second)
	if err == nil {
		t.Fatal("ServerChain to a closed port succeeded")
	}
}

// TestServerChainAbandonsWithoutAlert: without client credentials the
// handshake stops, after the server's certificates arrived, where an empty
// certificate would be sent; the server sees the connection end without a
// TLS alert (EOF), and no empty Certificate message.
func TestServerChainAbandonsWithoutAlert(t *testing.T) {
	ca := pkitest.CA(t, "Chain CA")
	srv := pkitest.Server(t, ca, "localhost", "localhost", "127.0.0.1")
	for _, version := range []uint16{tls.VersionTLS13, tls.VersionTLS12} {
		ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{tlsPair(srv)},
			ClientAuth: tls.RequestClientCert, MinVersion: version, MaxVersion: version})
		if err != nil {
			t.Fatal(err)
		}
		serverErr := make(chan error, 1)
		go func() {
			c, err := ln.Accept()
			if err != nil {
				serverErr <- err
				return
			}
			defer c.Close()
			serverErr <- c.(*tls.Conn).Handshake()
		}()
		noCreds := New(Options{Timeout: 5 * time.Second, Credentials: CredentialsSource{Home: t.TempDir(), EUID: 1000, Root: t.TempDir()}})
		chain, err := noCreds.ServerChain(context.Background(), ln.Addr().String())
		ln.Close()
		if err != nil {
			t.Fatalf("%s: %v", tls.VersionName(version), err)
		}
		if len(chain) != 1 || chain[0].SerialNumber.Cmp(srv.Cert.SerialNumber) != 0 {
			t.Errorf("%s: got %d certificates, want the server's one", tls.VersionName(version), len(chain))
		}
		err = <-serverErr
		if err == nil || !errors.Is(err, io.EOF) {
			t.Errorf("%s: the server's handshake ended with %v, want EOF (no alert, no empty certificate)", tls.VersionName(version), err)
		}
	}
}
