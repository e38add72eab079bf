package golden

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/virt-pki/virt-pki/internal/pkitest"
	"github.com/virt-pki/virt-pki/internal/progress"
)

// onTerminal runs shell command line under script(1), so that its
// standard error is a pseudo-terminal, and returns what the terminal
// showed (the command sends its standard output to /dev/null itself).
func onTerminal(t *testing.T, line string) string {
	t.Helper()
	if _, err := exec.LookPath("script"); err != nil {
		t.Skip("golden: script(1) from util-linux is not installed")
	}
	cmd := exec.Command("script", "-qec", line, "/dev/null")
	cmd.Env = append(os.Environ(), "TERM=xterm", "NO_COLOR=1")
	out, _ := cmd.CombinedOutput() // the exit status is the command's
	return string(out)
}

// TestProgressOnTerminal: expiry over a directory and probe over a target
// list longer than progress.Threshold show a counter on a terminal's
// standard error, erased at the end; --quiet shows nothing.
func TestProgressOnTerminal(t *testing.T) {
	n := progress.Threshold + 10
	dir := t.TempDir()
	ca := pkitest.CA(t, "CA")
	for i := range n {
		pkitest.WriteFile(t, dir, fmt.Sprintf("c%03d.pem", i), ca.CertPEM(), 0o644)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // refused at once
	targets := filepath.Join(t.TempDir(), "targets")
	if err := os.WriteFile(targets, []byte(strings.Repeat(addr+"\n", n)), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, args string }{
		{"expiry", "expiry " + dir},
		{"probe", "probe --timeout 5s --targets " + targets},
	} {
		t.Run(tc.name, func(t *testing.T) {
			shown := onTerminal(t, Bin()+" "+tc.args+" >/dev/null")
			want := fmt.Sprintf("%s: %d/%d", tc.name, n, n)
			if !strings.Contains(shown, want) || !strings.HasSuffix(shown, "\r\x1b[K") {
				t.Errorf("terminal shows %q; want a counter ending at %q, then erased", shown, want)
			}
			if shown := onTerminal(t, Bin()+" "+tc.args+" --quiet >/dev/null"); shown != "" {
				t.Errorf("with --quiet the terminal shows %q", shown)
			}
		})
	}
}
