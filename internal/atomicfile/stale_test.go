package atomicfile

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestRemoveStale(t *testing.T) {
	dir := t.TempDir()
	// Leftovers as CreateTemp names them.
	var leftKey, leftCert string
	for _, p := range []*string{&leftKey, &leftCert} {
		name := "cakey.pem"
		if p == &leftCert {
			name = "cacert.pem"
		}
		f, err := CreateTemp(filepath.Join(dir, name), 0o600)
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
		*p = f.Name()
	}
	keep := []string{
		"cakey.pem",                   // the real file
		TempPrefix + "other.pem-123",  // a temp of a name not asked for
		TempPrefix + "cakey.pem-12x",  // not CreateTemp's suffix
		TempPrefix + "cakey.pem-",     // no suffix
		".virt-pki-tmpcakey.pem-1",    // no prefix
		TempPrefix + "cakey.pem.x-12", // another name
	}
	for _, n := range keep {
		if err := os.WriteFile(filepath.Join(dir, n), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	tmpDir := filepath.Join(dir, TempPrefix+"cakey.pem-77")
	if err := os.Mkdir(tmpDir, 0o700); err != nil {
		t.Fatal(err)
	}
	removed, err := RemoveStale(dir, []string{"cakey.pem", "cacert.pem"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{leftCert, leftKey}
	if leftKey < leftCert {
		want = []string{leftKey, leftCert}
	}
	if !reflect.DeepEqual(removed, want) {
		t.Errorf("removed %q, want %q", removed, want)
	}
	for _, n := range append(keep, filepath.Base(tmpDir)) {
		if _, err := os.Lstat(filepath.Join(dir, n)); err != nil {
			t.Errorf("%s was removed: %v", n, err)
		}
	}

	// nil names: every temporary file, still no directory.
	removed, err = RemoveStale(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range keep {
		_, err := os.Lstat(filepath.Join(dir, n))
		if gone := err != nil; gone != IsTemp(n, nil) {
			t.Errorf("%s: removed %v with nil names", n, gone)
		}
	}
	if len(removed) != 4 {
		t.Errorf("removed %q, want the four files starting with %s", removed, TempPrefix)
	}
	if _, err := os.Lstat(tmpDir); err != nil {
		t.Errorf("the directory was removed: %v", err)
	}

	if removed, err := RemoveStale(filepath.Join(dir, "missing"), nil); err != nil || removed != nil {
		t.Errorf("missing dir: %q, %v", removed, err)
	}
}
