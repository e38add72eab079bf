package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// staged writes data to a file staged for path.
func staged(t *testing.T, path, data string) *os.File {
	t.Helper()
	f, err := CreateTemp(path, 0o640)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(data); err != nil {
		t.Fatal(err)
	}
	return f
}

// leftovers lists the temporary files left in dir.
func leftovers(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, TempPrefix+"*"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestCommitPlacesTheStagedFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "report.json")
	if err := Commit(staged(t, p, "one"), p, DefaultOptions); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != "one" || st.Mode().Perm() != 0o640 {
		t.Fatalf("content %q mode %v, want \"one\" 0640", b, st.Mode().Perm())
	}
	if l := leftovers(t, dir); len(l) != 0 {
		t.Fatalf("temporary files left: %v", l)
	}
}

// TestCommitNeverReplacesWithoutForce: a file that appears at path while
// the caller writes its stage is kept, and the error names path.
func TestCommitNeverReplacesWithoutForce(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "report.json")
	f := staged(t, p, "ours")
	if err := os.WriteFile(p, []byte("theirs"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := Commit(f, p, DefaultOptions)
	if !errors.Is(err, ErrExists) || !strings.HasPrefix(err.Error(), p+": ") || strings.Contains(err.Error(), TempPrefix) {
		t.Fatalf("commit over a file that appeared: %v", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "theirs" {
		t.Fatalf("content %q: replaced without Force", b)
	}
	if l := leftovers(t, dir); len(l) != 0 {
		t.Fatalf("temporary files left: %v", l)
	}

	force := DefaultOptions
	force.Force = true
	if err := Commit(staged(t, p, "ours"), p, force); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != "ours" {
		t.Fatalf("content %q after a forced commit", b)
	}
}

// TestCommitErrorNamesThePath: a failing link or rename names the target,
// not the temporary file, and removes the stage.
func TestCommitErrorNamesThePath(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "report.json")
	if err := os.Mkdir(p, 0o755); err != nil { // a directory in the way
		t.Fatal(err)
	}
	force := DefaultOptions
	force.Force = true
	err := Commit(staged(t, p, "x"), p, force)
	if err == nil || err.Error() != p+": is a directory" {
		t.Fatalf("commit over a directory: %v", err)
	}
	if l := leftovers(t, dir); len(l) != 0 {
		t.Fatalf("temporary files left: %v", l)
	}
}

func TestDiscardRemovesTheStage(t *testing.T) {
	dir := t.TempDir()
	Discard(staged(t, filepath.Join(dir, "report.json"), "x"))
	if l := leftovers(t, dir); len(l) != 0 {
		t.Fatalf("temporary files left: %v", l)
	}
}
