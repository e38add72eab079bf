package validate

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/virt-pki/virt-pki/finding"
	"github.com/virt-pki/virt-pki/internal/pkitest"
)

func TestGoodPKIPathPasses(t *testing.T) {
	dir := writePKIPath(t, newPKI(t))
	l := Run(pathOpts(dir))
	if w := l.Worst(); w != finding.Pass && w != finding.Skip {
		t.Fatalf("a good pkipath does not pass:\n%s", dump(l))
	}
	byID(t, l)
	for _, id := range []string{"trust.dir.access", "trust.ca.read", "trust.ca.rules", "server.key.match", "server.cert.rules",
		"server.cert.chain", "server.cert.hostname[localhost]", "client.key.match", "client.cert.chain"} {
		want(t, l, id, finding.Pass)
	}
	want(t, l, "trust.crl.access", finding.Skip, "revocation is not checked")
}

func TestScopesLimitTheAudit(t *testing.T) {
	dir := writePKIPath(t, newPKI(t))
	for _, f := range Run(pathOpts(dir, Client)) {
		switch {
		case f.Scope == string(Client):
		case f.Scope == string(Trust) && (strings.HasPrefix(f.ID, "trust.ca.") || strings.HasPrefix(f.ID, "trust.crl.") || f.ID == "trust.dir.access"):
		default:
			t.Errorf("client-only audit reported %s %s", f.Scope, f.ID)
		}
	}
	// Without the trust scope the CA the server checks clients against is
	// still audited, under its own heading (libvirt's trust checks).
	l := Run(pathOpts(dir, Server))
	want(t, l, "trust.ca.rules", finding.Pass)
	for _, f := range l {
		if strings.HasPrefix(f.Message, "CA certificate") && f.Scope != string(Trust) {
			t.Errorf("CA check %s labelled %s, want trust", f.ID, f.Scope)
		}
	}
}

func TestAccessModes(t *testing.T) {
	p := newPKI(t)
	cases := []struct {
		file string
		mode os.FileMode
		id   string
		st   finding.Status
		text string
	}{
		{"serverkey.pem", 0o644, "server.key.access", finding.Fail, "lets other users read the private key"},
		{"serverkey.pem", 0o400, "server.key.access", finding.Pass, "stricter"},
		{"servercert.pem", 0o640, "server.cert.access", finding.Warn, "looser"},
		{"cacert.pem", 0o666, "trust.ca.access", finding.Fail, "write"},
	}
	for _, c := range cases {
		t.Run(c.file+"-"+c.mode.String(), func(t *testing.T) {
			dir := writePKIPath(t, p)
			if err := os.Chmod(filepath.Join(dir, c.file), c.mode); err != nil {
				t.Fatal(err)
			}
			f := want(t, Run(pathOpts(dir)), c.id, c.st, c.text)
			if c.st == finding.Fail && !strings.Contains(f.Fix, "chmod 0600 "+filepath.Join(dir, c.file)) {
				t.Errorf("fix %q does not chmod the file", f.Fix)
			}
		})
	}
	t.Run("dir 0755", func(t *testing.T) {
		dir := writePKIPath(t, p)
		os.Chmod(dir, 0o755)
		want(t, Run(pathOpts(dir)), "trust.dir.access", finding.Warn, "chmod 0700 "+dir)
	})
}

func TestWrongOwnerFails(t *testing.T) {
	requireRoot(t)
	dir := writePKIPath(t, newPKI(t))
	key := filepath.Join(dir, "serverkey.pem")
	if err := os.Chown(key, 1, 1); err != nil {
		t.Fatal(err)
	}
	want(t, Run(pathOpts(dir)), "server.key.access", finding.Fail, "can replace it", "chown root:root "+key)
}

func TestBadInputsAreFindings(t *testing.T) {
	p := newPKI(t)
	big := make([]byte, 70000)
	for i := range big {
		big[i] = 'A'
	}
	cases := []struct {
		name  string
		setup func(t *testing.T, dir string)
		id    string
		text  string
	}{
		{"directory in place of the certificate", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, "servercert.pem"))
			os.Mkdir(filepath.Join(dir, "servercert.pem"), 0o700)
		}, "server.cert.access", "is a directory"},
		{"symbolic link loop", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, "servercert.pem"))
			os.Symlink("loop2", filepath.Join(dir, "servercert.pem"))
			os.Symlink("servercert.pem", filepath.Join(dir, "loop2"))
		}, "server.cert.access", "symbolic link loop"},
		{"garbage certificate", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "servercert.pem"), []byte("hello\x00world"), 0o600)
		}, "server.cert.read", "holds no PEM certificate"},
		{"DER certificate", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "servercert.pem"), p.server.DER, 0o600)
		}, "server.cert.read", "certtool -i --inder"},
		{"key in the certificate file", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "servercert.pem"), p.server.KeyPEM(t), 0o600)
		}, "server.cert.read", "swapped"},
		{"certificate in the key file", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "serverkey.pem"), p.server.CertPEM(), 0o600)
		}, "server.key.read", "virt-pki install --role server --cert CERT.pem --key KEY.pem --pkipath"},
		{"CA file over 64 KiB", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "cacert.pem"), append(p.ca.CertPEM(), big...), 0o600)
		}, "trust.ca.read", "Value too large for defined data type"},
		{"empty CA file", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "cacert.pem"), nil, 0o600)
		}, "trust.ca.read", "holds no PEM certificate"},
		{"truncated PEM", func(t *testing.T, dir string) {
			b := p.server.CertPEM()
			os.WriteFile(filepath.Join(dir, "servercert.pem"), b[:len(b)/2], 0o600)
		}, "server.cert.read", "malformed PEM"},
		{"missing key", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, "serverkey.pem"))
		}, "server.key.access", "virt-pki issue server"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := writePKIPath(t, p)
			c.setup(t, dir)
			want(t, Run(pathOpts(dir)), c.id, finding.Fail, c.text)
		})
	}
	t.Run("certificate and key swapped", func(t *testing.T) {
		dir := writePKIPath(t, p)
		os.WriteFile(filepath.Join(dir, "servercert.pem"), p.server.KeyPEM(t), 0o600)
		os.WriteFile(filepath.Join(dir, "serverkey.pem"), p.server.CertPEM(), 0o600)
		l := Run(pathOpts(dir, Server))
		cert, key := filepath.Join(dir, "servercert.pem"), filepath.Join(dir, "serverkey.pem")
		swap := "mv " + cert + " " + cert + ".swap && mv " + key + " " + cert + " && mv " + cert + ".swap " + key
		f := want(t, l, "server.cert.read", finding.Fail, "swapped")
		if f.Fix != swap {
			t.Errorf("fix %q, want the swap %q", f.Fix, swap)
		}
		// One cause, one fix: the key finding points at the swap.
		want(t, l, "server.key.read", finding.Skip, "server.cert.read")
		n := 0
		for _, f := range l {
			n += strings.Count(f.Fix, swap)
		}
		if n != 1 {
			t.Errorf("the swap fix appears %d times, want once:\n%s", n, dump(l))
		}
		runFix(t, f.Fix)
		want(t, Run(pathOpts(dir, Server)), "server.key.match", finding.Pass)
	})
	t.Run("leaf file over 64 KiB", func(t *testing.T) {
		dir := writePKIPath(t, p)
		cert := filepath.Join(dir, "servercert.pem")
		var data []byte
		for len(data) <= 64*1024 {
			data = append(data, p.server.CertPEM()...)
		}
		os.WriteFile(cert, data, 0o600)
		f := want(t, Run(pathOpts(dir, Server)), "server.cert.read", finding.Fail, "libvirt uses only the first certificate")
		if strings.Contains(f.Fix, "private CA") || strings.Contains(f.Message, "private CA") {
			t.Errorf("a server certificate gets the CA file's fix: %q", f.Fix)
		}
		runFix(t, f.Fix)
		want(t, Run(pathOpts(dir, Server)), "server.cert.read", finding.Pass)
	})
	t.Run("garbage CRL", func(t *testing.T) {
		dir := writePKIPath(t, p)
		os.WriteFile(filepath.Join(dir, "cacrl.pem"), []byte("hello\n"), 0o600)
		want(t, Run(pathOpts(dir)), "trust.crl.read", finding.Fail, "cacrl.pem is not a PEM CRL")
	})
	t.Run("unreadable directory", func(t *testing.T) {
		l := Run(pathOpts(filepath.Join(t.TempDir(), "nope")))
		want(t, l, "trust.dir.access", finding.Fail, "install -d -m 0700")
	})
}

func TestKeyMismatchAndForeignCA(t *testing.T) {
	p := newPKI(t)
	dir := writePKIPath(t, p)
	other := pkitest.Server(t, p.ca, "x", "localhost")
	pkitest.WriteFile(t, dir, "serverkey.pem", other.KeyPEM(t), 0o600)
	otherCA := pkitest.CA(t, "Other CA")
	foreign := pkitest.Client(t, otherCA, pkix.Name{CommonName: "client1"})
	pkitest.WriteFile(t, dir, "clientcert.pem", foreign.CertPEM(), 0o600)
	pkitest.WriteFile(t, dir, "clientkey.pem", foreign.KeyPEM(t), 0o600)
	l := Run(pathOpts(dir))
	want(t, l, "server.key.match", finding.Fail, "do not match")
	want(t, l, "client.cert.chain", finding.Fail, "hasn't got a known issuer", "Other CA")
}

func TestCAFileBeyond16(t *testing.T) {
	p := newPKI(t)
	dir := writePKIPath(t, p)
	var cas []*x509.Certificate
	for i := 0; i < 16; i++ {
		cas = append(cas, pkitest.CA(t, "Unrelated CA").Cert)
	}
	writePEMs(t, filepath.Join(dir, "cacert.pem"), append(cas, p.ca.Cert)...)
	l := Run(pathOpts(dir))
	want(t, l, "trust.ca.count", finding.Warn, "17 certificates")
	f := want(t, l, "server.cert.chain", finding.Fail, "is certificate #17", "only the first 16")
	if strings.Contains(f.Message, "no certificate in the CA file") {
		t.Errorf("the message says the issuer is missing and that it is #17: %s", f.Message)
	}
	runFix(t, f.Fix)
	want(t, Run(pathOpts(dir)), "server.cert.chain", finding.Pass)
}

func TestECDSAWithoutKeyEnciphermentDependsOnLibvirt(t *testing.T) {
	p := newPKI(t)
	dir := writePKIPath(t, p)
	ec := pkitest.New(t, pkitest.Spec{Subject: pkix.Name{CommonName: "localhost"}, DNS: []string{"localhost"},
		IsCA: pkitest.Bool(false), BCCrit: true, KeyUsage: x509.KeyUsageDigitalSignature, KUCrit: true,
		EKU: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}, p.ca)
	pkitest.WriteFile(t, dir, "servercert.pem", ec.CertPEM(), 0o600)
	pkitest.WriteFile(t, dir, "serverkey.pem", ec.KeyPEM(t), 0o600)

	old := pathOpts(dir, Server)
	f := want(t, Run(old), "server.cert.ec-key-encipherment", finding.Fail, "libvirt 9.0.0", ecExemptSince)
	wantPureCommand(t, f)

	newer := pathOpts(dir, Server)
	newer.LibvirtVersion = ecExemptSince
	l := Run(newer)
	wantPureCommand(t, want(t, l, "server.cert.ec-key-encipherment", finding.Warn, "peers running libvirt before"))
	if l.Worst() == finding.Fail {
		t.Errorf("libvirt %s accepts the certificate, but the audit fails:\n%s", ecExemptSince, dump(l))
	}
}

func TestNonCriticalUsageWithoutSignatureFails(t *testing.T) {
	p := newPKI(t)
	dir := writePKIPath(t, p)
	c := pkitest.New(t, pkitest.Spec{Subject: pkix.Name{CommonName: "localhost"}, DNS: []string{"localhost"},
		IsCA: pkitest.Bool(false), BCCrit: true, KeyUsage: x509.KeyUsageCertSign, KUCrit: false}, p.ca)
	pkitest.WriteFile(t, dir, "servercert.pem", c.CertPEM(), 0o600)
	pkitest.WriteFile(t, dir, "serverkey.pem", c.KeyPEM(t), 0o600)
	l := Run(pathOpts(dir, Server))
	want(t, l, "server.cert.gnutls-will-not-use", finding.Fail, "GnuTLS will not use it")
	want(t, l, "server.cert.ku-no-digital-signature", finding.Warn, "libvirt accepts it but logs")
}

func TestExpiryWindow(t *testing.T) {
	p := newPKI(t)
	dir := writePKIPath(t, p)
	soon := pkitest.New(t, pkitest.Spec{Subject: pkix.Name{CommonName: "localhost"}, DNS: []string{"localhost"},
		IsCA: pkitest.Bool(false), KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment, KUCrit: true,
		NotAfter: time.Now().Add(10 * 24 * time.Hour)}, p.ca)
	pkitest.WriteFile(t, dir, "servercert.pem", soon.CertPEM(), 0o600)
	pkitest.WriteFile(t, dir, "serverkey.pem", soon.KeyPEM(t), 0o600)
	want(t, Run(pathOpts(dir, Server)), "server.cert.expiry", finding.Warn, "expires in 9 days", "virt-pki issue server --cn localhost --dns localhost")
	o := pathOpts(dir, Server)
	o.WarnWithin = 5 * 24 * time.Hour
	want(t, Run(o), "server.cert.expiry", finding.Pass, "valid until")
}

func TestHostnames(t *testing.T) {
	p := newPKI(t)
	dir := writePKIPath(t, p)
	o := pathOpts(dir, Server)
	o.Hostnames = []string{"localhost", "127.0.0.1", "other.example", "::1", "LOCALHOST"}
	l := Run(o)
	want(t, l, "server.cert.hostname[localhost]", finding.Pass)
	want(t, l, "server.cert.hostname[127.0.0.1]", finding.Pass)
	f := want(t, l, "server.cert.hostname[other.example]", finding.Fail, "not valid for other.example")
	if !strings.Contains(f.Fix, "--dns other.example") || !strings.Contains(f.Fix, "--ip ::1") {
		t.Errorf("fix does not add the missing names: %s", f.Fix)
	}
	o.HostnamesGiven = false
	want(t, Run(o), "server.cert.hostname[other.example]", finding.Warn)

	cn := pkitest.New(t, pkitest.Spec{Subject: pkix.Name{CommonName: "localhost"}, IsCA: pkitest.Bool(false)}, p.ca)
	pkitest.WriteFile(t, dir, "servercert.pem", cn.CertPEM(), 0o600)
	pkitest.WriteFile(t, dir, "serverkey.pem", cn.KeyPEM(t), 0o600)
	l = Run(pathOpts(dir, Server))
	want(t, l, "server.cert.hostname[localhost]", finding.Pass)
	f = want(t, l, "server.cert.cn-only", finding.Warn, "no subjectAltName", "Go's crypto/tls")
	// OpenSSL's X509_check_host falls back to the CN unless told not to.
	if strings.Contains(f.Message, "OpenSSL") {
		t.Errorf("the CN-only warning blames OpenSSL: %s", f.Message)
	}
}

func TestCRL(t *testing.T) {
	p := newPKI(t)
	dir := writePKIPath(t, p)
	der, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{Number: big.NewInt(1),
		ThisUpdate: yearAgo, NextUpdate: time.Now().Add(-time.Hour),
		RevokedCertificateEntries: []x509.RevocationListEntry{{SerialNumber: p.client.Cert.SerialNumber, RevocationTime: yearAgo}},
	}, p.ca.Cert, p.ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	pkitest.WriteFile(t, dir, "cacrl.pem", pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der}), 0o600)
	l := Run(pathOpts(dir))
	want(t, l, "trust.crl.read", finding.Pass, "1 certificate revoked")
	want(t, l, "trust.crl.signature", finding.Pass)
	want(t, l, "trust.crl.fresh", finding.Warn, "past its next update")
	want(t, l, "client.cert.revoked", finding.Fail, "revoked by")
	if _, ok := byID(t, l)["server.cert.revoked"]; ok {
		t.Error("the server certificate is not revoked")
	}

	pkitest.WriteFile(t, dir, "cacrl.pem", []byte("-----BEGIN X509 CRL-----\nnot base64\n-----END X509 CRL-----\n"), 0o600)
	want(t, Run(pathOpts(dir)), "trust.crl.read", finding.Fail, "certtool --generate-crl")

	other := pkitest.CA(t, "Other CA")
	der, _ = x509.CreateRevocationList(rand.Reader, &x509.RevocationList{Number: big.NewInt(1), ThisUpdate: yearAgo, NextUpdate: inYear}, other.Cert, other.Key)
	pkitest.WriteFile(t, dir, "cacrl.pem", pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der}), 0o600)
	want(t, Run(pathOpts(dir)), "trust.crl.signature", finding.Warn, "GnuTLS ignores it")
}

func TestLibvirtdConf(t *testing.T) {
	requireRoot(t)
	p := newPKI(t)
	cases := []struct {
		name, conf, id string
		st             finding.Status
		text           []string
	}{
		{"syntax error", "listen_tls = = 1\n", "server.conf.read", finding.Fail, []string{"libvirtd.conf:1"}},
		{"empty ACL", "tls_allowed_dn_list = []\n", "server.conf.acl", finding.Fail, []string{"denies every client", "delete the tls_allowed_dn_list line"}},
		{"reversed ACL", `tls_allowed_dn_list = ["CN=client1,O=Test Org,C=GB"]` + "\n", "server.conf.acl[1]", finding.Warn,
			[]string{"RFC 4514 order", `tls_allowed_dn_list = ["C=GB,O=Test Org,CN=client1"]`}},
		{"spaces in ACL", `tls_allowed_dn_list = ["C=GB, O=Test Org, CN=client1"]` + "\n", "server.conf.acl[1]", finding.Warn,
			[]string{"spaces", `"C=GB,O=Test Org,CN=client1"`}},
		{"partial ACL", `tls_allowed_dn_list = ["CN=client1"]` + "\n", "server.conf.acl[1]", finding.Warn, []string{"only the end"}},
		{"matching glob", `tls_allowed_dn_list = ["C=GB,O=Test Org,CN=*"]` + "\n", "server.conf.acl", finding.Pass, []string{"matches"}},
		{"no verify", "tls_no_verify_certificate = 1\n", "server.conf.no-verify", finding.Fail, []string{"does not enforce tls_allowed_dn_list"}},
		{"no sanity", "tls_no_sanity_certificate = 1\n", "server.conf.no-sanity", finding.Warn, nil},
		{"listen_tls off", "listen_tls = 0\n", "server.conf.listen-tls", finding.Warn, []string{"listen_tls = 1"}},
		{"auth none without ACL", `auth_tls = "none"` + "\n", "server.conf.acl", finding.Warn, []string{"full access"}},
		{"only cert_file", `cert_file = "/etc/pki/libvirt/servercert.pem"` + "\n", "server.conf.tls-files", finding.Fail,
			[]string{"No CA certificate path set to match server key/cert"}},
		{"bad tls_priority", `tls_priority = "NORMAL:+FOO-BAR"` + "\n", "server.conf.tls-priority", finding.Fail, []string{"Syntax error at: +FOO-BAR"}},
		{"crl_file alone", `crl_file = "/etc/pki/CA/x.pem"` + "\n", "server.conf.crl-ignored", finding.Warn, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := exec.LookPath("gnutls-cli"); err != nil && c.id == "server.conf.tls-priority" {
				t.Skip("gnutls-cli is not installed (apt-get install gnutls-bin)")
			}
			root := writeSystem(t, p)
			conf := filepath.Join(root, "etc/libvirt/libvirtd.conf")
			os.WriteFile(conf, []byte(c.conf), 0o644)
			l := Run(Options{Root: root, LibvirtdConf: conf, LibvirtVersion: "9.0.0", Hostnames: []string{"localhost"}})
			want(t, l, c.id, c.st, c.text...)
		})
	}
	t.Run("overridden paths are audited", func(t *testing.T) {
		root := writeSystem(t, p)
		alt := filepath.Join(root, "srv")
		os.Mkdir(alt, 0o755)
		pkitest.WriteFile(t, alt, "ca.pem", p.ca.CertPEM(), 0o644)
		pkitest.WriteFile(t, alt, "cert.pem", p.server.CertPEM(), 0o644)
		pkitest.WriteFile(t, alt, "key.pem", p.client.KeyPEM(t), 0o600) // the wrong key
		conf := filepath.Join(root, "etc/libvirt/libvirtd.conf")
		os.WriteFile(conf, []byte(`ca_file = "/srv/ca.pem"`+"\n"+`cert_file = "/srv/cert.pem"`+"\n"+`key_file = "/srv/key.pem"`+"\n"), 0o644)
		l := Run(Options{Root: root, LibvirtdConf: conf, LibvirtVersion: "9.0.0", Scopes: []Scope{Server}})
		want(t, l, "server.conf.paths", finding.Pass, filepath.Join(alt, "key.pem"))
		f := want(t, l, "server.key.match", finding.Fail)
		if f.Path != filepath.Join(alt, "key.pem") {
			t.Errorf("key match checked %s, want the overridden key", f.Path)
		}
	})
}

func TestUserLayoutTraps(t *testing.T) {
	p := newPKI(t)
	home := t.TempDir()
	sysRoot := t.TempDir()
	os.MkdirAll(filepath.Join(home, ".pki"), 0o700)
	pkitest.WriteFile(t, home, ".pki/cacert.pem", p.ca.CertPEM(), 0o600)
	pkitest.WriteFile(t, home, ".pki/libvirt/clientcert.pem", p.client.CertPEM(), 0o600)
	pkitest.WriteFile(t, home, ".pki/libvirt/private/clientkey.pem", p.client.KeyPEM(t), 0o600)
	os.Chmod(filepath.Join(home, ".pki/libvirt"), 0o700)
	l := Run(Options{Mode: UserMode, Home: home, Root: sysRoot, UID: 1000, GID: 1000, LibvirtVersion: "9.0.0", Scopes: []Scope{Trust, Client}})
	want(t, l, "trust.doc-path-ca", finding.Fail, "never read", "mv "+filepath.Join(home, ".pki/cacert.pem"))
	want(t, l, "client.user.pair", finding.Fail, "falls back to the system pair")
	want(t, l, "client.user.private-dir", finding.Fail, "no private/")
}

func TestQEMUDirectory(t *testing.T) {
	p := newPKI(t)
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	pkitest.WriteFile(t, dir, "cacert.pem", p.ca.CertPEM(), 0o644) // libvirtd's name
	pkitest.WriteFile(t, dir, "server-cert.pem", p.server.CertPEM(), 0o644)
	pkitest.WriteFile(t, dir, "server-key.pem", p.server.KeyPEM(t), 0o600)
	l := Run(Options{Scopes: []Scope{QEMU}, QEMUDirs: []string{dir}, QEMUGroup: "qemu-test", QEMUGID: 4242, LibvirtVersion: "9.0.0"})
	base := "qemu[" + filepath.Base(dir) + "]"
	want(t, l, base+".ca-cert.pem.access", finding.Fail, "dashed names", "mv "+filepath.Join(dir, "cacert.pem")+" "+filepath.Join(dir, "ca-cert.pem"))
	want(t, l, base+".server-key.pem.qemu-readable", finding.Fail, "cannot read", "chmod 0640")
	want(t, l, base+".client-cert.pem.access", finding.Warn, "migration source")
	want(t, l, base+".server.key.match", finding.Pass)
}

func TestEveryWarnAndFailHasAFix(t *testing.T) {
	p := newPKI(t)
	dir := writePKIPath(t, p)
	os.Chmod(filepath.Join(dir, "serverkey.pem"), 0o644)
	pkitest.WriteFile(t, dir, "clientkey.pem", p.server.KeyPEM(t), 0o600)
	o := pathOpts(dir)
	o.Hostnames = []string{"nowhere.example"}
	for _, f := range Run(o) {
		if (f.Status == finding.Warn || f.Status == finding.Fail) && f.Fix == "" {
			t.Errorf("%s %s has no fix: %s", f.Status, f.ID, f.Message)
		}
	}
}

func TestDetectLibvirtVersionFromLibrary(t *testing.T) {
	root := t.TempDir()
	pkitest.WriteFile(t, root, "usr/lib/x86_64-linux-gnu/libvirt.so.0.11008.0", nil, 0o644)
	v, src, err := DetectLibvirtVersion(root)
	if err != nil || v != "11.8.0" || !strings.Contains(src, "libvirt.so.0.11008.0") {
		t.Fatalf("DetectLibvirtVersion = %q, %q, %v; want 11.8.0 from the library name", v, src, err)
	}
	if _, _, err := DetectLibvirtVersion(t.TempDir()); err == nil {
		t.Error("a root without libvirt has a version")
	}
}

func TestParseVersion(t *testing.T) {
	for in, out := range map[string]string{
		"libvirtd (libvirt) 9.0.0\n": "9.0.0",
		"10.10.0":                    "10.10.0",
		"virsh 11.8":                 "11.8.0",
	} {
		v, err := ParseVersion(in)
		if err != nil || v.String() != out {
			t.Errorf("ParseVersion(%q) = %v, %v; want %s", in, v, err, out)
		}
	}
	if _, err := ParseVersion("no digits"); err == nil {
		t.Error("ParseVersion accepted text without a version")
	}
	for in, out := range map[string]string{"libvirt.so.0.9000.0": "9.0.0", "libvirt.so.0.11008.1": "11.8.1"} {
		if v, ok := soVersion(in); !ok || v != out {
			t.Errorf("soVersion(%q) = %q, %v; want %s", in, v, ok, out)
		}
	}
	if _, ok := soVersion("libvirt.so.0"); ok {
		t.Error("soVersion accepted a name without a version")
	}
}

func TestFixDNPattern(t *testing.T) {
	dn := "C=GB,O=Test Org,CN=client1"
	cases := []struct{ in, fixed, why string }{
		{"C=GB,O=Test Org,CN=client1", "C=GB,O=Test Org,CN=client1", ""},
		{"CN=client1,O=Test Org,C=GB", dn, "RFC 4514"},
		{"C=GB , O=Test Org,CN = client1", dn, "spaces"},
		{"CN=client1", dn, "only the end"},
		{"C=GB,O=Test Org,CN=*", "C=GB,O=Test Org,CN=*", ""},
	}
	for _, c := range cases {
		fixed, why := fixDNPattern(c.in, dn)
		if fixed != c.fixed || (c.why == "") != (why == "") || !strings.Contains(why, c.why) {
			t.Errorf("fixDNPattern(%q) = %q, %q; want %q, %q", c.in, fixed, why, c.fixed, c.why)
		}
	}
	if fixed, why := fixDNPattern("CN=x,O=y,C=GB", ""); fixed != "C=GB,O=y,CN=x" || why == "" {
		t.Errorf("without a client DN a CN-first entry ending in C= is reversed: got %q %q", fixed, why)
	}
}

// The audit matches RSA keys with certificates through the structural
// parse (keys.PublicKeyFromPEM), with PKCS#1 and PKCS#8 files.
func TestAuditMatchesRSAKeys(t *testing.T) {
	c := pkitest.New(t, pkitest.Spec{Subject: pkix.Name{CommonName: "rsa"}, Key: pkitest.RSA}, nil)
	pk1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(c.Key.(*rsa.PrivateKey))})
	p := newPKI(t)
	dir := writePKIPath(t, p)
	srv := pkitest.New(t, pkitest.Spec{Subject: pkix.Name{CommonName: "localhost"}, DNS: []string{"localhost"}, Key: pkitest.RSA}, p.ca)
	pkitest.WriteFile(t, dir, "servercert.pem", srv.CertPEM(), 0o600)
	pkitest.WriteFile(t, dir, "serverkey.pem", pk1, 0o600)
	want(t, Run(pathOpts(dir, Server)), "server.key.match", finding.Fail)
	pkitest.WriteFile(t, dir, "serverkey.pem", srv.KeyPEM(t), 0o600)
	want(t, Run(pathOpts(dir, Server)), "server.key.match", finding.Pass)
	want(t, Run(pathOpts(dir, Server)), "server.key.read", finding.Pass, "RSA 2048")
}

// File errors read as sentences after the file's name: "CRL X is not a
// PEM CRL", "server certificate X is not a PEM certificate".
func TestFileReasonsFollowTheName(t *testing.T) {
	for in, out := range map[string]string{
		"not a PEM certificate":      "is not a PEM certificate",
		"no certificate":             "is no certificate",
		"holds a private key":        "holds a private key",
		"is larger than 65536 bytes": "is larger than 65536 bytes",
	} {
		if got := clause(in); got != out {
			t.Errorf("clause(%q) = %q, want %q", in, got, out)
		}
	}
	for _, data := range []string{"", "hello", "-----BEGIN X509 CRL-----\n!!\n-----END X509 CRL-----\n", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"} {
		_, err := ParseCRLsPEM([]byte(data))
		if err == nil {
			t.Fatalf("ParseCRLsPEM(%q) accepted it", data)
		}
		if verb := strings.Fields(err.Error())[0]; verb != "is" && verb != "holds" && verb != "has" {
			t.Errorf("ParseCRLsPEM(%q) error %q does not start with a verb", data, err)
		}
	}
}

// An expired certificate is one FAIL (libvirt's validity rule, with the
// renewal command); the chain, which fails on time only, points at it.
func TestExpiredCertificateIsOneFailure(t *testing.T) {
	p := newPKI(t)
	dir := writePKIPath(t, p)
	old := pkitest.New(t, pkitest.Spec{Subject: pkix.Name{CommonName: "localhost"}, DNS: []string{"localhost"},
		IsCA: pkitest.Bool(false), KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment, KUCrit: true,
		NotBefore: yearAgo.Add(-time.Hour), NotAfter: yearAgo}, p.ca)
	pkitest.WriteFile(t, dir, "servercert.pem", old.CertPEM(), 0o600)
	pkitest.WriteFile(t, dir, "serverkey.pem", old.KeyPEM(t), 0o600)
	l := Run(pathOpts(dir, Server))
	if s := l.Summary(); s.Fail != 1 {
		t.Errorf("%d FAILs for one expired certificate, want 1:\n%s", s.Fail, dump(l))
	}
	want(t, l, "server.cert."+problemExpired, finding.Fail, "virt-pki issue server")
	want(t, l, "server.cert.chain", finding.Skip, "on time only")
}
