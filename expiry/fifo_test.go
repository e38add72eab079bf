package expiry

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/virt-pki/virt-pki/internal/pkitest"
)

// hangLimit is how long a read that must not block may take before the
// test calls it hung.
const hangLimit = 20 * time.Second

// mkfifo creates a named pipe that nobody writes to: opening it for a
// blocking read would wait forever.
func mkfifo(t *testing.T, path string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// finishes runs fn and fails the test when it has not returned within
// hangLimit (the goroutine is left behind; the test binary ends anyway).
func finishes(t *testing.T, what string, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); fn() }()
	select {
	case <-done:
	case <-time.After(hangLimit):
		t.Fatalf("%s did not return within %s: a named pipe blocked it", what, hangLimit)
	}
}

// TestNamedPipeIsErrorRecord: a FIFO named on the command line (directly
// or through a glob) is an Error record at once, and the other sources are
// still read.
func TestNamedPipeIsErrorRecord(t *testing.T) {
	f := newFixtures(t)
	dir := t.TempDir()
	pkitest.WriteFile(t, dir, "ca.pem", f.ca.CertPEM(), 0o644)
	pipe := mkfifo(t, filepath.Join(dir, "pipe.pem"))

	var recs []Record
	var sum Summary
	var err error
	finishes(t, "the scan", func() {
		recs, sum, err = Collect(context.Background(), []Target{Classify(pipe), Classify(filepath.Join(dir, "*.pem"))}, Options{Policy: policy()})
	})
	if err != nil {
		t.Fatal(err)
	}
	if sum != (Summary{OK: 1, Error: 1}) {
		t.Fatalf("summary %+v: %+v", sum, recs)
	}
	want := "not a regular file (a named pipe), not read"
	if r := recs[0]; r.Status != Error || r.Path != pipe || r.Reason != want {
		t.Errorf("pipe record %+v; want error %q", r, want)
	}
}

// TestHostTargetsWithPipes: named pipes in place of the configuration
// files and of a certificate under --root neither hang the listing nor the
// scan; the pipe in the certificate's place is an Error record.
func TestHostTargetsWithPipes(t *testing.T) {
	f := newFixtures(t)
	root := t.TempDir()
	mkfifo(t, filepath.Join(root, "etc/libvirt/libvirtd.conf"))
	mkfifo(t, filepath.Join(root, "etc/libvirt/virtproxyd.conf"))
	mkfifo(t, filepath.Join(root, "etc/libvirt/qemu.conf"))
	cacert := mkfifo(t, filepath.Join(root, "etc/pki/CA/cacert.pem"))
	server := pkitest.WriteFile(t, root, "etc/pki/libvirt/servercert.pem", f.ca.CertPEM(), 0o644)

	var targets []Target
	finishes(t, "HostTargets", func() { targets = HostTargets(Host{Root: root}) })
	if len(targets) != 2 {
		t.Fatalf("targets %+v; want %s and %s", targets, cacert, server)
	}
	var recs []Record
	var err error
	finishes(t, "the scan", func() { recs, _, err = Collect(context.Background(), targets, Options{Policy: policy()}) })
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || recs[0].Path != cacert || recs[0].Status != Error || recs[1].Path != server || recs[1].Status != OK {
		t.Errorf("records %+v; want an error for %s and ok for %s", recs, cacert, server)
	}
}
