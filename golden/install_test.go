package golden

import (
	"context"
	"crypto/x509/pkix"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/virt-pki/virt-pki/install"
	"github.com/virt-pki/virt-pki/internal/libvirttest"
	"github.com/virt-pki/virt-pki/internal/pkitest"
	"github.com/virt-pki/virt-pki/layout"
	"github.com/virt-pki/virt-pki/libvirtcert"
)

// End-to-end tests of 'virt-pki install': the installed files are read by a
// real libvirtd, and virsh connects with the installed client files.

// installIssued writes a CA, a server certificate for localhost/127.0.0.1 and a
// client certificate in the layout 'virt-pki issue' writes, and returns
// the directory and the client's DN.
func installIssued(t *testing.T) (dir, clientDN string) {
	t.Helper()
	dir = t.TempDir()
	ca := pkitest.CA(t, "Install E2E CA")
	srv := pkitest.Server(t, ca, "localhost", "localhost", "127.0.0.1")
	cli := pkitest.Client(t, ca, pkix.Name{Organization: []string{"E2E"}, CommonName: "client1"})
	pkitest.WriteFile(t, dir, "cacert.pem", ca.CertPEM(), 0o644)
	srv.WritePair(t, dir, "servercert.pem", "serverkey.pem")
	cli.WritePair(t, dir, "clientcert.pem", "clientkey.pem")
	dn, err := libvirtcert.SubjectDN(cli.Cert)
	if err != nil {
		t.Fatal(err)
	}
	return dir, dn
}

// installRun runs the built binary with extra environment and fails the test
// unless it exits 0.
func installRun(t *testing.T, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command(Bin(), args...)
	cmd.Env = append(os.Environ(), append([]string{"NO_COLOR=1"}, env...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("virt-pki %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func installRequireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("installing root-owned files needs root (CI runs as root)")
	}
}

// installCheckModes asserts owner and mode of every file of lay that exists.
func installCheckModes(t *testing.T, lay layout.Layout, roles ...layout.Role) {
	t.Helper()
	for _, r := range roles {
		f, _ := lay.File(r)
		fi, err := os.Stat(f.Path)
		if err != nil {
			t.Fatalf("%s: %v", f.Path, err)
		}
		st := fi.Sys().(*syscall.Stat_t)
		if fi.Mode().Perm() != f.Mode || int(st.Uid) != f.Owner.UID || int(st.Gid) != f.Owner.GID {
			t.Errorf("%s: %04o %d:%d, want %04o %d:%d", f.Path, fi.Mode().Perm(), st.Uid, st.Gid, f.Mode, f.Owner.UID, f.Owner.GID)
		}
	}
}

func installVirshOK(t *testing.T, d *libvirttest.Daemon, pkipath string, env ...string) {
	t.Helper()
	r := libvirttest.Virsh(d.URI("localhost", pkipath), env...)
	if !r.OK() || !strings.Contains(r.Stdout, "test") {
		t.Fatalf("virsh with pkipath=%s: %v\n%s%s\ndaemon log:\n%s", pkipath, r.Err, r.Stdout, r.Stderr, d.Log())
	}
}

// TestInstallSystemLayoutE2E installs into the system layout under a
// prefix, starts libvirtd on the installed files and connects with client
// files installed into a pkipath directory.
func TestInstallSystemLayoutE2E(t *testing.T) {
	libvirttest.Require(t, "libvirtd", "virsh")
	installRequireRoot(t)
	src, dn := installIssued(t)
	root := t.TempDir()
	out := installRun(t, nil, "install", "--root", root, "--role", "ca,server,client", "--from", src)
	if !strings.Contains(out, "installed 5 file(s)") {
		t.Fatalf("unexpected output:\n%s", out)
	}
	sys := layout.NewSystem(root)
	installCheckModes(t, sys, layout.CACert, layout.ServerCert, layout.ServerKey, layout.ClientCert, layout.ClientKey)
	for _, d := range sys.Dirs {
		if fi, err := os.Stat(d.Path); err != nil || fi.Mode().Perm() != 0o755 {
			t.Errorf("%s: %v %v", d.Path, fi.Mode(), err)
		}
	}

	p := func(r layout.Role) string { f, _ := sys.File(r); return f.Path }
	d := libvirttest.Start(t, libvirttest.Config{CAFile: p(layout.CACert), CertFile: p(layout.ServerCert),
		KeyFile: p(layout.ServerKey), AllowedDN: []string{dn}})

	// virsh reads fixed /etc/pki paths, so the client side goes through a
	// pkipath install.
	pki := filepath.Join(t.TempDir(), "client")
	installRun(t, nil, "install", "--pkipath", pki, "--role", "ca,client", "--from", src)
	installCheckModes(t, layout.NewPKIPath(pki, 0, 0), layout.CACert, layout.ClientCert, layout.ClientKey)
	installVirshOK(t, d, pki)

	// The installed system client pair is the same pair.
	for _, n := range []struct{ sys, pk string }{{p(layout.ClientCert), "clientcert.pem"}, {p(layout.ClientKey), "clientkey.pem"}} {
		a, _ := os.ReadFile(n.sys)
		b, _ := os.ReadFile(filepath.Join(pki, n.pk))
		if string(a) != string(b) {
			t.Errorf("%s and the pkipath %s differ", n.sys, n.pk)
		}
	}
}

// TestInstallFollowsLibvirtdConfE2E installs to the ca_file/cert_file/
// key_file of a libvirtd.conf (found under --root, and named with
// --libvirtd-conf), and libvirtd started with those settings serves TLS.
func TestInstallFollowsLibvirtdConfE2E(t *testing.T) {
	libvirttest.Require(t, "libvirtd", "virsh")
	installRequireRoot(t)
	src, dn := installIssued(t)
	pki := filepath.Join(t.TempDir(), "client")
	installRun(t, nil, "install", "--pkipath", pki, "--role", "ca,client", "--from", src)
	conf := "listen_tls = 1\nca_file = \"/srv/tls/ca.pem\"\ncert_file = \"/srv/tls/server.pem\"\nkey_file = \"/srv/tls/private/server.key\"\n"

	for _, explicit := range []bool{false, true} {
		root := t.TempDir()
		args := []string{"install", "--root", root, "--role", "ca,server", "--from", src}
		if explicit {
			path := pkitest.WriteFile(t, t.TempDir(), "libvirtd.conf", []byte(conf), 0o644)
			args = append(args, "--libvirtd-conf", path)
		} else {
			pkitest.WriteFile(t, root, "etc/libvirt/libvirtd.conf", []byte(conf), 0o644)
		}
		out := installRun(t, nil, args...)
		if !strings.Contains(out, "does not re-read custom paths") {
			t.Errorf("no restart advice for custom paths:\n%s", out)
		}
		if _, err := os.Stat(filepath.Join(root, layout.SystemCACert)); err == nil {
			t.Error("the CA also went to the default path")
		}
		ca, cert, key := filepath.Join(root, "srv/tls/ca.pem"), filepath.Join(root, "srv/tls/server.pem"), filepath.Join(root, "srv/tls/private/server.key")
		if fi, err := os.Stat(key); err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v", key, err)
		}
		d := libvirttest.Start(t, libvirttest.Config{CAFile: ca, CertFile: cert, KeyFile: key, AllowedDN: []string{dn}})
		installVirshOK(t, d, pki)
	}
}

// TestInstallUserLayoutE2E installs into HOME/.pki/libvirt. virsh as root
// ignores that directory, so the connection names it with pkipath; that
// a non-root client picks exactly these files is asserted with
// layout.ClientCredentials.
func TestInstallUserLayoutE2E(t *testing.T) {
	libvirttest.Require(t, "libvirtd", "virsh")
	src, dn := installIssued(t)
	home := t.TempDir()
	out := installRun(t, []string{"HOME=" + home}, "install", "--user", "--role", "ca,client", "--from", src)
	user := layout.NewUser(home, os.Geteuid(), os.Getegid())
	installCheckModes(t, user, layout.CACert, layout.ClientCert, layout.ClientKey)
	if fi, err := os.Stat(user.Base); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("%s: %v %v", user.Base, fi.Mode(), err)
	}
	if os.Geteuid() == 0 && !strings.Contains(out, "virsh running as root ignores") {
		t.Errorf("no warning that root ignores ~/.pki/libvirt:\n%s", out)
	}
	c := layout.ClientCredentials("", "", home, 1000, func(p string) bool { _, err := os.Stat(p); return err == nil })
	f := func(r layout.Role) string { x, _ := user.File(r); return x.Path }
	if c.CACert != f(layout.CACert) || c.ClientCert != f(layout.ClientCert) || c.ClientKey != f(layout.ClientKey) || c.NoCertificate {
		t.Fatalf("a non-root client would use %+v", c)
	}

	d := libvirttest.Start(t, libvirttest.Config{CAFile: filepath.Join(src, "cacert.pem"),
		CertFile: filepath.Join(src, "servercert.pem"), KeyFile: filepath.Join(src, "serverkey.pem"), AllowedDN: []string{dn}})
	installVirshOK(t, d, user.Base, "HOME="+home)
}

// TestForcedMismatchedKeyStopsLibvirtd shows what the key check prevents:
// forcing a foreign key into place makes libvirtd refuse to start with
// GnuTLS's "do not match".
func TestForcedMismatchedKeyStopsLibvirtd(t *testing.T) {
	libvirttest.Require(t, "libvirtd")
	installRequireRoot(t)
	src, _ := installIssued(t)
	other, _ := installIssued(t)
	root := t.TempDir()
	args := []string{"install", "--root", root, "--role", "ca,server", "--from", src, "--key", filepath.Join(other, "serverkey.pem")}
	cmd := exec.Command(Bin(), args...)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 || !strings.Contains(string(out), "is not the key of") {
		t.Fatalf("mismatched key not refused: %v\n%s", err, out)
	}
	installRun(t, nil, append(args, "--force")...)
	sys := layout.NewSystem(root)
	p := func(r layout.Role) string { f, _ := sys.File(r); return f.Path }
	_, err = libvirttest.Launch(libvirttest.Config{CAFile: p(layout.CACert), CertFile: p(layout.ServerCert), KeyFile: p(layout.ServerKey)}, t.TempDir())
	var se *libvirttest.StartupError
	if !errors.As(err, &se) || !strings.Contains(se.Error(), "do not match") {
		t.Fatalf("libvirtd with a forced foreign key: %v", err)
	}
}

// TestInstallAsUnprivilegedUser runs the install as an unprivileged user:
// into a root-owned directory it fails with one line, exit 1, nothing
// written; into its own home it installs the user layout it will use.
func TestInstallAsUnprivilegedUser(t *testing.T) {
	installRequireRoot(t)
	src, dn := installIssued(t)
	for _, f := range []string{"cacert.pem", "clientcert.pem", "clientkey.pem"} {
		os.Chmod(filepath.Join(src, f), 0o644)
	}
	os.Chmod(src, 0o755)
	binDir, err := os.MkdirTemp("", "virt-pki-nobody-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(binDir)
	os.Chmod(binDir, 0o755)
	bin := filepath.Join(binDir, "virt-pki")
	pkitest.CopyFile(t, BuiltBin(t), bin, 0o755)
	target, err := os.MkdirTemp("", "virt-pki-rootonly-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(target)
	os.Chmod(target, 0o755)
	parent := filepath.Dir(src)
	for p := src; p != "/" && p != parent; p = filepath.Dir(p) {
		os.Chmod(p, 0o755)
	}
	os.Chmod(parent, 0o755)

	cmd := exec.Command(bin, "install", "--pkipath", filepath.Join(target, "pki"), "--role", "ca,client", "--from", src)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	cmd.Env = []string{"HOME=/nonexistent", "NO_COLOR=1", "PATH=/usr/bin:/bin"}
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("exit: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	want := "virt-pki: cannot write in " + target + ": permission denied\n"
	if stderr.String() != want {
		t.Errorf("stderr %q, want %q", stderr.String(), want)
	}
	if ents, _ := os.ReadDir(target); len(ents) != 0 {
		t.Errorf("something was written: %v", ents)
	}

	// The same user installs into its own home: the files are its own,
	// and the output says which files its virsh will use.
	home, err := os.MkdirTemp("", "virt-pki-home-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(home)
	os.Chown(home, 65534, 65534)
	cmd = exec.Command(bin, "install", "--role", "ca,client", "--from", src)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	cmd.Env = []string{"HOME=" + home, "NO_COLOR=1", "PATH=/usr/bin:/bin"}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("user install as uid 65534: %v\n%s", err, out)
	}
	user := layout.NewUser(home, 65534, 65534)
	installCheckModes(t, user, layout.CACert, layout.ClientCert, layout.ClientKey)
	name := layout.UserName(65534)
	for _, want := range []string{
		"virsh as " + name + " will use CA " + filepath.Join(user.Base, "cacert.pem"),
		"virsh as " + name + " will use client certificate " + filepath.Join(user.Base, "clientcert.pem") + " and key " + filepath.Join(user.Base, "clientkey.pem"),
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	// virsh run as that user, WITHOUT pkipath, finds the installed files
	// in ~/.pki/libvirt and connects.
	if _, err := exec.LookPath("virsh"); err != nil {
		t.Skip("virsh is not installed")
	}
	libvirttest.Require(t, "libvirtd")
	d := libvirttest.Start(t, libvirttest.Config{CAFile: filepath.Join(src, "cacert.pem"),
		CertFile: filepath.Join(src, "servercert.pem"), KeyFile: filepath.Join(src, "serverkey.pem"), AllowedDN: []string{dn}})
	virsh := exec.Command("virsh", "-c", d.URI("localhost", ""), "list")
	virsh.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	virsh.Env = []string{"HOME=" + home, "PATH=/usr/bin:/bin"}
	if out, err := virsh.CombinedOutput(); err != nil || !strings.Contains(string(out), "test") {
		t.Fatalf("virsh as uid 65534 without pkipath: %v\n%s\ndaemon log:\n%s", err, out, d.Log())
	}
}

// TestInstallCatchesSIGTERM checks that the command handles SIGTERM instead
// of dying. The test-only pause hook (install.PauseEnv) stops the install
// at its "write journal" step, with every file staged as a temporary file:
// opening the FIFO for writing returns once the install is there (past its
// signal set-up). The signal arrives then; writing "interrupted" makes the
// hook wait until the install has seen it. The install must remove its
// temporary files, say so, and exit 1 — not die of the signal.
// (install's TestSignalAtEveryStep interrupts every step of the writing.)
func TestInstallCatchesSIGTERM(t *testing.T) {
	installRequireRoot(t)
	dir, _ := installIssued(t)
	root := t.TempDir()
	fifo := filepath.Join(t.TempDir(), "pause")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(BuiltBin(t), "install", "--root", root, "--role", "ca,server", "--from", dir)
	cmd.Env = append(os.Environ(), "NO_COLOR=1", install.PauseEnv+"=write journal="+fifo)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Opening the FIFO for writing returns once the install paused; if the
	// install ends without pausing, say so instead of blocking forever.
	opened := make(chan *os.File, 1)
	go func() {
		w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			w = nil
		}
		opened <- w
	}()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	var w *os.File
	select {
	case w = <-opened:
	case err := <-exited:
		if r, oerr := os.OpenFile(fifo, os.O_RDONLY|syscall.O_NONBLOCK, 0); oerr == nil {
			defer r.Close() // lets the opener goroutine finish
		}
		t.Fatalf("the install ended (%v) without pausing at its journal step; stderr %q, stdout %q", err, stderr.String(), stdout.String())
	}
	if w == nil {
		t.Fatal("cannot open the pause FIFO")
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("interrupted\n"))
	w.Close()
	err := <-exited
	ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if ws.Signaled() {
		t.Fatalf("virt-pki died of %v instead of handling it", ws.Signal())
	}
	if ws.ExitStatus() != 1 || !strings.Contains(stderr.String(), "interrupted by a signal") {
		t.Fatalf("exit %d (%v), stderr %q, stdout %q", ws.ExitStatus(), err, stderr.String(), stdout.String())
	}
	if !strings.Contains(stdout.String(), "\n  would create  ") || strings.Contains(stdout.String(), "\n  new ") {
		t.Errorf("the plan of an interrupted install reads as done:\n%s", stdout.String())
	}
	var written []string
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			written = append(written, p)
		}
		return nil
	})
	if len(written) != 0 {
		t.Errorf("an interrupted install left files: %v", written)
	}
}

// TestInstallValidateRefuseNamedPipes gives a named pipe without a writer
// wherever a configuration or source file is read. Each command must
// refuse it at once with one line naming it, not block (a blocked install
// catches SIGTERM, so only kill -9 would end it). The deadline turns a
// regression into a failure instead of a hung test run.
func TestInstallValidateRefuseNamedPipes(t *testing.T) {
	dir, _ := installIssued(t)
	work := t.TempDir()
	fifo := filepath.Join(work, "ff")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("cannot create a FIFO: %v", err)
	}
	src := filepath.Join(work, "src")
	os.MkdirAll(src, 0o755)
	for _, name := range []string{"cacert.pem", "servercert.pem"} {
		data, _ := os.ReadFile(filepath.Join(dir, name))
		os.WriteFile(filepath.Join(src, name), data, 0o644)
	}
	if err := syscall.Mkfifo(filepath.Join(src, "serverkey.pem"), 0o600); err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(work, "R")
	notRegular := fifo + ": cannot be read: not a regular file (a named pipe)"
	cases := []struct {
		name   string
		args   []string
		stdout string // a line that must be in stdout ("" for none)
		stderr string // the whole of stderr
	}{
		{"install --libvirtd-conf", []string{"install", "--root", root, "--role", "ca,server", "--from", dir, "--libvirtd-conf", fifo},
			"", "virt-pki: " + notRegular + "\n"},
		{"install --qemu-conf", []string{"install", "--qemu", "--root", root, "--qemu-group", "0", "--role", "ca", "--from", dir, "--qemu-conf", fifo},
			"", "virt-pki: " + notRegular + "\n"},
		{"install source key", []string{"install", "--root", root, "--role", "ca,server", "--from", src},
			"", "virt-pki: " + filepath.Join(src, "serverkey.pem") + ": cannot read the server key: not a regular file (a named pipe)\n"},
		{"validate --libvirtd-conf", []string{"validate", "--root", root, "--hostname", "h", "--libvirtd-conf", fifo, "server"},
			"SERVER: libvirtd.conf " + notRegular + ", so its settings were not audited", ""},
		{"validate --qemu-conf", []string{"validate", "--root", root, "--hostname", "h", "--qemu-group", "0", "--qemu-conf", fifo, "trust"},
			"QEMU: qemu.conf " + notRegular + ", so the QEMU directories it selects were not audited", ""},
		{"probe --libvirtd-conf", []string{"probe", "--libvirtd-conf", fifo, "127.0.0.1"},
			"", "virt-pki: --libvirtd-conf: " + notRegular + "\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, Bin(), c.args...)
			cmd.Env = append(os.Environ(), "NO_COLOR=1")
			var stdout, stderr strings.Builder
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			if ctx.Err() != nil {
				t.Fatalf("virt-pki %s blocked on the named pipe", strings.Join(c.args, " "))
			}
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 1 {
				t.Errorf("exit: %v, want 1", err)
			}
			if c.stdout != "" && !strings.Contains(stdout.String(), c.stdout) {
				t.Errorf("stdout lacks %q:\n%s", c.stdout, stdout.String())
			}
			if c.stderr != stderr.String() {
				t.Errorf("stderr %q, want %q", stderr.String(), c.stderr)
			}
		})
	}
	if _, err := os.Stat(root); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused command created %s", root)
	}
}
