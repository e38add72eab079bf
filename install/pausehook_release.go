//go:build !virtpkitest

package install

import "context"

// PauseHookFromEnv returns nil: without the build tag virtpkitest there is
// no pause hook, and PauseEnv is ignored (see PauseEnv).
func PauseHookFromEnv(ctx context.Context) Hook { return nil }
