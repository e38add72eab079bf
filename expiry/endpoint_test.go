package expiry

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"testing"
)

// TestScanLiveEndpoint fetches the chain of a TLS server on loopback
// through tlsprobe.ServerChain, as host:port and as a libvirt URI, and
// reports a closed port as an Error record whose reason reads as one
// clause.
func TestScanLiveEndpoint(t *testing.T) {
	f := newFixtures(t)
	cert := tls.Certificate{Certificate: [][]byte{f.soon.DER, f.ca.DER}, PrivateKey: f.soon.Key}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
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
			go func() {
				defer c.Close()
				_ = c.(*tls.Conn).Handshake()
				buf := make([]byte, 1)
				_, _ = c.Read(buf) // until the client closes
			}()
		}
	}()
	addr := ln.Addr().String()
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := closed.Addr().String()
	closed.Close()

	_, port, _ := net.SplitHostPort(addr)
	uri := fmt.Sprintf("qemu+tls://127.0.0.1:%s/system", port)
	recs, sum, err := Collect(context.Background(), []Target{Classify(addr), Classify(uri), Classify(closedAddr)}, Options{Policy: policy(), Timeout: 5e9})
	if err != nil {
		t.Fatal(err)
	}
	if sum != (Summary{OK: 2, Fail: 2, Error: 1}) {
		t.Fatalf("summary %+v: %+v", sum, recs)
	}
	// One clause naming the address and the cause, not the layers of the
	// network stack.
	want := "connection refused by " + closedAddr + " (nothing listens there; is libvirtd running with --listen and listen_tls = 1?)"
	if r := recs[0]; r.Path != closedAddr || r.Status != Error || r.Reason != want {
		t.Errorf("closed port: %+v; want reason %q", r, want)
	}
	for _, r := range recs[1:3] {
		if r.Status != Fail || r.Index != 0 || r.Count != 2 || r.Serial != "02" {
			t.Errorf("leaf from endpoint: %+v", r)
		}
	}
	for _, r := range recs[3:] {
		if r.Status != OK || r.Index != 1 || r.Serial != "01" {
			t.Errorf("CA from endpoint: %+v", r)
		}
	}
}
