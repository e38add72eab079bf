package golden

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// scriptCommands are the commands the scripts have beyond testscript's own.
var scriptCommands = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	"exitcode": cmdExitcode,
}

// cmdExitcode implements
//
//	exitcode CODE program [args...]
//
// which runs program like exec and fails unless it exits with CODE; its
// stdout and stderr are then checked with stdout and stderr, as after exec.
// It replaces `exec sh -c 'program ...; echo rc=$?'`. The expected code
// says it all, so there is no negated form.
func cmdExitcode(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("exitcode takes no '!': the code says what is expected")
	}
	if len(args) < 2 {
		ts.Fatalf("usage: exitcode CODE program [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil || want < 0 || want > 255 {
		ts.Fatalf("exitcode: %q is not an exit status (0-255)", args[0])
	}
	got, err := exitStatus(ts.Exec(args[1], args[2:]...))
	if err != nil {
		ts.Fatalf("exitcode: %v", err)
	}
	if got != want {
		ts.Fatalf("%s exited with status %d, want %d", args[1], got, want)
	}
}

// exitStatus returns the exit status a command's Run or Wait error stands
// for, or an error when the command did not exit (not started, killed by a
// signal).
func exitStatus(err error) (int, error) {
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, nil
	case errors.As(err, &ee) && ee.ExitCode() >= 0:
		return ee.ExitCode(), nil
	}
	return 0, err
}

// buildDir receives the binary BuiltBin builds; the harness removes it.
var buildDir string

var built struct {
	once sync.Once
	path string
	err  error
}

// BuiltBin returns a real virt-pki binary, built with the build tag
// virtpkitest (which compiles in install's test-only pause hook,
// install.PauseEnv), for the tests that need the hook or a binary of
// their own (one copied for another user, who could not write coverage
// data). It is built on first use only, once per run; every other test
// runs the command line in this test binary (Bin).
func BuiltBin(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		built.path = filepath.Join(buildDir, "virt-pki")
		build := exec.Command("go", "build", "-tags", "virtpkitest", "-o", built.path, "../cmd/virt-pki")
		build.Stderr = os.Stderr
		built.err = build.Run()
	})
	if built.err != nil {
		t.Fatalf("building virt-pki with -tags virtpkitest: %v", built.err)
	}
	return built.path
}

// TestExitcodeCommand pins the exitcode script command: it passes on the
// expected status with the command's output available to stdout and
// stderr, and fails the script on any other status, on '!' and on a code
// that is not one.
func TestExitcodeCommand(t *testing.T) {
	cases := []struct {
		name, script string
		fail         string // "" when the script must pass, else a text of the failure
	}{
		{"expected statuses", `
exitcode 0 virt-pki --help
stdout '^USAGE:'
exitcode 2 virt-pki bogus
stderr 'unknown command "bogus"'
! stdout .
exitcode 3 sh -c 'echo out; echo err >&2; exit 3'
stdout '^out$'
stderr '^err$'
`, ""},
		{"other status", "exitcode 1 sh -c 'exit 2'\n", "sh exited with status 2, want 1"},
		{"success when a failure is expected", "exitcode 1 true\n", "true exited with status 0, want 1"},
		{"negated", "! exitcode 1 false\n", "exitcode takes no '!'"},
		{"not a code", "exitcode one false\n", `"one" is not an exit status`},
		{"no program", "exitcode 1\n", "usage: exitcode CODE program"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "s.txtar"), []byte(c.script), 0o644); err != nil {
				t.Fatal(err)
			}
			var r recordT
			testscript.RunT(&r, testscript.Params{Dir: dir, Cmds: scriptCommands, RequireExplicitExec: true})
			switch {
			case c.fail == "" && r.failed:
				t.Errorf("script failed:\n%s", r.log.String())
			case c.fail != "" && !r.failed:
				t.Errorf("script passed, want a failure with %q:\n%s", c.fail, r.log.String())
			case c.fail != "" && !strings.Contains(r.log.String(), c.fail):
				t.Errorf("failure lacks %q:\n%s", c.fail, r.log.String())
			}
		})
	}
}

// recordT is a testscript.T that records a failure instead of failing the
// test, for testing script commands.
type recordT struct {
	failed bool
	log    strings.Builder
}

func (r *recordT) Skip(args ...any)  { r.Log(args...); runtime.Goexit() }
func (r *recordT) Fatal(args ...any) { r.Log(args...); r.FailNow() }
func (r *recordT) Parallel()         {}
func (r *recordT) Log(args ...any)   { fmt.Fprintln(&r.log, args...) }
func (r *recordT) FailNow()          { r.failed = true; runtime.Goexit() }
func (r *recordT) Verbose() bool     { return false }
func (r *recordT) Run(_ string, f func(testscript.T)) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
}
