package golden

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// qemuTestGroup is a group that exists only in the test root's
// /etc/group, as on an image being built: a fix must not need the
// building host to know it.
const (
	qemuTestGroup = "qemutest"
	qemuTestGID   = 4242
)

// fixHost is a libvirt and QEMU host below a root prefix, built with
// virt-pki itself, and the files a user pasting a fix would fill its
// placeholders with.
type fixHost struct {
	root, work string
	env        []string
}

// vp runs virt-pki (as "virt-pki" on PATH, as a pasted fix would) and
// fails the test when it fails.
func (h fixHost) vp(t *testing.T, args ...string) {
	t.Helper()
	cmd := exec.Command(Bin(), args...)
	cmd.Env = h.env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("virt-pki %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// newFixHost builds a host that validates clean: the system layout, and
// QEMU's default directory readable by qemuTestGroup. Its root has a
// space in its name, so that every path in a fix must be quoted.
func newFixHost(t *testing.T, pki fixPKI) fixHost {
	t.Helper()
	base := t.TempDir()
	h := fixHost{root: filepath.Join(base, "host root"), work: filepath.Join(base, "work")}
	h.env = append(os.Environ(), "PATH="+filepath.Dir(Bin())+string(os.PathListSeparator)+os.Getenv("PATH"), "NO_COLOR=1", "TZ=UTC")
	for _, d := range []string{h.root + "/etc/libvirt", h.work} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.Chmod(base, 0o755)
	os.Chmod(h.root, 0o755)
	if err := os.WriteFile(h.root+"/etc/group", []byte(fmt.Sprintf("root:x:0:\n%s:x:%d:\n", qemuTestGroup, qemuTestGID)), 0o644); err != nil {
		t.Fatal(err)
	}
	h.vp(t, "install", "--role", "ca,server,client", "--from", pki.all, "--system", "--root", h.root)
	h.vp(t, "install", "--role", "ca,server,client", "--from", pki.all, "--qemu=/etc/pki/qemu", "--root", h.root, "--qemu-group", qemuTestGroup)
	return h
}

// fixPKI is a CA and the output of issue for this host.
type fixPKI struct {
	ca, all string
}

func newFixPKI(t *testing.T) fixPKI {
	t.Helper()
	dir := t.TempDir()
	p := fixPKI{ca: filepath.Join(dir, "ca"), all: filepath.Join(dir, "all")}
	run := func(args ...string) {
		if out, err := exec.Command(Bin(), args...).CombinedOutput(); err != nil {
			t.Fatalf("virt-pki %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	run("ca", "init", "--cn", "Fix CA", "--out", p.ca)
	run("issue", "server", "--cn", "localhost", "--dns", "localhost", "--ca-dir", p.ca, "--out", p.all)
	run("issue", "client", "--cn", "client1", "--ca-dir", p.ca, "--out", p.all+"-client")
	for _, n := range []string{"clientcert.pem", "clientkey.pem"} {
		if err := os.Rename(filepath.Join(p.all+"-client", n), filepath.Join(p.all, n)); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(filepath.Join(p.ca, "cacert.pem"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(p.all, "cacert.pem"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

type fixCheck struct {
	ID      string `json:"id"`
	Status  string `json:"status"`
	Message string `json:"message"`
	Fix     string `json:"fix"`
}

// validate audits h and returns its checks by id.
func (h fixHost) validate(t *testing.T) map[string]fixCheck {
	t.Helper()
	cmd := exec.Command(Bin(), "validate", "--root", h.root, "--hostname", "localhost", "--libvirt-version", "9.0.0",
		"--qemu", "--qemu-group", qemuTestGroup, "--format", "json")
	cmd.Env = h.env
	out, err := cmd.Output()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatal(err)
	}
	var rep struct{ Checks []fixCheck }
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("validate JSON: %v\n%s", err, out)
	}
	m := map[string]fixCheck{}
	for _, c := range rep.Checks {
		m[c.ID] = c
	}
	return m
}

// fill replaces a fix's placeholders with what a user would type.
func (h fixHost) fill(fix string, pki fixPKI) string {
	newDir := filepath.Join(h.work, "new")
	return strings.NewReplacer(
		"CACERT.pem", shq(filepath.Join(pki.ca, "cacert.pem")),
		"CERT.pem", shq(filepath.Join(pki.all, "servercert.pem")),
		"KEY.pem", shq(filepath.Join(pki.all, "serverkey.pem")),
		"CA_DIR", shq(pki.ca),
		"NEW_DIR", shq(newDir),
		"--from DIR", "--from "+shq(pki.all),
	).Replace(fix)
}

func shq(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// TestValidateFixesWork breaks a host below --root in one way at a time,
// pastes the fix validate prints into sh (placeholders filled in as a
// user would) and audits again: the finding must be gone or PASS.
func TestValidateFixesWork(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("golden: the system and QEMU layouts must be owned by root; run as root (CI does)")
	}
	pki := newFixPKI(t)
	good := newFixHost(t, pki)
	for id, c := range good.validate(t) {
		if c.Status == "FAIL" || c.Status == "WARN" {
			t.Fatalf("the intact host does not validate clean: %s %s: %s", c.Status, id, c.Message)
		}
	}
	type breakage struct {
		name    string
		id      string // the finding whose fix is run
		breakIt func(h fixHost) error
	}
	rm := func(rel string) func(fixHost) error {
		return func(h fixHost) error { return os.Remove(filepath.Join(h.root, rel)) }
	}
	chmod := func(rel string, m os.FileMode) func(fixHost) error {
		return func(h fixHost) error { return os.Chmod(filepath.Join(h.root, rel), m) }
	}
	chown := func(rel string, uid, gid int) func(fixHost) error {
		return func(h fixHost) error { return os.Chown(filepath.Join(h.root, rel), uid, gid) }
	}
	writeConf := func(text string) func(fixHost) error {
		return func(h fixHost) error {
			return os.WriteFile(filepath.Join(h.root, "etc/libvirt/libvirtd.conf"), []byte(text), 0o644)
		}
	}
	for _, b := range []breakage{
		{"missing CA", "trust.ca.access", rm("etc/pki/CA/cacert.pem")},
		{"missing server certificate", "server.cert.access", rm("etc/pki/libvirt/servercert.pem")},
		{"missing server key", "server.key.access", rm("etc/pki/libvirt/private/serverkey.pem")},
		{"missing client key", "client.key.access", rm("etc/pki/libvirt/private/clientkey.pem")},
		{"server key readable by all", "server.key.access", chmod("etc/pki/libvirt/private/serverkey.pem", 0o644)},
		{"CA writable by all", "trust.ca.access", chmod("etc/pki/CA/cacert.pem", 0o666)},
		{"server certificate owned by a user", "server.cert.access", chown("etc/pki/libvirt/servercert.pem", 1234, 1234)},
		{"key directory missing", "server.key-dir.access", func(h fixHost) error {
			return os.RemoveAll(filepath.Join(h.root, "etc/pki/libvirt/private"))
		}},
		{"missing QEMU server certificate", "qemu[qemu].server-cert.pem.access", rm("etc/pki/qemu/server-cert.pem")},
		{"missing QEMU CA", "qemu[qemu].ca-cert.pem.access", rm("etc/pki/qemu/ca-cert.pem")},
		{"missing QEMU client key", "qemu[qemu].client-key.pem.access", rm("etc/pki/qemu/client-key.pem")},
		{"QEMU key in the wrong group", "qemu[qemu].server-key.pem.qemu-readable", chown("etc/pki/qemu/server-key.pem", 0, 0)},
		{"QEMU key in the wrong group (access)", "qemu[qemu].server-key.pem.access", chown("etc/pki/qemu/server-key.pem", 0, 0)},
		{"QEMU key readable by all", "qemu[qemu].server-key.pem.access", chmod("etc/pki/qemu/server-key.pem", 0o644)},
		{"QEMU directory missing", "qemu[qemu].dir.access", func(h fixHost) error {
			return os.RemoveAll(filepath.Join(h.root, "etc/pki/qemu"))
		}},
		{"server key of another certificate", "server.key.match", func(h fixHost) error {
			return copyFile(filepath.Join(h.root, "etc/pki/libvirt/private/clientkey.pem"), filepath.Join(h.root, "etc/pki/libvirt/private/serverkey.pem"))
		}},
		{"QEMU key of another certificate", "qemu[qemu].server.key.match", func(h fixHost) error {
			return copyFile(filepath.Join(h.root, "etc/pki/qemu/client-key.pem"), filepath.Join(h.root, "etc/pki/qemu/server-key.pem"))
		}},
		{"QEMU certificate under libvirtd's name", "qemu[qemu].server-cert.pem.access", func(h fixHost) error {
			return os.Rename(filepath.Join(h.root, "etc/pki/qemu/server-cert.pem"), filepath.Join(h.root, "etc/pki/qemu/servercert.pem"))
		}},
		{"qemu.conf names a missing directory", "qemu[qemu-other].conf.cert-dir-missing", func(h fixHost) error {
			return os.WriteFile(filepath.Join(h.root, "etc/libvirt/qemu.conf"), []byte(`default_tls_x509_cert_dir = "/etc/pki/qemu-other"`+"\n"), 0o644)
		}},
		{"libvirtd.conf is a named pipe", "server.conf.read", func(h fixHost) error {
			return syscall.Mkfifo(filepath.Join(h.root, "etc/libvirt/libvirtd.conf"), 0o644)
		}},
		{"libvirtd.conf sets a missing cert_file", "server.cert.access", writeConf(`cert_file = "/etc/pki/libvirt/other-cert.pem"` + "\n" +
			`key_file = "/etc/pki/libvirt/private/serverkey.pem"` + "\n" + `ca_file = "/etc/pki/CA/cacert.pem"` + "\n")},
	} {
		t.Run(b.name, func(t *testing.T) {
			h := newFixHost(t, pki)
			if err := b.breakIt(h); err != nil {
				t.Fatal(err)
			}
			before := h.validate(t)
			c, ok := before[b.id]
			if !ok || (c.Status != "FAIL" && c.Status != "WARN") {
				t.Fatalf("breakage not reported as %s: %+v\n%s", b.id, c, failing(before))
			}
			if c.Fix == "" {
				t.Fatalf("%s has no fix: %s", b.id, c.Message)
			}
			fix := h.fill(c.Fix, pki)
			cmd := exec.Command("sh", "-c", fix)
			cmd.Env, cmd.Dir = h.env, h.work     // a wrongly relative path lands in the test's directory
			cmd.Stdin = strings.NewReader("y\n") // rm -i asks
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("the printed fix fails: %s\n%v\n%s", c.Fix, err, out)
			}
			after := h.validate(t)
			if c2, ok := after[b.id]; ok && c2.Status != "PASS" && c2.Status != "SKIP" {
				t.Errorf("after the fix %q, %s is still %s: %s", c.Fix, b.id, c2.Status, c2.Message)
			}
		})
	}
}

// failing lists the WARN and FAIL checks, for messages.
func failing(m map[string]fixCheck) string {
	var b strings.Builder
	for id, c := range m {
		if c.Status == "FAIL" || c.Status == "WARN" {
			fmt.Fprintf(&b, "%s %s: %s\n    fix: %s\n", c.Status, id, c.Message, c.Fix)
		}
	}
	return b.String()
}

// copyFile copies from over to, keeping to's owner and mode.
func copyFile(from, to string) error {
	data, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, data, 0o600)
}
