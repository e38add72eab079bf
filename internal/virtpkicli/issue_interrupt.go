package virtpkicli

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"github.com/virt-pki/virt-pki/ca"
)

// outputGuard protects a run that writes an output set (ca init, issue,
// quickstart) against SIGINT and SIGTERM: the handler removes the staged
// temporary files (they may hold private keys) and the directories the run
// created, says so on stderr and exits with 128+signal.
type outputGuard struct {
	mu     sync.Mutex
	undo   []func()
	stderr io.Writer
	sigs   chan os.Signal
	done   chan struct{}
}

func guardOutput(stderr io.Writer) *outputGuard {
	g := &outputGuard{stderr: stderr, sigs: make(chan os.Signal, 1), done: make(chan struct{})}
	signal.Notify(g.sigs, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		select {
		case sig := <-g.sigs:
			os.Exit(g.interrupted(sig.(syscall.Signal)))
		case <-g.done:
		}
	}()
	return g
}

// interrupted cleans up after sig (waiting for a writeFiles in progress)
// and returns the exit code, 128+sig.
func (g *outputGuard) interrupted(sig syscall.Signal) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, p := range ca.RemoveStaged() {
		fmt.Fprintf(g.stderr, "virt-pki: interrupted: removed %s\n", p)
	}
	runUndo(g.undo)
	fmt.Fprintf(g.stderr, "virt-pki: interrupted (%s)\n", sig)
	return 128 + int(sig)
}

// addUndo registers the removal of a directory the run created.
func (g *outputGuard) addUndo(u func()) {
	g.mu.Lock()
	g.undo = append(g.undo, u)
	g.mu.Unlock()
}

// writeFiles is ca.WriteFiles, which an interrupt does not cut short:
// the handler waits for it, so the set is written all or nothing.
func (g *outputGuard) writeFiles(files []ca.File, force bool) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	return ca.WriteFiles(files, force)
}

// stop ends the protection (call it when the run is over).
func (g *outputGuard) stop() {
	signal.Stop(g.sigs)
	close(g.done)
}

// writeOutputSet writes files as one set under an outputGuard: it creates
// dirs (parents first), writes the files all or nothing, and on failure or
// interrupt removes the directories it created, innermost first.
func writeOutputSet(stderr io.Writer, dirs []string, files []ca.File, force bool) error {
	guard := guardOutput(stderr)
	defer guard.stop()
	var undo []func()
	for _, d := range dirs {
		u, err := ca.EnsureDir(d)
		if err != nil {
			runUndo(undo)
			return err
		}
		undo = append(undo, u)
		guard.addUndo(u)
	}
	if err := guard.writeFiles(files, force); err != nil {
		runUndo(undo)
		return err
	}
	return nil
}

// runUndo removes directories created for a failed run, innermost first.
func runUndo(undo []func()) {
	for i := len(undo) - 1; i >= 0; i-- {
		undo[i]()
	}
}

// removeStaleTemps removes the temporary files of names in dir that a
// killed run left behind, and says so on stderr.
func removeStaleTemps(stderr io.Writer, dir string, names ...string) error {
	removed, err := ca.RemoveStaleTemps(dir, names)
	for _, p := range removed {
		fmt.Fprintf(stderr, "virt-pki: removed %s, left behind by an interrupted run\n", p)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", dir, err)
	}
	return nil
}
