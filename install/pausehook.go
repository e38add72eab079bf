package install

import (
	"context"
	"io"
	"os"
	"strings"
	"sync"
)

// PauseEnv names the environment variable of the test-only pause hook
// (see PauseHookFromEnv). It is meant for end-to-end tests of the
// command's signal handling; it does nothing unless set.
const PauseEnv = "VIRT_PKI_TEST_INSTALL_PAUSE"

// PauseHookFromEnv returns the test-only hook PauseEnv asks for, or nil
// (the production case) when PauseEnv is unset or malformed.
//
// PauseEnv is "STEP=FIFO": at the first step of Apply whose label starts
// with STEP (an empty STEP is the first step; labels are those passed to
// Hook, such as "mkdir temp DIR", "create temp FILE", "write journal",
// "rename FILE"), the install opens the named pipe FIFO for reading. That
// open blocks until the test opens FIFO for writing, so the test knows the
// install has reached that step, with its signal handling in place. The
// install then reads FIFO to its end. If the test wrote "interrupted", it
// promises to have sent a signal, and the hook waits for ctx (the
// install's SignalContext) to be cancelled before returning, so that the
// step observes the interruption deterministically — no sleeps on either
// side. Anything else lets the install go on. The hook pauses once; the
// steps of a rollback pass through it without pausing.
func PauseHookFromEnv(ctx context.Context) Hook {
	step, fifo, ok := strings.Cut(os.Getenv(PauseEnv), "=")
	if !ok || fifo == "" {
		return nil
	}
	var once sync.Once
	return func(label string) error {
		if !strings.HasPrefix(label, step) {
			return nil
		}
		var err error
		once.Do(func() { err = pause(ctx, fifo) })
		return err
	}
}

// pause blocks until a writer opens fifo and closes it, then, if the
// writer announced a signal, until ctx is cancelled.
func pause(ctx context.Context, fifo string) error {
	f, err := os.Open(fifo) // blocks until the test opens the FIFO for writing
	if err != nil {
		return err
	}
	data, err := io.ReadAll(f)
	f.Close()
	if err != nil {
		return err
	}
	if strings.TrimSpace(string(data)) == "interrupted" && ctx != nil {
		<-ctx.Done()
	}
	return nil
}
