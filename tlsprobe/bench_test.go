package tlsprobe

import (
	"context"
	"testing"

	"github.com/virt-pki/virt-pki/internal/pkitest"
)

// BenchmarkProbe100 probes 100 fake libvirt endpoints per iteration (the
// side-by-side comparison with gnutls-cli is scripts/bench-probe).
func BenchmarkProbe100(b *testing.B) {
	ca := pkitest.CA(b, "Bench CA")
	srv := pkitest.Server(b, ca, "localhost", "localhost", "127.0.0.1")
	dir := b.TempDir()
	pkitest.WriteFile(b, dir, "cacert.pem", ca.CertPEM(), 0o600)
	pkitest.Client(b, ca, clientName()).WritePair(b, dir, "clientcert.pem", "clientkey.pem")
	var targets []Target
	for range 100 {
		s := startFake(b, srv, ca, nil)
		tg, err := ParseTarget("test+tls://localhost:" + itoa(s.Port()) + "/default?pkipath=" + dir)
		if err != nil {
			b.Fatal(err)
		}
		targets = append(targets, tg)
	}
	b.ResetTimer()
	for b.Loop() {
		for _, r := range New(Options{Concurrency: 100}).ProbeAll(context.Background(), targets) {
			if r.ClientAccepted == nil || !*r.ClientAccepted {
				b.Fatalf("%s not accepted: %+v", r.Target, r.Findings)
			}
		}
	}
}
