package virtpkicli

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestManPagesRender writes every page with `virt-pki man --dir` and
// renders each with man -l: one page per command and subcommand, no groff
// warning, the NAME line and the options there.
func TestManPagesRender(t *testing.T) {
	man, err := exec.LookPath("man")
	if err != nil {
		t.Skip("man is not installed (Debian packages man-db and groff-base)")
	}
	dir := filepath.Join(t.TempDir(), "man1")
	if _, stderr, code := runArgs("man", "--dir", dir); code != 0 {
		t.Fatalf("man --dir: exit %d: %s", code, stderr)
	}
	want := map[string]bool{"virt-pki.1": true}
	for _, p := range commandPaths(nil, newApp(nil, nil).Commands) {
		want["virt-pki-"+strings.Join(p, "-")+".1"] = true
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !want[e.Name()] {
			t.Errorf("unexpected file %s", e.Name())
		}
		delete(want, e.Name())
	}
	for name := range want {
		t.Errorf("no page %s", name)
	}
	for _, e := range entries {
		cmd := exec.Command(man, "--warnings", "-l", filepath.Join(dir, e.Name()))
		cmd.Env = append(os.Environ(), "MANWIDTH=100", "LC_ALL=C.UTF-8", "MANPAGER=cat", "PAGER=cat")
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil || stderr.Len() > 0 {
			t.Errorf("man -l %s: %v\n%s", e.Name(), err, stderr.String())
			continue
		}
		name := strings.TrimSuffix(e.Name(), ".1")
		if !regexp.MustCompile(`NAME\n +`+regexp.QuoteMeta(name)+` +- `).MatchString(stdout.String()) || !strings.Contains(stdout.String(), "EXIT STATUS") {
			t.Errorf("%s renders without its NAME line or EXIT STATUS:\n%s", e.Name(), stdout.String())
		}
	}
	out, _ := exec.Command(man, "-l", filepath.Join(dir, "virt-pki-issue-server.1")).Output()
	for _, s := range []string{"virt-pki issue server [OPTIONS]", "--cn value", "--format FORMAT", "(default: 365)", "SEE ALSO", "virt-pki-issue(1)"} {
		if !bytes.Contains(out, []byte(s)) {
			t.Errorf("virt-pki-issue-server(1) lacks %q:\n%s", s, out)
		}
	}
}

// TestManWritesNothingOver checks that man --dir refuses, writing
// nothing, when a page exists, and replaces the pages with --force.
func TestManWritesNothingOver(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "virt-pki-issue.1"), []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := runArgs("man", "--dir", dir)
	if code != exitFail || stdout != "" || !strings.Contains(stderr, filepath.Join(dir, "virt-pki-issue.1")+": file exists (use --force to replace it)") {
		t.Errorf("man --dir over a page: exit %d, stderr %q", code, stderr)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("a refused man --dir wrote %d files", len(entries)-1)
	}
	if _, stderr, code := runArgs("man", "--dir", dir, "--force"); code != 0 {
		t.Fatalf("man --dir --force: exit %d: %s", code, stderr)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "virt-pki-issue.1"))
	if !bytes.HasPrefix(data, []byte(".TH VIRT\\-PKI\\-ISSUE 1")) {
		t.Errorf("--force did not replace the page: %q", data)
	}
}

// TestManStdout: a command's page goes to stdout, the same as its file;
// wrong command lines are usage errors.
func TestManStdout(t *testing.T) {
	dir := t.TempDir()
	runArgs("man", "--dir", dir)
	for _, args := range [][]string{{"issue", "server"}, {}, {"ca"}} {
		stdout, _, code := runArgs(append([]string{"man"}, args...)...)
		name := strings.Join(append([]string{"virt-pki"}, args...), "-") + ".1"
		file, _ := os.ReadFile(filepath.Join(dir, name))
		if code != 0 || stdout != string(file) {
			t.Errorf("man %v: exit %d, stdout differs from %s", args, code, name)
		}
	}
	for _, args := range [][]string{{"man", "nosuch"}, {"man", "issue", "nosuch"}, {"man", "--dir", dir, "issue"}, {"man", "--force"}, {"man", "--dir", ""}} {
		if stdout, _, code := runArgs(args...); code != exitUsage || stdout != "" {
			t.Errorf("%v: exit %d, stdout %q; want a usage error", args, code, stdout)
		}
	}
}

func TestRoffEscape(t *testing.T) {
	for in, want := range map[string]string{
		`a-b \x`:        `a\-b \ex`,
		".TH inject\nx": "\\&.TH inject\nx",
		"x\n'also":      "x\n\\&'also",
	} {
		if got := roffEscape(in); got != want {
			t.Errorf("roffEscape(%q) = %q, want %q", in, got, want)
		}
	}
}
