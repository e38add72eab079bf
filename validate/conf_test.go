package validate

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/virt-pki/virt-pki/finding"
	"github.com/virt-pki/virt-pki/internal/pkitest"
)

// Without libvirtd.conf libvirtd runs on its defaults: one SKIP says
// which, and nothing is reported about settings of a file that is not
// there.
func TestMissingDefaultLibvirtdConf(t *testing.T) {
	root := writeSystem(t, newPKI(t))
	conf := filepath.Join(root, "etc/libvirt/libvirtd.conf")
	for _, optional := range []bool{true, false} {
		l := Run(Options{Root: root, LibvirtdConf: conf, LibvirtdConfOptional: optional, LibvirtVersion: "9.0.0", Scopes: []Scope{Server}})
		want(t, l, "server.conf.read", finding.Skip, "no libvirtd.conf at "+conf, "libvirtd defaults apply", "--listen", "any client with a certificate from the CA")
		for _, f := range l {
			if f.Path == conf && f.ID != "server.conf.read" {
				t.Errorf("finding about the missing %s: %s %s", conf, f.ID, f.Message)
			}
		}
	}
}

// A libvirtd.conf named explicitly that does not exist: the finding says
// so and names the command that audits the right file.
func TestMissingGivenLibvirtdConf(t *testing.T) {
	root := writeSystem(t, newPKI(t))
	conf := filepath.Join(t.TempDir(), "nonexist.conf")
	l := Run(Options{Root: root, LibvirtdConf: conf, LibvirtVersion: "9.0.0", Scopes: []Scope{Server}})
	f := want(t, l, "server.conf.read", finding.Fail, conf+" does not exist", "virt-pki validate --libvirtd-conf "+filepath.Join(root, "etc/libvirt/libvirtd.conf"))
	if strings.Contains(f.Fix, "line") {
		t.Errorf("the fix talks about a line of a file that does not exist: %q", f.Fix)
	}
	wantPureCommand(t, f)
}

func TestLibvirtdConfSyntaxErrorFixOpensTheLine(t *testing.T) {
	root := writeSystem(t, newPKI(t))
	conf := pkitest.WriteFile(t, root, "etc/libvirt/libvirtd.conf", []byte("# ok\nlisten_tls = = 1\n"), 0o644)
	f := want(t, Run(Options{Root: root, LibvirtdConf: conf, LibvirtVersion: "9.0.0", Scopes: []Scope{Server}}), "server.conf.read", finding.Fail, "libvirtd.conf:2")
	if f.Fix != "${EDITOR:-vi} +2 "+conf {
		t.Errorf("fix %q does not open line 2 of %s", f.Fix, conf)
	}
}

// libvirtd.conf findings libvirt's own tools miss.
func TestLibvirtdConfTraps(t *testing.T) {
	p := newPKI(t)
	cases := []struct {
		name, conf, id string
		st             finding.Status
		text           []string
	}{
		{"match-all ACL", `tls_allowed_dn_list = ["*"]` + "\n", "server.conf.acl", finding.Warn,
			[]string{"filters nothing", `tls_allowed_dn_list = ["C=GB,O=Test Org,CN=client1"]`}},
		{"match-all ACL among others", `tls_allowed_dn_list = ["C=GB,O=Test Org,CN=admin", "**"]` + "\n", "server.conf.acl", finding.Warn,
			[]string{"filters nothing", `tls_allowed_dn_list = ["C=GB,O=Test Org,CN=admin"]`}},
		{"relative ca_file", "ca_file = \"pki/ca.pem\"\ncert_file = \"/etc/pki/libvirt/servercert.pem\"\nkey_file = \"/etc/pki/libvirt/private/serverkey.pem\"\n",
			"server.conf.relative-ca-file", finding.Warn, []string{"working directory", `ca_file = "/pki/ca.pem"`}},
		{"relative key_file", "ca_file = \"/etc/pki/CA/cacert.pem\"\ncert_file = \"/etc/pki/libvirt/servercert.pem\"\nkey_file = \"./key.pem\"\n",
			"server.conf.relative-key-file", finding.Warn, []string{`key_file = "/key.pem"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := writeSystem(t, p)
			conf := pkitest.WriteFile(t, root, "etc/libvirt/libvirtd.conf", []byte(c.conf), 0o644)
			l := Run(Options{Root: root, LibvirtdConf: conf, LibvirtVersion: "9.0.0", Hostnames: []string{"localhost"}})
			want(t, l, c.id, c.st, c.text...)
		})
	}
}

// The corrected tls_allowed_dn_list names each DN once, even when the
// fixed entry is already in the list.
func TestACLFixListsEachDNOnce(t *testing.T) {
	root := writeSystem(t, newPKI(t))
	conf := pkitest.WriteFile(t, root, "etc/libvirt/libvirtd.conf",
		[]byte(`tls_allowed_dn_list = ["CN=client1,O=Test Org,C=GB", "C=GB,O=Test Org,CN=client1"]`+"\n"), 0o644)
	f := want(t, Run(Options{Root: root, LibvirtdConf: conf, LibvirtVersion: "9.0.0", Scopes: []Scope{Server}}), "server.conf.acl[1]", finding.Warn)
	if wantFix := "in " + conf + ` write: tls_allowed_dn_list = ["C=GB,O=Test Org,CN=client1"]`; f.Fix != wantFix {
		t.Errorf("fix %q, want %q", f.Fix, wantFix)
	}
}

// A server-only audit of a QEMU directory leaves out QEMU's client files.
func TestQEMUFollowsTheScope(t *testing.T) {
	p := newPKI(t)
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	pkitest.WriteFile(t, dir, "ca-cert.pem", p.ca.CertPEM(), 0o644)
	pkitest.WriteFile(t, dir, "server-cert.pem", p.server.CertPEM(), 0o644)
	pkitest.WriteFile(t, dir, "server-key.pem", p.server.KeyPEM(t), 0o640)
	base := "qemu[" + filepath.Base(dir) + "]"
	o := pathOpts(writePKIPath(t, p), Server)
	o.QEMUDirs, o.QEMUGroup, o.QEMUGID = []string{dir}, "root", 0
	l := Run(o)
	want(t, l, base+".server.key.match", finding.Pass)
	for _, f := range l {
		if strings.Contains(f.ID, "client") {
			t.Errorf("server-only audit reported %s: %s", f.ID, f.Message)
		}
	}
	o.Scopes = nil
	want(t, Run(o), base+".client-cert.pem.access", finding.Warn, "migration source")
}
