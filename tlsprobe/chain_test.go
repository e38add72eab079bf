package tlsprobe

import (
	"context"
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
