package layout

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/virt-pki/virt-pki/internal/fileread"
)

// withinDeadline runs read in a goroutine and fails the test if it has
// not returned by the deadline: a blocking open of a FIFO without a
// writer would otherwise hang the whole test binary.
func withinDeadline(t *testing.T, what string, read func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- read() }()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatalf("%s blocked on a named pipe without a writer", what)
		return nil
	}
}

func TestConfigReadsRefuseNamedPipes(t *testing.T) {
	root := t.TempDir()
	fifo := filepath.Join(root, "ff")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("cannot create a FIFO: %v", err)
	}
	if err := os.MkdirAll(filepath.Join(root, "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(root, "etc", "group"), 0o600); err != nil {
		t.Fatal(err)
	}
	want := fifo + ": cannot be read: not a regular file (a named pipe)"
	for _, allowMissing := range []bool{false, true} {
		err := withinDeadline(t, "ReadLibvirtdConf", func() error { _, err := ReadLibvirtdConf(fifo, allowMissing); return err })
		if err == nil || err.Error() != want || !errors.Is(err, fileread.ErrNotRegular) {
			t.Errorf("ReadLibvirtdConf(allowMissing=%v): got %v; want %q", allowMissing, err, want)
		}
		err = withinDeadline(t, "ReadQEMUConf", func() error { _, err := ReadQEMUConf(fifo, allowMissing); return err })
		if err == nil || err.Error() != want {
			t.Errorf("ReadQEMUConf(allowMissing=%v): got %v; want %q", allowMissing, err, want)
		}
	}
	err := withinDeadline(t, "LookupGroup", func() error { _, err := LookupGroup(root, "qemu"); return err })
	wantGroup := filepath.Join(root, "etc", "group") + ": cannot be read: not a regular file (a named pipe)"
	if err == nil || err.Error() != wantGroup {
		t.Errorf("LookupGroup: got %v; want %q", err, wantGroup)
	}
}

func TestConfigReadsKeepMissingAndSizeErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "nope.conf")
	if _, err := ReadLibvirtdConf(missing, false); !errors.Is(err, os.ErrNotExist) || err.Error() != missing+": no such file or directory" {
		t.Errorf("missing libvirtd.conf: got %v", err)
	}
	if c, err := ReadQEMUConf(missing, true); err != nil || c == nil {
		t.Errorf("missing qemu.conf with allowMissing: got %v, %v", c, err)
	}
	big := filepath.Join(dir, "big.conf")
	if err := os.WriteFile(big, make([]byte, MaxConfSize+1), 0o644); err != nil {
		t.Fatal(err)
	}
	var ce *ConfError
	if _, err := ReadLibvirtdConf(big, false); !errors.As(err, &ce) {
		t.Errorf("oversized libvirtd.conf: got %v; want the parser's size error", err)
	}
}
