package validate

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/virt-pki/virt-pki/finding"
	"github.com/virt-pki/virt-pki/internal/pkitest"
)

// asNonRoot runs the calling test in a process without root's power to
// enter any directory: directly when the tests run as another user, else
// (root, as in CI) by running this test binary again as nobody. It
// returns false in the parent, whose part is then done.
func asNonRoot(t *testing.T) bool {
	t.Helper()
	if os.Geteuid() != 0 {
		return true
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "validate-nobody")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o1777) // the child's temporary directory, sticky
	bin := filepath.Join(dir, "validate.test")
	pkitest.CopyFile(t, self, bin, 0o755)
	cmd := exec.Command(bin, "-test.run", "^"+t.Name()+"$", "-test.v")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TMPDIR="+dir, "HOME="+dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: "+t.Name()) {
		t.Fatalf("as nobody: %v\n%s", err, out)
	}
	return false
}

// A pkipath its user cannot enter is one FAIL with a real command; the
// files below it (the optional CRL too) are not judged.
func TestUnenterablePKIPathIsOneFailure(t *testing.T) {
	if !asNonRoot(t) {
		return
	}
	dir := writePKIPath(t, newPKI(t))
	if err := os.Chmod(dir, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o700) })
	l := Run(pathOpts(dir))
	byID(t, l)
	if s := l.Summary(); s.Fail != 1 {
		t.Errorf("%d FAILs, want 1 (the directory):\n%s", s.Fail, dump(l))
	}
	f := want(t, l, "trust.dir.access", finding.Fail, "does not let its owner list and enter it")
	if f.Fix != "chmod 0700 "+dir {
		t.Errorf("fix %q, want chmod 0700 %s", f.Fix, dir)
	}
	want(t, l, "trust.crl.access", finding.Skip, "trust.dir.access")
	want(t, l, "server.key.access", finding.Skip, "trust.dir.access")
}

// A pkipath below a directory its user cannot enter: one FAIL naming that
// directory and the command that opens it to its owner.
func TestPKIPathBehindUnenterableParent(t *testing.T) {
	if !asNonRoot(t) {
		return
	}
	parent := t.TempDir()
	dir := filepath.Join(parent, "pki")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(parent, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(parent, 0o700) })
	l := Run(pathOpts(dir))
	byID(t, l)
	if s := l.Summary(); s.Fail != 1 {
		t.Errorf("%d FAILs, want 1 (the parent):\n%s", s.Fail, dump(l))
	}
	f := want(t, l, "trust.dir.access", finding.Fail, "cannot enter "+parent)
	if f.Fix != "chmod u+x "+parent {
		t.Errorf("fix %q, want chmod u+x %s", f.Fix, parent)
	}
	want(t, l, "trust.crl.access", finding.Skip, parent)
}
