package virtpkicli

import (
	"bytes"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// commandPaths returns every command and subcommand as the words that
// name it ("issue", "issue server"), without urfave/cli's help commands.
func commandPaths(prefix []string, cmds []*cli.Command) [][]string {
	var paths [][]string
	for _, c := range cmds {
		if c.Name == "help" && len(prefix) > 0 {
			continue
		}
		p := append(append([]string(nil), prefix...), c.Name)
		paths = append(paths, p)
		paths = append(paths, commandPaths(p, c.Subcommands)...)
	}
	return paths
}

func runArgs(args ...string) (stdout, stderr string, code int) {
	var out, errb bytes.Buffer
	code = run(append([]string{"virt-pki"}, args...), &out, &errb)
	return out.String(), errb.String(), code
}

// TestHelpCommandIsCommandHelp checks that `virt-pki help CMD [SUB]`
// prints what `virt-pki CMD [SUB] --help` prints, for every command, and
// exits 0. Running twice in one process also pins the names in the help
// ("virt-pki issue", not "virt-pki virt-pki issue").
func TestHelpCommandIsCommandHelp(t *testing.T) {
	paths := commandPaths(nil, newApp(nil, nil).Commands)
	if len(paths) < 10 {
		t.Fatalf("only %d commands: %v", len(paths), paths)
	}
	for _, p := range paths {
		name := strings.Join(p, " ")
		want, _, wantCode := runArgs(append(p, "--help")...)
		got, stderr, code := runArgs(append([]string{"help"}, p...)...)
		if code != 0 || wantCode != 0 || stderr != "" {
			t.Errorf("help %s: exit %d (--help: %d), stderr %q", name, code, wantCode, stderr)
		}
		if got != want {
			t.Errorf("help %s differs from %s --help:\n%s\n---\n%s", name, name, got, want)
		}
		if p[0] != "help" && p[0] != "certtool" && !strings.Contains(got, "virt-pki "+name) || strings.Contains(got, "virt-pki virt-pki") {
			t.Errorf("help %s does not name 'virt-pki %s':\n%s", name, name, got)
		}
	}
	app, _, code := runArgs("help")
	if code != 0 || !strings.Contains(app, "COMMANDS:") || !strings.Contains(app, "   help ") || !strings.Contains(app, "--version, -v") {
		t.Errorf("help: exit %d, want the app's help listing help and --version:\n%s", code, app)
	}
	for _, flag := range []string{"--help", "-h"} {
		if got, stderr, code := runArgs(flag); got != app || code != 0 || stderr != "" {
			t.Errorf("%s: exit %d, stderr %q, stdout differs from help's:\n%s", flag, code, stderr, got)
		}
	}
}

// TestHelpUnknownIsUsageError: a name that is no command is a usage error
// (exit 2, one line naming it), not urfave/cli's "No help topic" exit 3.
func TestHelpUnknownIsUsageError(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"help", "nosuch"}, `virt-pki: no help for "nosuch": no such command (see 'virt-pki --help')` + "\n"},
		{[]string{"help", "issue", "nosuch"}, `virt-pki: no help for "nosuch": no such subcommand of 'virt-pki issue' (see 'virt-pki issue --help')` + "\n"},
		{[]string{"help", "version", "x"}, `virt-pki: no help for "x": no such subcommand of 'virt-pki version' (see 'virt-pki version --help')` + "\n"},
	} {
		stdout, stderr, code := runArgs(c.args...)
		if code != exitUsage || stdout != "" || stderr != c.want {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and %q", c.args, code, stdout, stderr, c.want)
		}
	}
}

// TestVersion checks that --version, -v and version print one line, the
// same, and that version refuses arguments.
func TestVersion(t *testing.T) {
	want := "virt-pki " + buildVersion() + "\n"
	for _, args := range [][]string{{"--version"}, {"-v"}, {"version"}} {
		stdout, stderr, code := runArgs(args...)
		if code != 0 || stdout != want || stderr != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want %q", args, code, stdout, stderr, want)
		}
	}
	if _, _, code := runArgs("version", "extra"); code != exitUsage {
		t.Errorf("version extra: exit %d, want 2", code)
	}
}

func TestVersionString(t *testing.T) {
	settings := func(kv ...string) []debug.BuildSetting {
		var s []debug.BuildSetting
		for i := 0; i < len(kv); i += 2 {
			s = append(s, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return s
	}
	for _, c := range []struct {
		name string
		bi   *debug.BuildInfo
		want string
	}{
		{"no build info", nil, "(unknown version: the binary carries no build information)"},
		{"go install @version", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.0"}}, "v1.2.0"},
		{"checkout without VCS stamp", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "(devel)"},
		{"empty module version", &debug.BuildInfo{}, "(devel)"},
		{"clean checkout", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"},
			Settings: settings("vcs", "git", "vcs.revision", "19b0381c2a4f5e6d7c8b9a0f1e2d3c4b5a697887", "vcs.time", "2026-12-03T21:40:00Z", "vcs.modified", "false")},
			"(devel) rev 19b0381c2a4f (2026-12-03T21:40:00Z)"},
		{"modified checkout", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"},
			Settings: settings("vcs.revision", "19b0381c2a4f5e6d7c8b9a0f1e2d3c4b5a697887", "vcs.time", "2026-12-03T21:40:00Z", "vcs.modified", "true")},
			"(devel) rev 19b0381c2a4f (2026-12-03T21:40:00Z, modified)"},
		{"short revision, no time", &debug.BuildInfo{Main: debug.Module{Version: "v1.3.0-rc.1"}, Settings: settings("vcs.revision", "abc123", "vcs.modified", "true")},
			"v1.3.0-rc.1 rev abc123 (modified)"},
	} {
		if got := versionString(c.bi); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
