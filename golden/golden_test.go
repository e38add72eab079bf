// Package golden pins virt-pki's user-visible behaviour: testscript files in
// scripts/ run the command line and compare its output, and golden files in
// testdata/ pin structures such as JSON output.
//
// The commands run inside this package's test binary (testscript.Main): a
// script's `exec virt-pki …` starts the test binary under the name
// virt-pki, which runs internal/virtpkicli.Main instead of the tests. No
// binary is built, and the command line's coverage counts:
//
//	go test -cover -coverpkg=./... ./golden
//
// Run with -update to rewrite the golden files and the scripts' inline
// expected output after an intended change.
package golden

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/virt-pki/virt-pki/internal/validatecli"
	"github.com/virt-pki/virt-pki/internal/virtpkicli"
)

var update = flag.Bool("update", false, "rewrite golden files and script expectations")

// commands are the programs the test binary stands in for when started
// under their name; testscript.Main puts them first on the scripts' PATH.
// virt-pki-validate is the lean cmd/virt-pki-validate (validatecli.Main,
// which is also what the virt-pki-validate link to virt-pki runs), so
// `exec virt-pki-validate` runs ours: reach libvirt's shell tool by its
// absolute path.
var commands = map[string]func(){
	"virt-pki":          func() { os.Exit(virtpkicli.Main(os.Args, os.Stdout, os.Stderr)) },
	validatecli.Name:    func() { os.Exit(validatecli.Main(os.Args, os.Stdout, os.Stderr)) },
	"certtool":          nil, // personalities: only through $LINKS, see personality
	"virt-pki-query-dn": nil,
}

// linkDir holds links to this test binary named virt-pki and after the
// tools virt-pki stands in for (certtool, virt-pki-query-dn,
// virt-pki-validate). It is $LINKS in the scripts and kept off PATH, so the
// real certtool and virt-pki-query-dn stay reachable by name.
var linkDir string

func TestMain(m *testing.M) {
	if personality(filepath.Base(os.Args[0])) {
		// Started through $LINKS/certtool or $LINKS/virt-pki-query-dn:
		// virt-pki picks the personality from args[0].
		os.Exit(virtpkicli.Main(os.Args, os.Stdout, os.Stderr))
	}
	onPath := map[string]func(){}
	for name, f := range commands {
		if f != nil {
			onPath[name] = f
		}
	}
	testscript.Main(harness{m}, onPath)
}

// personality reports whether name is a tool virt-pki behaves as that is
// not put on PATH (the real one must stay reachable there).
func personality(name string) bool {
	f, ok := commands[name]
	return ok && f == nil
}

// harness runs the tests between setting up linkDir and removing it (and
// the binaries built for tests that need them, see BuiltBin).
type harness struct{ m *testing.M }

func (h harness) Run() int {
	code, err := h.run()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return code
}

func (h harness) run() (int, error) {
	tmp, err := os.MkdirTemp("", "virt-pki-golden-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(tmp)
	self, err := os.Executable()
	if err != nil {
		return 0, err
	}
	linkDir = filepath.Join(tmp, "links")
	buildDir = filepath.Join(tmp, "build")
	if err := os.Mkdir(linkDir, 0o755); err != nil {
		return 0, err
	}
	for name := range commands {
		if err := os.Symlink(self, filepath.Join(linkDir, name)); err != nil {
			return 0, err
		}
	}
	return h.m.Run(), nil
}

// Bin returns the path of a virt-pki for Go tests in this package that
// drive it directly: a link to this test binary, which runs the command
// line when started under that name.
func Bin() string { return filepath.Join(linkDir, "virt-pki") }

// LeanValidateBin returns the path of the stand-alone virt-pki-validate
// (cmd/virt-pki-validate, that is validatecli.Main) in this test binary.
func LeanValidateBin() string { return filepath.Join(linkDir, validatecli.Name) }

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "scripts",
		UpdateScripts:       *update,
		RequireExplicitExec: true,
		Cmds:                scriptCommands,
		Setup: func(env *testscript.Env) error {
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
