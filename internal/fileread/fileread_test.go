package fileread

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestReadCapped(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	if err := os.WriteFile(path, []byte("12345"), 0o600); err != nil {
		t.Fatal(err)
	}
	if data, err := ReadCapped(path, 5); err != nil || string(data) != "12345" {
		t.Errorf("at the limit: got %q, %v", data, err)
	}
	if data, err := ReadCapped(path, 3); !errors.Is(err, ErrTooLarge) || string(data) != "1234" {
		t.Errorf("over the limit: got %q, %v; want the first limit+1 bytes and ErrTooLarge", data, err)
	}
	_, err := ReadCapped(filepath.Join(dir, "missing"), 5)
	if !errors.Is(err, fs.ErrNotExist) || err.Error() != "no such file or directory" {
		t.Errorf("missing file: got %v; want the bare cause", err)
	}
	if _, err := ReadCapped(dir, 5); err == nil || err.Error() != "is a directory" {
		t.Errorf("directory: got %v", err)
	}
}

func TestCause(t *testing.T) {
	plain := errors.New("plain")
	if Cause(plain) != plain {
		t.Error("an error without a path changed")
	}
	_, err := os.Open(filepath.Join(t.TempDir(), "x"))
	if Cause(err).Error() != "no such file or directory" {
		t.Errorf("got %q", Cause(err))
	}
}

func TestReadCappedRefusesNonRegularFiles(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("cannot create a FIFO: %v", err)
	}
	// No writer: a blocking open would hang here.
	_, err := ReadCapped(fifo, 5)
	if !errors.Is(err, ErrNotRegular) || err.Error() != "not a regular file (a named pipe)" {
		t.Errorf("FIFO: got %v", err)
	}
	if _, err := ReadCapped("/dev/null", 5); !errors.Is(err, ErrNotRegular) || err.Error() != "not a regular file (a character device)" {
		t.Errorf("/dev/null: got %v", err)
	}
}
