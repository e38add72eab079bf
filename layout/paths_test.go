package layout

import (
	"io/fs"
	"path/filepath"
	"testing"
)

type wantFile struct {
	role     Role
	path     string
	mode     fs.FileMode
	uid, gid int
}

func checkFiles(t *testing.T, l Layout, want []wantFile) {
	t.Helper()
	if len(l.Files) != len(want) {
		t.Fatalf("%s layout has %d files, want %d", l.Kind, len(l.Files), len(want))
	}
	for _, w := range want {
		f, ok := l.File(w.role)
		if !ok {
			t.Errorf("%s layout has no %s file", l.Kind, w.role)
			continue
		}
		if f.Path != w.path || f.Mode != w.mode || f.Owner.UID != w.uid || f.Owner.GID != w.gid {
			t.Errorf("%s %s = %s %o %d:%d, want %s %o %d:%d", l.Kind, w.role, f.Path, f.Mode, f.Owner.UID, f.Owner.GID, w.path, w.mode, w.uid, w.gid)
		}
		if f.Optional != (w.role == CRL || w.role == DHParams) {
			t.Errorf("%s %s optional = %v", l.Kind, w.role, f.Optional)
		}
	}
}

func TestNewSystem(t *testing.T) {
	for _, root := range []string{"", "/", "/img"} {
		p := func(s string) string {
			if root == "/img" {
				return "/img" + s
			}
			return s
		}
		l := NewSystem(root)
		if l.Kind != System || l.Base != p("/etc/pki") {
			t.Errorf("root %q: kind %s base %s", root, l.Kind, l.Base)
		}
		checkFiles(t, l, []wantFile{
			{CACert, p("/etc/pki/CA/cacert.pem"), 0o644, 0, 0},
			{CRL, p("/etc/pki/CA/cacrl.pem"), 0o644, 0, 0},
			{ServerCert, p("/etc/pki/libvirt/servercert.pem"), 0o644, 0, 0},
			{ServerKey, p("/etc/pki/libvirt/private/serverkey.pem"), 0o600, 0, 0},
			{ClientCert, p("/etc/pki/libvirt/clientcert.pem"), 0o644, 0, 0},
			{ClientKey, p("/etc/pki/libvirt/private/clientkey.pem"), 0o644, 0, 0},
		})
		wantDirs := []string{"/etc/pki", "/etc/pki/CA", "/etc/pki/libvirt", "/etc/pki/libvirt/private"}
		if len(l.Dirs) != len(wantDirs) {
			t.Fatalf("dirs %v", l.Dirs)
		}
		for i, d := range l.Dirs {
			if d.Path != p(wantDirs[i]) || d.Mode != 0o755 || d.Owner != RootOwner {
				t.Errorf("dir %d = %+v, want %s 0755 root", i, d, p(wantDirs[i]))
			}
		}
	}
}

func TestNewUserAndPKIPath(t *testing.T) {
	u := NewUser("/home/alice", 1000, 1001)
	base := "/home/alice/.pki/libvirt"
	if u.Kind != User || u.Base != base {
		t.Fatalf("user layout %s %s", u.Kind, u.Base)
	}
	p := NewPKIPath("/srv/pki/", 1000, 1001)
	if p.Kind != PKIPath || p.Base != "/srv/pki" {
		t.Fatalf("pkipath layout %s %s", p.Kind, p.Base)
	}
	for _, l := range []Layout{u, p} {
		checkFiles(t, l, []wantFile{
			{CACert, filepath.Join(l.Base, "cacert.pem"), 0o600, 1000, 1001},
			{CRL, filepath.Join(l.Base, "cacrl.pem"), 0o600, 1000, 1001},
			{ServerCert, filepath.Join(l.Base, "servercert.pem"), 0o600, 1000, 1001},
			{ServerKey, filepath.Join(l.Base, "serverkey.pem"), 0o600, 1000, 1001},
			{ClientCert, filepath.Join(l.Base, "clientcert.pem"), 0o600, 1000, 1001},
			{ClientKey, filepath.Join(l.Base, "clientkey.pem"), 0o600, 1000, 1001},
		})
		if len(l.Dirs) != 1 || l.Dirs[0].Path != l.Base || l.Dirs[0].Mode != 0o700 || l.Dirs[0].Owner.UID != 1000 {
			t.Errorf("%s dirs %+v", l.Kind, l.Dirs)
		}
	}
}

func TestNewQEMU(t *testing.T) {
	for _, dir := range []string{"", "/etc/pki/qemu"} {
		l := NewQEMU(dir, 64055)
		if l.Kind != QEMU || l.Base != "/etc/pki/qemu" {
			t.Fatalf("qemu layout %s %s", l.Kind, l.Base)
		}
		checkFiles(t, l, []wantFile{
			{CACert, "/etc/pki/qemu/ca-cert.pem", 0o644, 0, 0},
			{ServerCert, "/etc/pki/qemu/server-cert.pem", 0o644, 0, 0},
			{ServerKey, "/etc/pki/qemu/server-key.pem", 0o640, 0, 64055},
			{ClientCert, "/etc/pki/qemu/client-cert.pem", 0o644, 0, 0},
			{ClientKey, "/etc/pki/qemu/client-key.pem", 0o640, 0, 64055},
			{DHParams, "/etc/pki/qemu/dh-params.pem", 0o644, 0, 0},
		})
		if _, ok := l.File(CRL); ok {
			t.Error("QEMU layout has a CRL file; QEMU's TLS directory has none")
		}
	}
	l := NewQEMU("/img/etc/pki/libvirt-vnc", 5)
	if f, _ := l.File(ServerKey); f.Path != "/img/etc/pki/libvirt-vnc/server-key.pem" {
		t.Errorf("server key in custom dir: %s", f.Path)
	}
}

func TestUnder(t *testing.T) {
	cases := []struct{ root, path, want string }{
		{"", "/etc/pki", "/etc/pki"},
		{"/", "/etc/pki", "/etc/pki"},
		{"/img", "/etc/pki", "/img/etc/pki"},
		{"/img/", "etc/pki", "/img/etc/pki"},
	}
	for _, c := range cases {
		if got := Under(c.root, c.path); got != c.want {
			t.Errorf("Under(%q, %q) = %q, want %q", c.root, c.path, got, c.want)
		}
	}
}

func TestParseGroupFileAndLookup(t *testing.T) {
	data := "# comment\nroot:x:0:\nkvm:x:108:alice\n\nlibvirt-qemu:x:64055:libvirt-qemu\nkvm:x:999:\n+nis\n"
	g, err := ParseGroupFile("group", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if g["kvm"] != 108 || g["libvirt-qemu"] != 64055 || g["root"] != 0 {
		t.Errorf("groups %v", g)
	}
	if _, err := ParseGroupFile("group", []byte("ok:x:1:\nbad:x:notanumber:\n")); err == nil || err.Error() != `group:2: invalid GID "notanumber"` {
		t.Errorf("bad GID error = %v", err)
	}
	if _, err := ParseGroupFile("group", []byte("short\n")); err == nil || err.Error() != "group:1: expected name:password:GID:members" {
		t.Errorf("short line error = %v", err)
	}

	root := t.TempDir()
	writeTestFile(t, filepath.Join(root, "etc/group"), "root:x:0:\nqemu:x:107:\nkvm:x:36:\n")
	name, gid, err := LookupQEMUGroup(root, "")
	if err != nil || name != "qemu" || gid != 107 {
		t.Errorf("LookupQEMUGroup = %s %d %v, want qemu 107", name, gid, err)
	}
	if name, gid, err := LookupQEMUGroup(root, "kvm"); err != nil || name != "kvm" || gid != 36 {
		t.Errorf("configured kvm = %s %d %v", name, gid, err)
	}
	if _, gid, err := LookupQEMUGroup(root, "+77"); err != nil || gid != 77 {
		t.Errorf("configured +77 = %d %v", gid, err)
	}
	if _, _, err := LookupQEMUGroup(root, "nosuch"); err == nil {
		t.Error("unknown configured group accepted")
	}
	empty := t.TempDir()
	writeTestFile(t, filepath.Join(empty, "etc/group"), "root:x:0:\n")
	if _, _, err := LookupQEMUGroup(empty, ""); err == nil {
		t.Error("no QEMU group, but lookup succeeded")
	}
}

func FuzzParseGroupFile(f *testing.F) {
	f.Add([]byte("root:x:0:\nkvm:x:108:alice,bob\n"))
	f.Add([]byte("# c\n+nis\nbad\n"))
	f.Add([]byte("a:x:99999999999999:\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		g, err := ParseGroupFile("group", data)
		if err != nil {
			return
		}
		for name, gid := range g {
			if name == "" || gid < 0 {
				t.Fatalf("bad entry %q %d", name, gid)
			}
		}
	})
}
