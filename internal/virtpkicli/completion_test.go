package virtpkicli

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// completionScript writes `virt-pki completion SHELL` to a file.
func completionScript(t *testing.T, shell string) string {
	t.Helper()
	stdout, stderr, code := runArgs("completion", shell)
	if code != 0 || stderr != "" || stdout == "" {
		t.Fatalf("completion %s: exit %d, stderr %q", shell, code, stderr)
	}
	path := filepath.Join(t.TempDir(), "completion."+shell)
	if err := os.WriteFile(path, []byte(stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func needShell(t *testing.T, shell, pkg string) string {
	t.Helper()
	path, err := exec.LookPath(shell)
	if err != nil {
		t.Skipf("%s is not installed (Debian package %s)", shell, pkg)
	}
	return path
}

// TestBashCompletion loads the bash script in bash and completes command
// lines the way bash does (COMP_WORDS, COMP_CWORD, the function).
func TestBashCompletion(t *testing.T) {
	bash := needShell(t, "bash", "bash")
	script := completionScript(t, "bash")
	for _, c := range []struct {
		words []string // the command line, the last word being completed
		want  string   // COMPREPLY, space-separated
	}{
		{[]string{"virt-pki", "iss"}, "issue"},
		{[]string{"virt-pki", "c"}, "ca certtool completion"},
		{[]string{"virt-pki", "--v"}, "--version"},
		{[]string{"virt-pki", "issue", ""}, "server client"},
		{[]string{"virt-pki", "issue", "server", "--c"}, "--cn --ca-dir --ca-cert --ca-key --curve"},
		{[]string{"virt-pki", "issue", "server", "--cn", "h.example", "--ca-d"}, "--ca-dir"},
		{[]string{"virt-pki", "ca", "init", "--for"}, "--force --format"},
		{[]string{"virt-pki", "expiry", "--con"}, "--concurrency"},
		{[]string{"virt-pki", "expiry", "-"}, strings.Join(expiryFlagWords(t, "expiry"), " ")},
		{[]string{"virt-pki", "completion", ""}, ""}, // files (-o default)
		{[]string{"virt-pki", "help", "iss"}, "issue"},
		{[]string{"virt-pki", "help", "issue", "s"}, "server"},
	} {
		var words []string
		for _, w := range c.words {
			words = append(words, "'"+w+"'")
		}
		prog := "source " + script + "; COMP_WORDS=(" + strings.Join(words, " ") + "); COMP_CWORD=" +
			strconv.Itoa(len(c.words)-1) + `; _virt_pki; echo "${COMPREPLY[*]}"`
		out, err := exec.Command(bash, "--norc", "--noprofile", "-c", prog).CombinedOutput()
		if err != nil {
			t.Fatalf("bash: %v\n%s", err, out)
		}
		if got := strings.TrimSuffix(string(out), "\n"); got != c.want {
			t.Errorf("%q: COMPREPLY %q, want %q", strings.Join(c.words, " "), got, c.want)
		}
	}
}

// expiryFlagWords lists every name of every flag of the top-level command name,
// long names as --x and short ones as -x, in definition order, followed by
// --help -h: what bash offers after "virt-pki NAME -".
func expiryFlagWords(t *testing.T, name string) []string {
	t.Helper()
	for _, c := range newApp(io.Discard, io.Discard).Commands {
		if c.Name != name {
			continue
		}
		var words []string
		for _, f := range c.Flags {
			for _, n := range f.Names() {
				if len(n) == 1 {
					words = append(words, "-"+n)
				} else {
					words = append(words, "--"+n)
				}
			}
		}
		return append(words, "--help", "-h")
	}
	t.Fatalf("no command %q", name)
	return nil
}

// TestFishCompletion checks the fish script's syntax and completes a
// command and a flag with fish's own completion engine.
func TestFishCompletion(t *testing.T) {
	fish := needShell(t, "fish", "fish")
	script := completionScript(t, "fish")
	if out, err := exec.Command(fish, "-n", script).CombinedOutput(); err != nil {
		t.Fatalf("fish -n: %v\n%s", err, out)
	}
	out, err := exec.Command(fish, "--no-config", "-c", "source "+script+
		"; complete -C 'virt-pki iss'; complete -C 'virt-pki issue server --c'; complete -C 'virt-pki help ca i'").CombinedOutput()
	if err != nil {
		t.Fatalf("fish: %v\n%s", err, out)
	}
	for _, want := range []string{"issue\tissue a server or client certificate signed by the CA\n", "--cn\tcommon name\n", "--ca-dir\t", "init\tcreate"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("fish completions lack %q:\n%s", want, out)
		}
	}
}

// TestZshCompletion checks the zsh script's syntax.
func TestZshCompletion(t *testing.T) {
	zsh := needShell(t, "zsh", "zsh")
	script := completionScript(t, "zsh")
	if out, err := exec.Command(zsh, "-n", script).CombinedOutput(); err != nil {
		t.Fatalf("zsh -n: %v\n%s", err, out)
	}
}

// TestCompletionCoversEveryCommand checks that the scripts name every
// command and subcommand, and that the shell argument is checked.
func TestCompletionCoversEveryCommand(t *testing.T) {
	paths := commandPaths(nil, newApp(nil, nil).Commands)
	for _, shell := range []string{"bash", "zsh", "fish"} {
		script, _, _ := runArgs("completion", shell)
		for _, p := range paths {
			if !strings.Contains(script, "/"+strings.Join(p, "/")) {
				t.Errorf("%s completion lacks %v", shell, p)
			}
		}
	}
	for _, args := range [][]string{{"completion"}, {"completion", "tcsh"}, {"completion", "bash", "zsh"}} {
		if stdout, _, code := runArgs(args...); code != exitUsage || stdout != "" {
			t.Errorf("%v: exit %d, stdout %q; want a usage error", args, code, stdout)
		}
	}
}
