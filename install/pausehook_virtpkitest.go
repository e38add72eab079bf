//go:build virtpkitest

package install

import (
	"context"
	"io"
	"os"
	"strings"
	"sync"
)

// PauseHookFromEnv returns the test-only hook PauseEnv asks for, or nil
// when PauseEnv is unset or malformed. This is the virtpkitest build; see
// PauseEnv for the protocol.
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
