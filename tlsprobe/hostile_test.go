package tlsprobe

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/virt-pki/virt-pki/finding"
	"github.com/virt-pki/virt-pki/internal/pkitest"
)

// hostilePeer serves every connection with handle until the test ends.
func hostilePeer(t testing.TB, handle func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	conns := map[net.Conn]bool{}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns[c] = true
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				handle(c)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln.Addr().String()
}

// probeOnce probes addr with a throw-away client certificate.
func probeOnce(t *testing.T, addr string, timeout time.Duration) (*Result, time.Duration) {
	t.Helper()
	ca := pkitest.CA(t, "Hostile CA")
	dir := t.TempDir()
	pkitest.WriteFile(t, dir, "cacert.pem", ca.CertPEM(), 0o600)
	pkitest.Client(t, ca, clientName()).WritePair(t, dir, "clientcert.pem", "clientkey.pem")
	tg, err := ParseTarget("test+tls://" + addr + "/default?pkipath=" + dir)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	r := New(Options{Timeout: timeout}).Probe(context.Background(), tg)
	return r, time.Since(start)
}

func hasFinding(r *Result, id string, st finding.Status) bool {
	for _, f := range r.Findings {
		if f.ID == id && f.Status == st {
			return true
		}
	}
	return false
}

func TestHostilePeers(t *testing.T) {
	const timeout = 1500 * time.Millisecond
	ca := pkitest.CA(t, "Big CA")
	srv := pkitest.Server(t, ca, "localhost", "localhost", "127.0.0.1")
	// A 1 MiB chain: the leaf followed by copies of the CA certificate.
	big := tls.Certificate{Certificate: [][]byte{srv.DER}, PrivateKey: srv.Key}
	for size := len(srv.DER); size < 1<<20; size += len(ca.DER) {
		big.Certificate = append(big.Certificate, ca.DER)
	}
	bigCfg := &tls.Config{Certificates: []tls.Certificate{big}}

	cases := []struct {
		name    string
		handle  func(net.Conn)
		id      string
		message string
	}{
		{"non-TLS banner", func(c net.Conn) {
			c.Write([]byte("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"))
			io.Copy(io.Discard, c)
		}, "not-tls", "SSH-2.0-OpenSSH_9.2p1"},
		{"silent", func(c net.Conn) { io.Copy(io.Discard, c) }, "handshake-timeout", "sent nothing"},
		{"garbage", func(c net.Conn) {
			c.Write([]byte{0x00, 0xff, 0x13, 0x37, 0xde, 0xad, 0xbe, 0xef, 0x01, 0x02})
			io.Copy(io.Discard, c)
		}, "not-tls", "00 ff 13 37"},
		{"1 MiB chain", func(c net.Conn) {
			tc := tls.Server(c, bigCfg)
			tc.Handshake()
		}, "handshake-too-large", "exceeds"},
		{"trickle", func(c net.Conn) {
			// A plausible ServerHello header, then one more byte per
			// second for as long as the client stays: the first byte goes
			// out at once, and the handshake never completes, so only the
			// probe's timeout can end it.
			msg := []byte{0x16, 0x03, 0x03, 0x00, 0x7a, 0x02, 0x00, 0x00, 0x76, 0x03, 0x03}
			tick := time.NewTicker(time.Second)
			defer tick.Stop()
			for i := 0; ; i++ {
				b := byte(0)
				if i < len(msg) {
					b = msg[i]
				}
				if _, err := c.Write([]byte{b}); err != nil {
					return
				}
				<-tick.C
			}
		}, "handshake-timeout", "trickling"},
		{"reset", func(c net.Conn) {
			c.Read(make([]byte, 4096))
			c.(*net.TCPConn).SetLinger(0) // close sends RST
		}, "handshake-reset", "reset the connection"},
		{"hang up after the ClientHello", func(c net.Conn) {
			c.Read(make([]byte, 4096))
		}, "handshake-eof", "closed the connection"},
		{"other byte after handshake", func(c net.Conn) {
			tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{tlsPair(srv)}, ClientAuth: tls.RequestClientCert})
			if tc.Handshake() == nil {
				tc.Write([]byte{'H'})
				io.Copy(io.Discard, tc)
			}
		}, "not-libvirt", "0x48"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			addr := hostilePeer(t, c.handle)
			r, took := probeOnce(t, addr, timeout)
			// Only an upper bound, and a generous one (a loaded CI
			// machine): every peer here would keep a probe without a
			// working timeout busy far longer.
			if limit := 4*timeout + 10*time.Second; took > limit {
				t.Errorf("probe took %s, timeout is %s (limit %s)", took, timeout, limit)
			}
			found := false
			for _, f := range r.Findings {
				if f.ID == c.id {
					found = true
					if f.Status != finding.Fail || !strings.Contains(f.Message, c.message) {
						t.Errorf("finding %s: %s %q, want FAIL mentioning %q", f.ID, f.Status, f.Message, c.message)
					}
				}
			}
			if !found {
				t.Errorf("no %s finding; findings: %+v", c.id, r.Findings)
			}
			if r.OK() {
				t.Error("a hostile peer was judged OK")
			}
		})
	}
}

// TestProbeHonoursCancellation: a cancelled context ends the probe at once.
func TestProbeHonoursCancellation(t *testing.T) {
	addr := hostilePeer(t, func(c net.Conn) { io.Copy(io.Discard, c) })
	tg, _ := ParseTarget(addr)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := New(Options{Timeout: time.Minute}).Probe(ctx, tg)
	if r.OK() {
		t.Fatal("a cancelled probe was judged OK")
	}
	for _, h := range r.Handshakes {
		if h.OK {
			t.Fatal("handshake reported OK after cancellation")
		}
	}
	if !errors.Is(ctx.Err(), context.Canceled) {
		t.Fatal(ctx.Err())
	}
}
