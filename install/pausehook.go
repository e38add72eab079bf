package install

// PauseEnv names the environment variable of the test-only pause hook
// (see PauseHookFromEnv). It is meant for end-to-end tests of the
// command's signal handling.
//
// The hook exists only in binaries built with the build tag virtpkitest
// (`go build -tags virtpkitest`, as golden/golden_test.go does). In every
// other build — release binaries included — PauseHookFromEnv returns nil
// and PauseEnv is ignored, so no environment can make an install open or
// block on a path it names.
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
const PauseEnv = "VIRT_PKI_TEST_INSTALL_PAUSE"
