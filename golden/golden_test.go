// Package golden pins virt-pki's user-visible behaviour: testscript files in
// scripts/ run the real binary (built once per test run) and compare its
// output, and golden files in testdata/ pin structures such as JSON output.
//
// Run with -update to rewrite the golden files and the scripts' inline
// expected output after an intended change.
package golden

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

var update = flag.Bool("update", false, "rewrite golden files and script expectations")

// binDir holds the freshly built virt-pki and the lean virt-pki-validate
// (cmd/virt-pki-validate) and is first on the scripts' PATH, so
// `exec virt-pki-validate` runs ours: reach libvirt's shell tool by its
// absolute path. linkDir holds links to virt-pki named after the tools it
// can stand in for (certtool, virt-pki-query-dn, virt-pki-validate), kept
// off PATH so the real certtool and virt-pki-query-dn stay reachable.
var binDir, linkDir string

func TestMain(m *testing.M) {
	flag.Parse()
	code, err := buildAndRun(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(code)
}

func buildAndRun(m *testing.M) (int, error) {
	tmp, err := os.MkdirTemp("", "virt-pki-golden-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(tmp)
	binDir = filepath.Join(tmp, "bin")
	linkDir = filepath.Join(tmp, "links")
	for _, d := range []string{binDir, linkDir} {
		if err := os.Mkdir(d, 0o755); err != nil {
			return 0, err
		}
	}
	bin := filepath.Join(binDir, "virt-pki")
	// The virtpkitest tag builds in the install's test-only pause hook
	// (install.PauseEnv), which TestInstallCatchesSIGTERM drives.
	build := exec.Command("go", "build", "-tags", "virtpkitest", "-o", binDir+string(os.PathSeparator), "../cmd/virt-pki", "../cmd/virt-pki-validate")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return 0, fmt.Errorf("building virt-pki and virt-pki-validate: %w", err)
	}
	for _, name := range []string{"certtool", "virt-pki-query-dn", "virt-pki-validate"} {
		if err := os.Symlink(bin, filepath.Join(linkDir, name)); err != nil {
			return 0, err
		}
	}
	return m.Run(), nil
}

// Bin returns the path of the built virt-pki binary, for Go tests in this
// package that drive it directly.
func Bin() string { return filepath.Join(binDir, "virt-pki") }

// LeanValidateBin returns the path of the built stand-alone
// virt-pki-validate (cmd/virt-pki-validate).
func LeanValidateBin() string { return filepath.Join(binDir, "virt-pki-validate") }

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:           "scripts",
		UpdateScripts: *update,
		Setup: func(env *testscript.Env) error {
			env.Setenv("PATH", binDir+string(os.PathListSeparator)+os.Getenv("PATH"))
			env.Setenv("LINKS", linkDir)
			env.Setenv("NO_COLOR", "1")
			env.Setenv("TZ", "UTC")
			return nil
		},
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "root":
				return os.Geteuid() == 0, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
	})
}
