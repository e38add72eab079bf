//go:build virtpkitest

package install

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// In the virtpkitest build the hook pauses at the named step until the
// FIFO's writer closes it, and only once.
func TestPauseHookPausesAtStep(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "pause")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(PauseEnv, "write journal="+fifo)
	h := PauseHookFromEnv(context.Background())
	if h == nil {
		t.Fatal("no hook in the virtpkitest build")
	}
	if err := h("create temp x"); err != nil {
		t.Fatalf("other step: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- h("write journal") }()
	w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("go on\n"))
	w.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := h("write journal"); err != nil { // would block if it paused again
		t.Fatal(err)
	}
}
