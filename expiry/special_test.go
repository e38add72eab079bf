package expiry

import (
	"context"
	"crypto/x509"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/virt-pki/virt-pki/internal/pkitest"
)

// TestDirWalkReportsSpecialFiles: a directory walk reports named pipes and
// links to devices named like certificates as Error records (one each,
// never blocking on the pipe), keeps skipping special files with other
// names, and refuses a regular file over the size cap.
func TestDirWalkReportsSpecialFiles(t *testing.T) {
	f := newFixtures(t)
	dir := t.TempDir()
	pkitest.WriteFile(t, dir, "ca.pem", f.ca.CertPEM(), 0o644)
	pkitest.WriteFile(t, dir, "big.crt", append(f.ca.CertPEM(), make([]byte, 4096)...), 0o644)
	mkfifo(t, filepath.Join(dir, "pipe.pem"))
	mkfifo(t, filepath.Join(dir, "sub", "pipe.crl"))
	mkfifo(t, filepath.Join(dir, "pipe.txt")) // not named like a certificate
	for name, target := range map[string]string{"zero.pem": "/dev/zero", "null.der": "/dev/null", "null.txt": "/dev/null"} {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	var recs []Record
	var sum Summary
	var err error
	finishes(t, "the scan", func() {
		recs, sum, err = Collect(context.Background(), []Target{Classify(dir)}, Options{Policy: policy(), MaxFileSize: 4096})
	})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range recs {
		got[strings.TrimPrefix(r.Path, dir+"/")] = string(r.Status) + " " + r.Reason
	}
	want := map[string]string{
		"ca.pem":       "ok ",
		"big.crt":      "error larger than 4096 bytes, not read",
		"pipe.pem":     "error not a regular file (a named pipe), not read",
		"sub/pipe.crl": "error not a regular file (a named pipe), not read",
		"zero.pem":     "error not a regular file (a character device), not read",
		"null.der":     "error not a regular file (a character device), not read",
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: got %q, want %q", k, got[k], w)
		}
	}
	if len(got) != len(want) || sum != (Summary{OK: 1, Error: 5}) {
		t.Errorf("records %v, summary %+v; want exactly %v", got, sum, want)
	}
	if n := Count(context.Background(), []Target{Classify(dir)}); n != len(want) {
		t.Errorf("Count = %d, want %d", n, len(want))
	}
}

// TestWorkersCappedBySources: a huge Workers neither allocates by it nor
// starts more workers than there are sources, and Progress hears of every
// source.
func TestWorkersCappedBySources(t *testing.T) {
	f := newFixtures(t)
	var mu sync.Mutex
	most := 0
	base := runtime.NumGoroutine()
	chain := func(ctx context.Context, target string, _ time.Duration) ([]*x509.Certificate, error) {
		mu.Lock()
		most = max(most, runtime.NumGoroutine()-base)
		mu.Unlock()
		return []*x509.Certificate{f.ca.Cert}, nil
	}
	var progressed int
	var pmu sync.Mutex
	targets := []Target{Classify("a.example:16514"), Classify("b.example:16514"), Classify("c.example:16514"), {Missing, "typo.pem"}}
	for _, workers := range []int{MaxWorkers, 1 << 40} {
		progressed = 0
		recs, sum, err := Collect(context.Background(), targets, Options{Policy: policy(), Workers: workers, ServerChain: chain,
			Progress: func(n int) { pmu.Lock(); progressed += n; pmu.Unlock() }})
		if err != nil || len(recs) != 4 || sum != (Summary{OK: 3, Error: 1}) {
			t.Fatalf("Workers %d: %+v %+v %v", workers, recs, sum, err)
		}
		if progressed != 4 {
			t.Errorf("Workers %d: Progress counted %d sources, want 4", workers, progressed)
		}
	}
	// Three workers at most, plus the producer and the closer.
	if most > 3+2 {
		t.Errorf("%d goroutines ran for 3 endpoints; workers must not outnumber sources", most)
	}
}
