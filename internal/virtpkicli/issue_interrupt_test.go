package virtpkicli

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/virt-pki/virt-pki/ca"
)

func TestOutputGuardRemovesCreatedDirectories(t *testing.T) {
	base := t.TempDir()
	var stderr strings.Builder
	g := guardOutput(&stderr)
	defer g.stop()
	undo, err := ca.EnsureDir(filepath.Join(base, "pki", "server"))
	if err != nil {
		t.Fatal(err)
	}
	g.addUndo(undo)
	if code := g.interrupted(syscall.SIGINT); code != 130 {
		t.Errorf("exit code %d, want 130", code)
	}
	if _, err := os.Stat(filepath.Join(base, "pki")); !os.IsNotExist(err) {
		t.Errorf("the created directory survived the interrupt: %v", err)
	}
	if !strings.Contains(stderr.String(), "virt-pki: interrupted (interrupt)") {
		t.Errorf("stderr %q", stderr.String())
	}
}
