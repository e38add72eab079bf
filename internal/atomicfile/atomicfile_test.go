package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestWriteCreatesWithModeAndRefusesOverwrite(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	dir := t.TempDir()
	p := filepath.Join(dir, "key.pem")
	if err := Write(p, []byte("one"), 0o600, DefaultOptions); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, want 0600", st.Mode().Perm())
	}
	err = Write(p, []byte("two"), 0o600, DefaultOptions)
	if !errors.Is(err, ErrExists) || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("overwrite without Force: got %v", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "one" {
		t.Fatalf("content changed to %q without Force", b)
	}
	force := DefaultOptions
	force.Force = true
	if err := Write(p, []byte("two"), 0o644, force); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != "two" {
		t.Fatalf("content %q after forced write", b)
	}
	if st, _ := os.Stat(p); st.Mode().Perm() != 0o644 {
		t.Fatalf("mode %v after forced write, want 0644", st.Mode().Perm())
	}
	assertNoTemp(t, dir)
}

func TestWriteIntoMissingDirectoryLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	err := Write(filepath.Join(dir, "nope", "key.pem"), []byte("x"), 0o600, DefaultOptions)
	if err == nil || !strings.Contains(err.Error(), "key.pem") {
		t.Fatalf("got %v, want an error naming the file", err)
	}
	assertNoTemp(t, dir)
}

func TestCreateTempHasExactModeDespiteUmask(t *testing.T) {
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	dir := t.TempDir()
	f, err := CreateTemp(filepath.Join(dir, "cert.pem"), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	st, _ := f.Stat()
	if st.Mode().Perm() != 0o644 {
		t.Fatalf("mode %v, want 0644", st.Mode().Perm())
	}
	if !strings.HasPrefix(filepath.Base(f.Name()), TempPrefix) {
		t.Fatalf("temporary name %q lacks %q", f.Name(), TempPrefix)
	}
}

func assertNoTemp(t *testing.T, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), TempPrefix) {
			t.Fatalf("temporary file %s left behind", e.Name())
		}
	}
}
