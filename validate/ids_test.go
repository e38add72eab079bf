package validate

import (
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/virt-pki/virt-pki/internal/pkitest"
)

// richRoot is a system layout with most of what the audit reports several
// times: two CAs and two CRLs in their files, a libvirtd.conf with a long
// tls_allowed_dn_list, a qemu.conf that selects several directories (two
// settings naming the same missing one), and QEMU directories that share
// a base name.
func richRoot(t *testing.T) (root string, opts Options) {
	t.Helper()
	p := newPKI(t)
	root = writeSystem(t, p)
	other := pkitest.CA(t, "Other CA")
	writePEMs(t, filepath.Join(root, "etc/pki/CA/cacert.pem"), p.ca.Cert, other.Cert)
	var crls []byte
	for _, ca := range []*pkitest.Cert{p.ca, other} {
		der, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{Number: big.NewInt(1), ThisUpdate: yearAgo, NextUpdate: yearAgo}, ca.Cert, ca.Key)
		if err != nil {
			t.Fatal(err)
		}
		crls = append(crls, pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der})...)
	}
	pkitest.WriteFile(t, root, "etc/pki/CA/cacrl.pem", crls, 0o644)
	pkitest.WriteFile(t, root, "etc/libvirt/libvirtd.conf", []byte(`listen_tls = 0
crl_file = "cacrl.pem"
tls_no_sanity_certificate = 1
tls_allowed_dn_list = ["CN=client1,O=Test Org,C=GB", "C=GB, O=Test Org, CN=client1", "CN=client1", "C=GB,O=Test Org,CN=client1"]
`), 0o644)
	pkitest.WriteFile(t, root, "etc/libvirt/qemu.conf", []byte(`default_tls_x509_cert_dir = "/etc/pki/gone"
vnc_tls_x509_cert_dir = "/etc/pki/vnc"
spice_tls_x509_cert_dir = "/etc/pki/missing"
chardev_tls_x509_cert_dir = "/etc/pki/missing"
migrate_tls_x509_cert_dir = "/srv/qemu"
`), 0o644)
	for _, d := range []string{"etc/pki/vnc", "etc/pki/qemu", "srv/qemu", "opt/qemu"} {
		dir := filepath.Join(root, d)
		os.MkdirAll(dir, 0o755)
		pkitest.WriteFile(t, dir, "ca-cert.pem", p.ca.CertPEM(), 0o644)
		pkitest.WriteFile(t, dir, "server-cert.pem", p.server.CertPEM(), 0o644)
		pkitest.WriteFile(t, dir, "server-key.pem", p.server.KeyPEM(t), 0o640)
	}
	pkitest.WriteFile(t, root, "opt/qemu/cacert.pem", p.ca.CertPEM(), 0o644)
	os.Remove(filepath.Join(root, "opt/qemu/ca-cert.pem"))
	opts = Options{Root: root, LibvirtdConf: filepath.Join(root, "etc/libvirt/libvirtd.conf"), LibvirtVersion: "9.0.0",
		Hostnames: []string{"host.example", "HOST.example", "localhost", "127.0.0.1", "other.example"}, HostnamesGiven: true,
		QEMUFromConf: true, QEMUDirs: []string{filepath.Join(root, "etc/pki/qemu"), filepath.Join(root, "opt/qemu")},
		QEMUGroup: "qemu-test", QEMUGID: 4242}
	return root, opts
}

// Ids are stable keys for pipelines: no two findings of one run share one.
func TestIDsAreUniqueInARichRun(t *testing.T) {
	_, opts := richRoot(t)
	l := Run(opts)
	byID(t, l)
	qemuDirs := map[string]bool{}
	for _, f := range l {
		if strings.HasPrefix(f.ID, "qemu[") {
			qemuDirs[f.ID[:strings.IndexByte(f.ID, ']')+1]] = true
		}
	}
	if len(qemuDirs) < 5 {
		t.Errorf("the fixture should audit at least 5 QEMU directories, got %v:\n%s", qemuDirs, dump(l))
	}
	for _, scope := range []Scope{Trust, Server, Client} {
		o := opts
		o.Scopes = []Scope{scope}
		byID(t, Run(o))
	}
}

// A directory qemu.conf names twice and that does not exist is one FAIL,
// naming both settings, and not also a directory finding.
func TestQEMUConfMissingDirIsOneFinding(t *testing.T) {
	root, opts := richRoot(t)
	l := Run(opts)
	missing := filepath.Join(root, "etc/pki/missing")
	n := 0
	for _, f := range l {
		if f.Path == missing {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d findings about %s, want 1:\n%s", n, missing, dump(l))
	}
	f := want(t, l, "qemu[missing].conf.cert-dir-missing", "FAIL", "spice_tls_x509_cert_dir and chardev_tls_x509_cert_dir")
	wantPureCommand(t, f)
	want(t, l, "qemu[gone].conf.cert-dir-missing", "FAIL", "default_tls_x509_cert_dir")
	want(t, l, "qemu[/srv/qemu].server.key.match", "PASS")
	want(t, l, "qemu[/opt/qemu].ca-cert.pem.access", "FAIL", "dashed names")
}
