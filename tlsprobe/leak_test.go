package tlsprobe

import (
	"context"
	"io"
	"net"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/virt-pki/virt-pki/internal/pkitest"
)

func openFDs(t *testing.T) int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("cannot count file descriptors: %v", err)
	}
	return len(ents)
}

// settle polls until f() <= want or the deadline passes, and returns the
// last value (goroutines of closed connections take a moment to exit).
func settle(want int, f func() int) int {
	deadline := time.Now().Add(5 * time.Second)
	for {
		n := f()
		if n <= want || time.Now().After(deadline) {
			return n
		}
		runtime.Gosched()
		time.Sleep(10 * time.Millisecond) // polling interval, bounded by the deadline
	}
}

// TestThousandTargetsLeakNothing probes 1,000 targets (accepting
// endpoints, closed ports, non-TLS and silent peers) in one run and checks
// that no file descriptor or goroutine outlives it.
func TestThousandTargetsLeakNothing(t *testing.T) {
	ca := pkitest.CA(t, "Leak CA")
	srv := pkitest.Server(t, ca, "localhost", "localhost", "127.0.0.1")
	client := pkitest.Client(t, ca, clientName())
	dir := t.TempDir()
	pkitest.WriteFile(t, dir, "cacert.pem", ca.CertPEM(), 0o600)
	client.WritePair(t, dir, "clientcert.pem", "clientkey.pem")

	good := startFake(t, srv, ca, nil)
	banner := hostilePeer(t, func(c net.Conn) { c.Write([]byte("220 smtp ready\r\n")); io.Copy(io.Discard, c) })
	silent := hostilePeer(t, func(c net.Conn) { io.Copy(io.Discard, c) })
	closed := closedPort(t)

	var targets []Target
	for i := range 1000 {
		addr := good.Addr()
		switch i % 10 {
		case 7:
			addr = closed
		case 8:
			addr = banner
		case 9:
			addr = silent
		}
		tg, err := ParseTarget("test+tls://" + addr + "/default?pkipath=" + dir)
		if err != nil {
			t.Fatal(err)
		}
		targets = append(targets, tg)
	}
	p := New(Options{Timeout: 3 * time.Second, Concurrency: 100})
	// Warm up once so lazily created runtime state is not counted.
	p.Probe(context.Background(), targets[0])

	fdBefore, grBefore := openFDs(t), runtime.NumGoroutine()
	results := p.ProbeAll(context.Background(), targets)
	for i, r := range results {
		if r == nil || r.Target != targets[i].Raw {
			t.Fatalf("result %d is not for target %d", i, i)
		}
		if i%10 < 7 && (r.ClientAccepted == nil || !*r.ClientAccepted) {
			t.Fatalf("target %d (%s): not accepted: %+v", i, r.Address, r.Findings)
		}
		if i%10 >= 7 && r.OK() {
			t.Fatalf("target %d (%s) judged OK", i, r.Address)
		}
	}
	fdAfter := settle(fdBefore, func() int { return openFDs(t) })
	grAfter := settle(grBefore, runtime.NumGoroutine)
	t.Logf("1000 targets: fds %d -> %d, goroutines %d -> %d", fdBefore, fdAfter, grBefore, grAfter)
	if fdAfter > fdBefore {
		t.Errorf("file descriptors leaked: %d before, %d after", fdBefore, fdAfter)
	}
	if grAfter > grBefore {
		t.Errorf("goroutines leaked: %d before, %d after", grBefore, grAfter)
	}
}
