package validate

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/virt-pki/virt-pki/finding"
)

// Options.QEMUConf replaces the default qemu.conf: the directories it
// selects are audited, the default file is not read.
func TestQEMUConfOption(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "etc/libvirt"), 0o755)
	os.WriteFile(filepath.Join(root, "etc/libvirt/qemu.conf"), []byte("default_tls_x509_cert_dir = \"/from/default\"\n"), 0o644)
	other := filepath.Join(t.TempDir(), "qemu.conf")
	os.WriteFile(other, []byte("default_tls_x509_cert_dir = \"/from/option\"\n"), 0o644)
	opts := Options{Root: root, Mode: SystemMode, Scopes: []Scope{Trust}, QEMUFromConf: true, QEMUConf: other, QEMUGroup: "root"}
	l := Run(opts)
	var paths []string
	for _, f := range l {
		if f.Scope == string(QEMU) {
			paths = append(paths, f.Path)
		}
	}
	joined := strings.Join(paths, "\n")
	if !strings.Contains(joined, filepath.Join(root, "from/option")) || strings.Contains(joined, "from/default") {
		t.Errorf("QEMUConf %s not used for the QEMU directories:\n%s", other, dump(l))
	}

	// An explicit file that is missing or a named pipe is one FAIL naming
	// it, with a fix; the audit does not hang on the pipe.
	fifo := filepath.Join(t.TempDir(), "ff")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for path, msg := range map[string]string{
		filepath.Join(root, "missing.conf"): "no such file or directory",
		fifo:                                "cannot be read: not a regular file (a named pipe)",
	} {
		o := opts
		o.QEMUConf = path
		f := want(t, Run(o), "qemu.conf.read", finding.Fail, path, msg, "--qemu-conf "+filepath.Join(root, "etc/libvirt/qemu.conf"))
		if f.Path != path {
			t.Errorf("qemu.conf.read path %q, want %q", f.Path, path)
		}
	}

	// The default file may be missing (the QEMU driver's defaults apply).
	os.Remove(filepath.Join(root, "etc/libvirt/qemu.conf"))
	o := opts
	o.QEMUConf = ""
	if f, ok := byID(t, Run(o))["qemu.conf.read"]; ok {
		t.Errorf("a missing default qemu.conf gave %s: %s", f.Status, f.Message)
	}
}

// A libvirtd.conf that is a named pipe is a FAIL naming it, not a hang.
func TestLibvirtdConfNamedPipe(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "ff")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	l := Run(Options{Root: root, Mode: SystemMode, Scopes: []Scope{Server}, LibvirtdConf: fifo, Hostnames: []string{"h"}, HostnamesGiven: true})
	want(t, l, "server.conf.read", finding.Fail, fifo+": cannot be read: not a regular file (a named pipe)",
		"--libvirtd-conf "+filepath.Join(root, "etc/libvirt/libvirtd.conf"))
}
