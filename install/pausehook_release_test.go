//go:build !virtpkitest

package install

import (
	"context"
	"path/filepath"
	"testing"
)

// A binary built without the virtpkitest tag must not obey PauseEnv: an
// install run as root would otherwise open whatever path it names.
func TestPauseEnvIgnoredWithoutTestTag(t *testing.T) {
	t.Setenv(PauseEnv, "write journal="+filepath.Join(t.TempDir(), "pause"))
	if h := PauseHookFromEnv(context.Background()); h != nil {
		t.Fatal("PauseHookFromEnv returned a hook in a build without the virtpkitest tag")
	}
}
