package ca

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/virt-pki/virt-pki/internal/atomicfile"
	"github.com/virt-pki/virt-pki/templates"
)

func TestRemoveStaleTempsRemovesOnlyOurNames(t *testing.T) {
	dir := t.TempDir()
	ours := []string{atomicfile.TempPrefix + "cakey.pem-123456", atomicfile.TempPrefix + "cacert.pem-9"}
	others := []string{
		atomicfile.TempPrefix + "other.pem-123", // not a name this run writes
		atomicfile.TempPrefix + "cakey.pem-12x", // not CreateTemp's suffix
		atomicfile.TempPrefix + "cakey.pem-",
		"cakey.pem",
		"notes.txt",
	}
	for _, n := range append(slices.Clone(ours), others...) {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	removed, err := RemoveStaleTemps(dir, []string{"cacert.pem", "cakey.pem"})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(removed)
	want := []string{filepath.Join(dir, ours[1]), filepath.Join(dir, ours[0])}
	slices.Sort(want)
	if !slices.Equal(removed, want) {
		t.Errorf("removed %v, want %v", removed, want)
	}
	for _, n := range others {
		if _, err := os.Stat(filepath.Join(dir, n)); err != nil {
			t.Errorf("%s was removed: %v", n, err)
		}
	}
	if got, err := RemoveStaleTemps(filepath.Join(dir, "missing"), []string{"cakey.pem"}); err != nil || got != nil {
		t.Errorf("missing directory: %v, %v", got, err)
	}
}

func TestRemoveStagedRemovesFilesBeingStaged(t *testing.T) {
	dir := t.TempDir()
	tmp, err := atomicfile.CreateTemp(filepath.Join(dir, "serverkey.pem"), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	tmp.Close()
	stage(tmp.Name())
	if got := RemoveStaged(); !slices.Equal(got, []string{tmp.Name()}) {
		t.Errorf("RemoveStaged = %v", got)
	}
	if _, err := os.Stat(tmp.Name()); !os.IsNotExist(err) {
		t.Errorf("staged file still there: %v", err)
	}
	// WriteFiles unregisters what it staged once it is done.
	if err := WriteFiles([]File{{Path: filepath.Join(dir, "a.pem"), Data: []byte("a"), Mode: 0o644}}, false); err != nil {
		t.Fatal(err)
	}
	if got := RemoveStaged(); len(got) != 0 {
		t.Errorf("after WriteFiles RemoveStaged = %v", got)
	}
}

func TestEnsureDirUndoRemovesEveryCreatedLevel(t *testing.T) {
	base := t.TempDir()
	undo, err := EnsureDir(filepath.Join(base, "a", "b", "c"))
	if err != nil {
		t.Fatal(err)
	}
	undo()
	if _, err := os.Stat(filepath.Join(base, "a")); !os.IsNotExist(err) {
		t.Errorf("%s/a left behind: %v", base, err)
	}
	if _, err := os.Stat(base); err != nil {
		t.Errorf("the existing parent was removed: %v", err)
	}
}

func TestApplyDefaultDays(t *testing.T) {
	tmpl, err := templates.Parse("ca.info", []byte("cn = CA\nca\ncert_signing_key\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !ApplyDefaultDays(tmpl) || tmpl.ExpirationDays != DefaultDays {
		t.Errorf("template without expiration: days %d", tmpl.ExpirationDays)
	}
	for _, text := range []string{"ca\nexpiration_days = 30\n", "ca\nexpiration_date = \"2030-01-01 00:00:00\"\n"} {
		tmpl, err := templates.Parse("ca.info", []byte(text))
		if err != nil {
			t.Fatal(err)
		}
		if ApplyDefaultDays(tmpl) {
			t.Errorf("%q: the template's expiration was replaced", text)
		}
	}
}
