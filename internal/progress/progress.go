// Package progress shows progress of long work on a terminal's stderr:
// a counter for runs over many files or endpoints, a spinner for work of
// unknown length (large RSA keys). It prints nothing when the writer is not
// a terminal, when TERM is "dumb", or when the caller asked for quiet, so
// pipelines and golden files never see it. Drawing is rate-limited and
// always erased before the command prints its own results.
package progress

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/mattn/go-isatty"

	"github.com/virt-pki/virt-pki/internal/termsafe"
)

// Threshold is the number of items from which a run shows a counter: below
// it, work finishes before a counter would help.
const Threshold = 200

// interval is the minimum time between two redraws.
const interval = 100 * time.Millisecond

// Enabled reports whether progress may be drawn on w: w is a terminal,
// TERM is not "dumb", and quiet is false.
func Enabled(w io.Writer, quiet bool) bool {
	if quiet || os.Getenv("TERM") == "dumb" {
		return false
	}
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

// Counter counts finished items out of a known total. The zero value and a
// nil *Counter draw nothing; all methods are safe for concurrent use.
type Counter struct {
	mu    sync.Mutex
	w     io.Writer
	label string
	total int
	done  int
	last  time.Time
	drawn bool
}

// NewCounter returns a counter drawing "label: done/total" on w, or nil
// (which draws nothing) when progress is not Enabled or total is below
// Threshold.
func NewCounter(w io.Writer, label string, total int, quiet bool) *Counter {
	if total < Threshold || !Enabled(w, quiet) {
		return nil
	}
	return &Counter{w: w, label: termsafe.String(label), total: total}
}

// Add records n more finished items and redraws at most every 100 ms.
func (c *Counter) Add(n int) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.done += n
	if now := time.Now(); now.Sub(c.last) >= interval || c.done >= c.total {
		c.last = now
		c.drawn = true
		fmt.Fprintf(c.w, "\r\x1b[K%s: %d/%d", c.label, c.done, c.total)
	}
}

// Done erases the counter line, leaving the terminal as it was.
func (c *Counter) Done() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.drawn {
		fmt.Fprint(c.w, "\r\x1b[K")
		c.drawn = false
	}
}

// Spinner shows "label ..." with a turning bar on w until the returned stop
// function is called; stop erases the line and may be called more than once.
// When progress is not Enabled it draws nothing and stop does nothing.
func Spinner(w io.Writer, label string, quiet bool) (stop func()) {
	if !Enabled(w, quiet) {
		return func() {}
	}
	label = termsafe.String(label)
	quit := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		frames := `|/-\`
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for i := 0; ; i++ {
			fmt.Fprintf(w, "\r\x1b[K%s %c", label, frames[i%len(frames)])
			select {
			case <-quit:
				fmt.Fprint(w, "\r\x1b[K")
				return
			case <-tick.C:
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			close(quit)
			<-finished
		})
	}
}
