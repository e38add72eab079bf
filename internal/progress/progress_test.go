package progress

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

func TestNothingIsDrawnOffATerminal(t *testing.T) {
	var buf bytes.Buffer
	c := NewCounter(&buf, "checking", 10*Threshold, false)
	if c != nil {
		t.Fatal("a counter on a bytes.Buffer must be nil")
	}
	c.Add(5) // a nil counter is usable
	c.Done()
	Spinner(&buf, "generating", false)()
	if buf.Len() != 0 {
		t.Fatalf("drew %q on a non-terminal", buf.String())
	}
}

func TestQuietAndSmallRunsDrawNothing(t *testing.T) {
	if Enabled(os.Stderr, true) {
		t.Fatal("quiet must disable progress")
	}
	t.Setenv("TERM", "dumb")
	if Enabled(os.Stderr, false) {
		t.Fatal("TERM=dumb must disable progress")
	}
}

func TestCounterDrawsAndErases(t *testing.T) {
	var buf bytes.Buffer
	c := &Counter{w: &buf, label: "files", total: 3}
	c.Add(1)
	c.Add(2) // reaching the total always draws
	c.Done()
	out := buf.String()
	if !strings.Contains(out, "files: 1/3") || !strings.Contains(out, "files: 3/3") {
		t.Fatalf("counter output %q lacks its counts", out)
	}
	if !strings.HasSuffix(out, "\r\x1b[K") {
		t.Fatalf("counter output %q does not end by erasing the line", out)
	}
}
