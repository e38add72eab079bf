// Package libvirttest runs a real libvirtd with TLS (no systemd, loopback
// only, the test driver) and real virsh for tests that compare virt-pki's
// verdicts with libvirt's. Tests skip, naming the missing binary, only where
// libvirtd or virsh is not installed; CI installs both, so CI never skips.
package libvirttest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/virt-pki/virt-pki/layout"
)

// Config describes one daemon. CAFile, CertFile and KeyFile are written to
// libvirtd.conf as ca_file, cert_file and key_file when set (libvirt wants
// all three or none); CRLFile as crl_file.
type Config struct {
	CAFile, CertFile, KeyFile, CRLFile string
	// AllowedDN, when non-nil, becomes tls_allowed_dn_list (an empty
	// non-nil slice writes an empty list, which denies everyone).
	AllowedDN []string
	// Extra lines appended verbatim to libvirtd.conf.
	Extra string
	// Env adds variables to the daemon's environment (for example HOME).
	Env []string
}

// Daemon is a running libvirtd.
type Daemon struct {
	Port    int
	Dir     string // scratch directory holding the config, sockets and log
	Config  string // path of the libvirtd.conf written
	LogPath string
	cmd     *exec.Cmd
	done    chan struct{}
	waitErr error
}

// Require skips t when any of the named binaries is absent.
func Require(t testing.TB, bins ...string) {
	t.Helper()
	for _, b := range bins {
		if _, err := exec.LookPath(b); err != nil {
			if _, err2 := os.Stat(filepath.Join("/usr/sbin", b)); err2 == nil {
				continue
			}
			t.Skipf("%s is not installed (apt-get install gnutls-bin libvirt-daemon libvirt-clients)", b)
		}
	}
}

func libvirtdPath() string {
	if p, err := exec.LookPath("libvirtd"); err == nil {
		return p
	}
	return "/usr/sbin/libvirtd"
}

// FreePort returns a loopback TCP port that was free a moment ago.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Start launches libvirtd for t and stops it when t ends. It fails t when
// the daemon does not come up; use Launch to observe start-up failures.
func Start(t testing.TB, cfg Config) *Daemon {
	t.Helper()
	Require(t, "libvirtd")
	d, err := Launch(cfg, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Stop)
	return d
}

// StartupError is returned by Launch when libvirtd exits before listening.
type StartupError struct {
	ExitCode int
	Log      string
}

func (e *StartupError) Error() string {
	return fmt.Sprintf("libvirtd exited with status %d before listening:\n%s", e.ExitCode, e.Log)
}

// Launch starts libvirtd with cfg in dir and waits until its TLS port
// accepts connections or the process exits (a *StartupError). The caller
// must call Stop on success.
func Launch(cfg Config, dir string) (*Daemon, error) {
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	d := &Daemon{Port: port, Dir: dir, done: make(chan struct{})}
	for _, sub := range []string{"drivers", "sock", "run"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return nil, err
		}
	}
	d.LogPath = filepath.Join(dir, "libvirtd.log")
	d.Config = filepath.Join(dir, "libvirtd.conf")
	var b strings.Builder
	fmt.Fprintf(&b, "listen_tls = 1\nlisten_tcp = 0\nlisten_addr = \"127.0.0.1\"\ntls_port = \"%d\"\n", port)
	fmt.Fprintf(&b, "unix_sock_dir = %q\nauth_tls = \"none\"\n", filepath.Join(dir, "sock"))
	fmt.Fprintf(&b, "log_outputs = \"3:file:%s\"\n", d.LogPath)
	for _, kv := range [][2]string{{"ca_file", cfg.CAFile}, {"cert_file", cfg.CertFile}, {"key_file", cfg.KeyFile}, {"crl_file", cfg.CRLFile}} {
		if kv[1] != "" {
			fmt.Fprintf(&b, "%s = %q\n", kv[0], kv[1])
		}
	}
	if cfg.AllowedDN != nil {
		q := make([]string, len(cfg.AllowedDN))
		for i, dn := range cfg.AllowedDN {
			s, err := layout.ConfString(dn)
			if err != nil {
				return nil, err
			}
			q[i] = s
		}
		fmt.Fprintf(&b, "tls_allowed_dn_list = [%s]\n", strings.Join(q, ", "))
	}
	b.WriteString(cfg.Extra)
	b.WriteString("\n")
	if err := os.WriteFile(d.Config, []byte(b.String()), 0o644); err != nil {
		return nil, err
	}
	pidfile := filepath.Join(dir, "run", "libvirtd.pid")
	cmd := exec.Command(libvirtdPath(), "--listen", "-p", pidfile, "-f", d.Config)
	cmd.Env = append(os.Environ(), "LIBVIRT_DRIVER_DIR="+filepath.Join(dir, "drivers"))
	cmd.Env = append(cmd.Env, cfg.Env...)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	d.cmd = cmd
	go func() { d.waitErr = cmd.Wait(); close(d.done) }()

	deadline := time.Now().Add(20 * time.Second)
	for {
		select {
		case <-d.done:
			code := -1
			var ee *exec.ExitError
			if errors.As(d.waitErr, &ee) {
				code = ee.ExitCode()
			}
			return nil, &StartupError{ExitCode: code, Log: d.Log() + stderr.String()}
		default:
		}
		c, err := net.DialTimeout("tcp", d.Addr(), 200*time.Millisecond)
		if err == nil {
			c.Close()
			return d, nil
		}
		if time.Now().After(deadline) {
			d.Stop()
			return nil, fmt.Errorf("libvirtd did not listen on %s within 20s:\n%s", d.Addr(), d.Log())
		}
		select {
		case <-d.done:
		case <-time.After(20 * time.Millisecond): // retry interval of the readiness poll
		}
	}
}

// Addr is the daemon's loopback TLS address.
func (d *Daemon) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(d.Port)) }

// Log returns what the daemon logged so far (warnings and errors).
func (d *Daemon) Log() string {
	b, _ := os.ReadFile(d.LogPath)
	return string(b)
}

// Stop terminates the daemon by its PID and waits for it to exit.
func (d *Daemon) Stop() {
	if d == nil || d.cmd == nil || d.cmd.Process == nil {
		return
	}
	select {
	case <-d.done:
		return
	default:
	}
	d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.done:
	case <-time.After(10 * time.Second):
		d.cmd.Process.Kill()
		<-d.done
	}
}

// URI returns a test-driver TLS URI for host (for example "localhost" or
// "127.0.0.1") at the daemon's port, with pkipath when it is not empty.
func (d *Daemon) URI(host, pkipath string) string {
	u := fmt.Sprintf("test+tls://%s/default", net.JoinHostPort(host, strconv.Itoa(d.Port)))
	if pkipath != "" {
		u += "?pkipath=" + pkipath
	}
	return u
}

// VirshResult is what one virsh run printed.
type VirshResult struct {
	Stdout, Stderr string
	Err            error // nil when virsh exited 0
}

// OK reports whether virsh succeeded.
func (r VirshResult) OK() bool { return r.Err == nil }

// Virsh runs "virsh -c uri list" with extra environment variables and a 30 s
// bound.
func Virsh(uri string, env ...string) VirshResult {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "virsh", "-c", uri, "list")
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	return VirshResult{Stdout: out.String(), Stderr: errb.String(), Err: err}
}
