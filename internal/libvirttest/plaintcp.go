package libvirttest

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// StartPlainTCP launches libvirtd with only its unencrypted TCP listener
// (listen_tcp = 1, auth_tcp = "none", no TLS) on a free loopback port, for
// tests of clients that speak TLS to the plain port. Port is that TCP
// port. (Config.Extra cannot turn the TCP listener on for Start: virConf
// keeps the first of repeated settings, and Start writes listen_tcp = 0.)
func StartPlainTCP(t testing.TB) *Daemon {
	t.Helper()
	Require(t, "libvirtd")
	dir := t.TempDir()
	port, err := FreePort()
	if err != nil {
		t.Fatal(err)
	}
	d := &Daemon{Port: port, Dir: dir, done: make(chan struct{})}
	for _, sub := range []string{"drivers", "sock", "run"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	d.LogPath = filepath.Join(dir, "libvirtd.log")
	d.Config = filepath.Join(dir, "libvirtd.conf")
	conf := fmt.Sprintf("listen_tls = 0\nlisten_tcp = 1\nlisten_addr = \"127.0.0.1\"\ntcp_port = \"%d\"\n"+
		"auth_tcp = \"none\"\nunix_sock_dir = %q\nlog_outputs = \"3:file:%s\"\n", port, filepath.Join(dir, "sock"), d.LogPath)
	if err := os.WriteFile(d.Config, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(libvirtdPath(), "--listen", "-p", filepath.Join(dir, "run", "libvirtd.pid"), "-f", d.Config)
	cmd.Env = append(os.Environ(), "LIBVIRT_DRIVER_DIR="+filepath.Join(dir, "drivers"))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	d.cmd = cmd
	go func() { d.waitErr = cmd.Wait(); close(d.done) }()
	t.Cleanup(d.Stop)
	deadline := time.Now().Add(20 * time.Second)
	for {
		if c, err := net.DialTimeout("tcp", d.Addr(), 200*time.Millisecond); err == nil {
			c.Close()
			return d
		}
		select {
		case <-d.done:
			t.Fatalf("libvirtd (plain TCP) exited before listening: %v\n%s%s", d.waitErr, d.Log(), out.String())
		case <-time.After(20 * time.Millisecond): // retry interval of the readiness poll
		}
		if time.Now().After(deadline) {
			t.Fatalf("libvirtd (plain TCP) did not listen on %s within 20s:\n%s", d.Addr(), d.Log())
		}
	}
}
