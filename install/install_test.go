package install

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/virt-pki/virt-pki/finding"
	"github.com/virt-pki/virt-pki/internal/atomicfile"
	"github.com/virt-pki/virt-pki/internal/pkitest"
	"github.com/virt-pki/virt-pki/layout"
)

// pkiSet is one issued set in the layout 'virt-pki issue' writes.
type pkiSet struct {
	Dir              string
	CA               *pkitest.Cert
	Server, Client   *pkitest.Cert
	files            map[string][]byte
	serverKeyPEM     []byte
	clientKeyPEM     []byte
	caPEM, srvPEM    []byte
	cliPEM           []byte
	srvPath, keyPath string
}

// newSet issues a server and client certificate from ca (a new CA when
// nil) and writes them to a fresh directory.
func newSet(t *testing.T, ca *pkitest.Cert) *pkiSet {
	t.Helper()
	if ca == nil {
		ca = pkitest.CA(t, "Install Test CA")
	}
	s := &pkiSet{Dir: t.TempDir(), CA: ca}
	s.Server = pkitest.Server(t, ca, "localhost", "localhost", "127.0.0.1")
	s.Client = pkitest.Client(t, ca, pkix.Name{Organization: []string{"Test"}, CommonName: "client1"})
	s.caPEM, s.srvPEM, s.cliPEM = ca.CertPEM(), s.Server.CertPEM(), s.Client.CertPEM()
	s.serverKeyPEM, s.clientKeyPEM = s.Server.KeyPEM(t), s.Client.KeyPEM(t)
	s.files = map[string][]byte{
		"cacert.pem": s.caPEM, "servercert.pem": s.srvPEM, "serverkey.pem": s.serverKeyPEM,
		"clientcert.pem": s.cliPEM, "clientkey.pem": s.clientKeyPEM,
	}
	for name, data := range s.files {
		pkitest.WriteFile(t, s.Dir, name, data, 0o600)
	}
	return s
}

// byRole maps a layout role to the set's content.
func (s *pkiSet) byRole(r layout.Role) []byte {
	switch r {
	case layout.CACert:
		return s.caPEM
	case layout.ServerCert:
		return s.srvPEM
	case layout.ServerKey:
		return s.serverKeyPEM
	case layout.ClientCert:
		return s.cliPEM
	case layout.ClientKey:
		return s.clientKeyPEM
	}
	return nil
}

var allRoles = []Role{RoleCA, RoleServer, RoleClient}

func systemReq(root string, s *pkiSet, roles ...Role) Request {
	if len(roles) == 0 {
		roles = allRoles
	}
	return Request{Roles: roles, Target: Target{Kind: layout.System, Root: root}, Sources: Sources{FromDir: s.Dir}}
}

func mustInstall(t *testing.T, req Request) *Result {
	t.Helper()
	res, err := Install(req, Options{})
	if err != nil {
		var msgs []string
		if res != nil && res.Plan != nil {
			for _, f := range res.Plan.Findings {
				msgs = append(msgs, string(f.Status)+" "+f.ID+": "+f.Message)
			}
		}
		t.Fatalf("install: %v\n%s", err, strings.Join(msgs, "\n"))
	}
	return res
}

func statOwner(t *testing.T, path string) (fs.FileMode, int, int) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	return fi.Mode().Perm(), int(st.Uid), int(st.Gid)
}

// checkInstalled asserts that every file of roles in lay holds s's
// content with the layout's owner and mode.
func checkInstalled(t *testing.T, lay layout.Layout, s *pkiSet, roles ...Role) {
	t.Helper()
	for _, r := range roles {
		for _, fr := range fileRoles(r) {
			f, _ := lay.File(fr)
			got, err := os.ReadFile(f.Path)
			if err != nil {
				t.Fatalf("%s: %v", f.Path, err)
			}
			if !bytes.Equal(got, s.byRole(fr)) {
				t.Errorf("%s does not hold the installed %s", f.Path, fr)
			}
			mode, uid, gid := statOwner(t, f.Path)
			if mode != f.Mode || uid != f.Owner.UID || gid != f.Owner.GID {
				t.Errorf("%s: %04o %d:%d, want %04o %d:%d", f.Path, mode, uid, gid, f.Mode, f.Owner.UID, f.Owner.GID)
			}
		}
	}
}

// leftovers lists temporary files and journals under dir.
func leftovers(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), atomicfile.TempPrefix) || d.Name() == JournalName {
			out = append(out, p)
		}
		return nil
	})
	return out
}

func requireRoot(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("installing root-owned files needs root (CI runs as root)")
	}
}

func TestInstallSystemFreshThenIdempotent(t *testing.T) {
	requireRoot(t)
	root := t.TempDir()
	s := newSet(t, nil)
	res := mustInstall(t, systemReq(root, s))
	if !res.Applied || res.Plan.Changes() != 5 {
		t.Fatalf("applied=%v changes=%d", res.Applied, res.Plan.Changes())
	}
	for _, e := range res.Plan.Entries {
		if e.Status != New {
			t.Errorf("%s: status %s, want new", e.Path, e.Status)
		}
	}
	lay := layout.NewSystem(root)
	checkInstalled(t, lay, s, allRoles...)
	for _, d := range lay.Dirs {
		if mode, uid, _ := statOwner(t, d.Path); mode != 0o755 || uid != 0 {
			t.Errorf("dir %s: %04o uid %d", d.Path, mode, uid)
		}
	}
	if l := leftovers(t, root); len(l) != 0 {
		t.Errorf("leftovers: %v", l)
	}
	if len(res.Plan.Effects) == 0 {
		t.Error("no explanation of what libvirt does with the files")
	}

	again := mustInstall(t, systemReq(root, s))
	if again.Applied || again.Plan.Changes() != 0 {
		t.Fatalf("second install changed something: applied=%v changes=%d", again.Applied, again.Plan.Changes())
	}
	for _, e := range again.Plan.Entries {
		if e.Status != Unchanged {
			t.Errorf("%s: status %s on the second run", e.Path, e.Status)
		}
	}
}

func findingIDs(p *Plan, status finding.Status) []string {
	var ids []string
	for _, f := range p.Findings {
		if f.Status == status {
			ids = append(ids, f.ID)
		}
	}
	return ids
}

func hasID(ids []string, id string) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

func TestInstallRefusals(t *testing.T) {
	requireRoot(t)
	good := newSet(t, nil)
	otherCA := newSet(t, nil)
	cases := []struct {
		name  string
		setup func(t *testing.T, root string) Request
		id    string
	}{
		{"key does not match the certificate", func(t *testing.T, root string) Request {
			r := systemReq(root, good, RoleCA, RoleServer)
			r.Sources.Key = filepath.Join(otherCA.Dir, "serverkey.pem")
			r.Sources.Cert = filepath.Join(good.Dir, "servercert.pem")
			return r
		}, "install-key-mismatch"},
		{"server certificate from another CA than the one being installed", func(t *testing.T, root string) Request {
			r := systemReq(root, good, RoleCA, RoleServer)
			r.Sources.CACert = filepath.Join(otherCA.Dir, "cacert.pem")
			return r
		}, "install-not-issued-by-ca"},
		{"client certificate from another CA than the installed one", func(t *testing.T, root string) Request {
			mustInstall(t, systemReq(root, good, RoleCA))
			return systemReq(root, otherCA, RoleClient)
		}, "install-not-issued-by-ca"},
		{"a different CA at the CA path", func(t *testing.T, root string) Request {
			mustInstall(t, systemReq(root, good, RoleCA))
			return systemReq(root, otherCA, RoleCA)
		}, "install-different-ca"},
		{"a new CA that did not issue the installed server certificate", func(t *testing.T, root string) Request {
			mustInstall(t, systemReq(root, good, RoleCA, RoleServer))
			r := systemReq(root, otherCA, RoleCA)
			r.Backup = true
			return r
		}, "install-orphans-leaf"},
		{"replacing a file without --backup", func(t *testing.T, root string) Request {
			mustInstall(t, systemReq(root, good, RoleCA, RoleServer))
			again := newSet(t, good.CA)
			return systemReq(root, again, RoleServer)
		}, "install-would-replace"},
		{"a CA certificate that is not a CA", func(t *testing.T, root string) Request {
			r := systemReq(root, good, RoleCA)
			r.Sources.CACert = filepath.Join(good.Dir, "servercert.pem")
			return r
		}, "install-usage-ca-not-ca"},
		{"a client certificate (non-critical clientAuth only) as the server certificate", func(t *testing.T, root string) Request {
			r := systemReq(root, good, RoleCA, RoleServer)
			r.Sources.Cert, r.Sources.Key = filepath.Join(good.Dir, "clientcert.pem"), filepath.Join(good.Dir, "clientkey.pem")
			return r
		}, "install-cert-for-other-role"},
		{"a server certificate as the client certificate", func(t *testing.T, root string) Request {
			r := systemReq(root, good, RoleCA, RoleClient)
			r.Sources.Cert, r.Sources.Key = filepath.Join(good.Dir, "servercert.pem"), filepath.Join(good.Dir, "serverkey.pem")
			return r
		}, "install-cert-for-other-role"},
		{"a leaf with CA:TRUE as server certificate", func(t *testing.T, root string) Request {
			r := systemReq(root, good, RoleServer)
			bad := pkitest.New(t, pkitest.Spec{Subject: pkix.Name{CommonName: "x"}, IsCA: pkitest.Bool(true), BCCrit: true,
				KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment | x509.KeyUsageCertSign, KUCrit: true}, good.CA)
			r.Sources.Cert, r.Sources.Key = bad.WritePair(t, t.TempDir(), "c.pem", "k.pem")
			return r
		}, "install-usage-leaf-is-ca"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			req := tc.setup(t, root)
			before := snapshot(t, root)
			res, err := Install(req, Options{})
			if !errors.Is(err, ErrRefused) {
				t.Fatalf("err = %v, want a refusal", err)
			}
			if ids := findingIDs(res.Plan, finding.Fail); !hasID(ids, tc.id) {
				t.Fatalf("FAIL findings %v, want %s", ids, tc.id)
			}
			if after := snapshot(t, root); !sameSnapshot(before, after) {
				t.Fatalf("a refused install changed the layout")
			}
			req.Force = true
			res, err = Install(req, Options{})
			if err != nil || !res.Applied {
				t.Fatalf("forced install: %v", err)
			}
			if ids := findingIDs(res.Plan, finding.Warn); !hasID(ids, tc.id) {
				t.Errorf("forced install: WARN findings %v, want %s", ids, tc.id)
			}
		})
	}
}

func TestCertificateForAnotherRoleNamesItAndTheFix(t *testing.T) {
	requireRoot(t)
	s := newSet(t, nil)
	req := systemReq(t.TempDir(), s, RoleCA, RoleServer)
	req.Sources.Cert, req.Sources.Key = filepath.Join(s.Dir, "clientcert.pem"), filepath.Join(s.Dir, "clientkey.pem")
	res, err := Install(req, Options{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range res.Plan.Findings {
		if f.ID == "install-cert-for-other-role" {
			if f.Status != finding.Fail || !strings.Contains(f.Message, "is a client certificate (key purposes: TLS WWW Client), not a server certificate") ||
				!strings.Contains(f.Fix, "virt-pki issue server") || !strings.Contains(f.Fix, "--role client") {
				t.Errorf("finding: %+v", f)
			}
			if hasID(findingIDs(res.Plan, finding.Warn), "install-usage-"+"eku-no-server") {
				t.Error("the same problem is also reported as a warning")
			}
			return
		}
	}
	t.Fatalf("no install-cert-for-other-role finding: %+v", res.Plan.Findings)
}

func TestDifferentCANamesSubjectAndFingerprint(t *testing.T) {
	requireRoot(t)
	root := t.TempDir()
	a, b := newSet(t, nil), newSet(t, nil)
	mustInstall(t, systemReq(root, a, RoleCA))
	res, _ := Install(systemReq(root, b, RoleCA), Options{})
	for _, f := range res.Plan.Findings {
		if f.ID == "install-different-ca" {
			if !strings.Contains(f.Message, Fingerprint(a.CA.Cert)) || !strings.Contains(f.Message, "Install Test CA") {
				t.Errorf("message lacks the old CA's subject or fingerprint: %s", f.Message)
			}
			return
		}
	}
	t.Fatal("no install-different-ca finding")
}

func TestBackupAndPermissions(t *testing.T) {
	requireRoot(t)
	root := t.TempDir()
	a := newSet(t, nil)
	mustInstall(t, systemReq(root, a))
	lay := layout.NewSystem(root)

	// A wrong mode on identical content is corrected without --force.
	ca, _ := lay.File(layout.CACert)
	os.Chmod(ca.Path, 0o600)
	res := mustInstall(t, systemReq(root, a))
	if e := res.Plan.entry(layout.CACert); e.Status != Permissions || e.Was != "0600 root:root" {
		t.Errorf("CA entry %s (was %q), want permissions", e.Status, e.Was)
	}
	checkInstalled(t, lay, a, allRoles...)

	// A renewal from the same CA with --backup keeps the old files.
	b := newSet(t, a.CA)
	req := systemReq(root, b, RoleServer, RoleClient)
	req.Backup = true
	res = mustInstall(t, req)
	checkInstalled(t, lay, b, RoleServer, RoleClient)
	for _, e := range res.Plan.Entries {
		if e.Status != Replaced || e.Backup == "" {
			t.Fatalf("%s: %s backup %q", e.Path, e.Status, e.Backup)
		}
		old, err := os.ReadFile(e.Backup)
		if err != nil || !bytes.Equal(old, a.byRole(e.Role)) {
			t.Errorf("backup %s does not hold the old %s: %v", e.Backup, e.Role, err)
		}
		if mode, _, _ := statOwner(t, e.Backup); mode != e.Mode {
			t.Errorf("backup %s has mode %04o, want the old file's %04o", e.Backup, mode, e.Mode)
		}
	}
	if l := leftovers(t, root); len(l) != 0 {
		t.Errorf("leftovers: %v", l)
	}
}

func TestInstallBadInput(t *testing.T) {
	requireRoot(t)
	s := newSet(t, nil)
	cases := []struct {
		name  string
		setup func(t *testing.T, root string) Request
		want  string
	}{
		{"missing source", func(t *testing.T, root string) Request {
			r := systemReq(root, s, RoleCA)
			r.Sources.CACert = filepath.Join(root, "nope.pem")
			return r
		}, "nope.pem: cannot read the CA certificate: no such file or directory"},
		{"source is a directory", func(t *testing.T, root string) Request {
			r := systemReq(root, s, RoleCA)
			r.Sources.CACert = t.TempDir()
			return r
		}, "is a directory, expected the CA certificate file"},
		{"target is a directory", func(t *testing.T, root string) Request {
			os.MkdirAll(filepath.Join(root, "etc/pki/CA/cacert.pem"), 0o755)
			return systemReq(root, s, RoleCA)
		}, "cacert.pem: is a directory where the CA certificate belongs"},
		{"symlink out of the layout", func(t *testing.T, root string) Request {
			os.MkdirAll(filepath.Join(root, "etc/pki/CA"), 0o755)
			outside := pkitest.WriteFile(t, t.TempDir(), "elsewhere.pem", s.caPEM, 0o644)
			os.Symlink(outside, filepath.Join(root, "etc/pki/CA/cacert.pem"))
			return systemReq(root, s, RoleCA)
		}, "outside the layout"},
		{"parent is a file", func(t *testing.T, root string) Request {
			os.MkdirAll(filepath.Join(root, "etc/pki"), 0o755)
			os.WriteFile(filepath.Join(root, "etc/pki/CA"), nil, 0o644)
			return systemReq(root, s, RoleCA)
		}, "is not a directory"},
		{"a key where the certificate belongs", func(t *testing.T, root string) Request {
			r := systemReq(root, s, RoleServer)
			r.Sources.Cert = filepath.Join(s.Dir, "serverkey.pem")
			return r
		}, "serverkey.pem: not usable as the server certificate: holds a private key, not a certificate"},
		{"a certificate file that also holds its key", func(t *testing.T, root string) Request {
			cert, _ := os.ReadFile(filepath.Join(s.Dir, "servercert.pem"))
			key, _ := os.ReadFile(filepath.Join(s.Dir, "serverkey.pem"))
			r := systemReq(root, s, RoleServer)
			r.Sources.Cert = pkitest.WriteFile(t, t.TempDir(), "combined.pem", append(cert, key...), 0o600)
			return r
		}, "combined.pem: not usable as the server certificate: holds a private key (line "},
		{"a certificate where the key belongs", func(t *testing.T, root string) Request {
			r := systemReq(root, s, RoleClient)
			r.Sources.Key = filepath.Join(s.Dir, "clientcert.pem")
			return r
		}, "clientcert.pem: not usable as the client key: this is a certificate, not a private key"},
		{"cert and key for two roles", func(t *testing.T, root string) Request {
			r := systemReq(root, s, RoleServer, RoleClient)
			r.Sources.Cert = filepath.Join(s.Dir, "servercert.pem")
			return r
		}, "both the server and client roles"},
		{"broken all-or-none rule in libvirtd.conf", func(t *testing.T, root string) Request {
			conf, _ := layout.ParseLibvirtdConf("/etc/libvirt/libvirtd.conf", []byte("cert_file = \"/srv/c.pem\"\n"))
			r := systemReq(root, s, RoleServer)
			r.Target.LibvirtdConf = conf
			return r
		}, layout.MsgNoCAFile},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			req := tc.setup(t, root)
			before := snapshot(t, root)
			_, err := Install(req, Options{})
			var ie *InputError
			if !errors.As(err, &ie) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want an InputError containing %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
			if !sameSnapshot(before, snapshot(t, root)) {
				t.Error("bad input changed the layout")
			}
		})
	}
	if _, err := ParseRoles([]string{"ca,bogus"}); err == nil || !strings.Contains(err.Error(), `unknown role "bogus"`) {
		t.Errorf("ParseRoles: %v", err)
	}
	if r, err := ParseRoles([]string{"client,ca", "server", "ca"}); err != nil || len(r) != 3 || r[0] != RoleCA || r[2] != RoleClient {
		t.Errorf("ParseRoles order/dedup: %v %v", r, err)
	}
}

func TestWrongDirectoryModeWarns(t *testing.T) {
	requireRoot(t)
	root := t.TempDir()
	s := newSet(t, nil)
	priv := filepath.Join(root, "etc/pki/libvirt/private")
	os.MkdirAll(priv, 0o700)
	os.Chmod(priv, 0o700)
	res, err := Install(systemReq(root, s, RoleServer), Options{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range res.Plan.Findings {
		if f.ID == "install-dir-mode" && f.Path == priv && strings.Contains(f.Message, "is 0700 root:root; libvirt's validator expects 0755 root:root") {
			return
		}
	}
	t.Fatalf("no warning about %s: %+v", priv, res.Plan.Findings)
}

func TestSymlinkInsideLayoutIsReplaced(t *testing.T) {
	requireRoot(t)
	root := t.TempDir()
	s := newSet(t, nil)
	dir := filepath.Join(root, "etc/pki/CA")
	pkitest.WriteFile(t, dir, "real.pem", s.caPEM, 0o644)
	os.Symlink(filepath.Join(dir, "real.pem"), filepath.Join(dir, "cacert.pem"))
	req := systemReq(root, s, RoleCA)
	req.Backup = true
	res := mustInstall(t, req)
	e := res.Plan.entry(layout.CACert)
	if e.Status != Replaced || !strings.HasPrefix(e.Was, "symlink to ") {
		t.Errorf("entry %s %q", e.Status, e.Was)
	}
	if fi, err := os.Lstat(e.Path); err != nil || !fi.Mode().IsRegular() {
		t.Errorf("the CA path is not a regular file after install: %v", err)
	}
	if fi, err := os.Lstat(e.Backup); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("the backup is not the old symlink: %v", err)
	}
}

func TestInstallLibvirtdConfPaths(t *testing.T) {
	requireRoot(t)
	root := t.TempDir()
	s := newSet(t, nil)
	conf, err := layout.ParseLibvirtdConf("/etc/libvirt/libvirtd.conf", []byte(
		"ca_file = \"/srv/tls/ca.pem\"\ncert_file = \"/srv/tls/server.pem\"\nkey_file = \"/srv/tls/private/server.key\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	req := systemReq(root, s, RoleCA, RoleServer)
	req.Target.LibvirtdConf = conf
	res := mustInstall(t, req)
	for path, want := range map[string][]byte{
		"srv/tls/ca.pem": s.caPEM, "srv/tls/server.pem": s.srvPEM, "srv/tls/private/server.key": s.serverKeyPEM,
	} {
		got, err := os.ReadFile(filepath.Join(root, path))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: %v", path, err)
		}
	}
	if mode, _, _ := statOwner(t, filepath.Join(root, "srv/tls/private/server.key")); mode != 0o600 {
		t.Errorf("custom key mode %04o", mode)
	}
	if _, err := os.Stat(filepath.Join(root, "etc/pki/CA/cacert.pem")); err == nil {
		t.Error("the CA went to the default path although ca_file is set")
	}
	if !strings.Contains(strings.Join(res.Plan.Effects, "\n"), "does not re-read custom paths") {
		t.Errorf("effects do not warn about custom paths: %v", res.Plan.Effects)
	}
}

func TestInstallUserLayout(t *testing.T) {
	home := t.TempDir()
	s := newSet(t, nil)
	uid, gid := os.Geteuid(), os.Getegid()
	pkitest.WriteFile(t, home, ".pki/cacert.pem", s.caPEM, 0o600)
	req := Request{Roles: []Role{RoleCA, RoleClient}, Sources: Sources{FromDir: s.Dir}, EUID: 1000,
		Target: Target{Kind: layout.User, Home: home, UID: uid, GID: gid}}
	res := mustInstall(t, req)
	lay := layout.NewUser(home, uid, gid)
	checkInstalled(t, lay, s, RoleCA, RoleClient)
	if mode, _, _ := statOwner(t, lay.Base); mode != 0o700 {
		t.Errorf("%s mode %04o, want 0700", lay.Base, mode)
	}
	if !hasID(findingIDs(res.Plan, finding.Warn), "install-documented-ca-path") {
		t.Error("no warning about ~/.pki/cacert.pem")
	}
	eff := strings.Join(res.Plan.Effects, "\n")
	if !strings.Contains(eff, filepath.Join(lay.Base, "clientcert.pem")) || !strings.Contains(eff, filepath.Join(lay.Base, "cacert.pem")) {
		t.Errorf("effects do not name the user files: %s", eff)
	}
	// libvirt, as a non-root user, picks exactly these files.
	c := layout.ClientCredentials("", "", home, 1000, func(p string) bool { _, err := os.Stat(p); return err == nil })
	if c.CACert != filepath.Join(lay.Base, "cacert.pem") || c.ClientCert != filepath.Join(lay.Base, "clientcert.pem") ||
		c.ClientKey != filepath.Join(lay.Base, "clientkey.pem") || c.NoCertificate {
		t.Errorf("ClientCredentials after a user install: %+v", c)
	}
	// The layout now holds a pair; removing the key makes the next
	// install warn about a half pair.
	os.Remove(filepath.Join(lay.Base, "clientkey.pem"))
	res, err := Install(Request{Roles: []Role{RoleCA}, Sources: Sources{FromDir: s.Dir}, EUID: 1000,
		Target: Target{Kind: layout.User, Home: home, UID: uid, GID: gid}}, Options{DryRun: true})
	if err != nil || !hasID(findingIDs(res.Plan, finding.Warn), "install-half-client-pair") {
		t.Errorf("no half-pair warning: %v %v", err, res.Plan.Findings)
	}
	// As root, the user layout comes with a warning that root ignores it.
	req.EUID = 0
	res, _ = Install(req, Options{DryRun: true})
	if !hasID(findingIDs(res.Plan, finding.Warn), "install-root-user-layout") {
		t.Error("no warning that root ignores ~/.pki/libvirt")
	}
}

func TestInstallQEMULayout(t *testing.T) {
	requireRoot(t)
	root := t.TempDir()
	s := newSet(t, nil)
	req := Request{Roles: allRoles, Sources: Sources{FromDir: s.Dir},
		Target: Target{Kind: layout.QEMU, Root: root, QEMUGID: 4242, QEMUGroup: "qemutest"}}
	res := mustInstall(t, req)
	lay := req.Target.Layout()
	if lay.Base != filepath.Join(root, "etc/pki/qemu") {
		t.Fatalf("base %s", lay.Base)
	}
	checkInstalled(t, lay, s, allRoles...)
	if mode, _, gid := statOwner(t, filepath.Join(lay.Base, "server-key.pem")); mode != 0o640 || gid != 4242 {
		t.Errorf("server-key.pem %04o gid %d", mode, gid)
	}
	if e := res.Plan.entry(layout.ServerKey); e.Owner.Name != "root:qemutest" {
		t.Errorf("owner name %q", e.Owner.Name)
	}
	if !strings.Contains(strings.Join(res.Plan.Effects, "\n"), "vnc") {
		t.Errorf("effects do not say which services read the directory: %v", res.Plan.Effects)
	}
}

// snapshot records every file under dir with its content and mode.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		v := fi.Mode().String()
		if fi.Mode().IsRegular() {
			b, _ := os.ReadFile(p)
			v += " " + string(b)
		}
		out[p] = v
		return nil
	})
	return out
}

func sameSnapshot(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
