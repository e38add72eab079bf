package validate

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/virt-pki/virt-pki/finding"
	"github.com/virt-pki/virt-pki/internal/pkitest"
)

// pki is a CA with a server and a client certificate.
type pki struct {
	ca, server, client *pkitest.Cert
}

func newPKI(t testing.TB) pki {
	t.Helper()
	ca := pkitest.CA(t, "Test CA")
	return pki{
		ca:     ca,
		server: pkitest.Server(t, ca, "host.example", "host.example", "localhost", "127.0.0.1"),
		client: pkitest.Client(t, ca, pkix.Name{Country: []string{"GB"}, Organization: []string{"Test Org"}, CommonName: "client1"}),
	}
}

// writePKIPath writes p as a pkipath directory (0700, files 0600) and
// returns it.
func writePKIPath(t *testing.T, p pki) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "pki")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	pkitest.WriteFile(t, dir, "cacert.pem", p.ca.CertPEM(), 0o600)
	pkitest.WriteFile(t, dir, "servercert.pem", p.server.CertPEM(), 0o600)
	pkitest.WriteFile(t, dir, "serverkey.pem", p.server.KeyPEM(t), 0o600)
	pkitest.WriteFile(t, dir, "clientcert.pem", p.client.CertPEM(), 0o600)
	pkitest.WriteFile(t, dir, "clientkey.pem", p.client.KeyPEM(t), 0o600)
	return dir
}

// writeSystem writes p as a system layout below a new root (the caller
// must be root for the owners to match) and returns the root.
func writeSystem(t *testing.T, p pki) string {
	t.Helper()
	root := t.TempDir()
	os.Chmod(root, 0o755)
	for _, d := range []string{"etc/pki/CA", "etc/pki/libvirt/private", "etc/libvirt"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	pkitest.WriteFile(t, root, "etc/pki/CA/cacert.pem", p.ca.CertPEM(), 0o644)
	pkitest.WriteFile(t, root, "etc/pki/libvirt/servercert.pem", p.server.CertPEM(), 0o644)
	pkitest.WriteFile(t, root, "etc/pki/libvirt/private/serverkey.pem", p.server.KeyPEM(t), 0o600)
	pkitest.WriteFile(t, root, "etc/pki/libvirt/clientcert.pem", p.client.CertPEM(), 0o644)
	pkitest.WriteFile(t, root, "etc/pki/libvirt/private/clientkey.pem", p.client.KeyPEM(t), 0o644)
	return root
}

func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("the system layout must be owned by root; run as root (CI does)")
	}
}

// pathOpts audits dir as a pkipath owned by the current user.
func pathOpts(dir string, scopes ...Scope) Options {
	return Options{Mode: PathMode, Path: dir, UID: os.Getuid(), GID: os.Getgid(), Scopes: scopes,
		Hostnames: []string{"localhost"}, HostnamesGiven: true, LibvirtVersion: "9.0.0"}
}

// byID indexes findings by id; a duplicate id fails the test.
func byID(t *testing.T, l finding.List) map[string]finding.Finding {
	t.Helper()
	m := map[string]finding.Finding{}
	for _, f := range l {
		if _, dup := m[f.ID]; dup {
			t.Errorf("duplicate finding id %q", f.ID)
		}
		m[f.ID] = f
	}
	return m
}

// want asserts that id is present with status st and, when contains is
// not empty, a message (or fix) containing it.
func want(t *testing.T, l finding.List, id string, st finding.Status, contains ...string) finding.Finding {
	t.Helper()
	f, ok := byID(t, l)[id]
	if !ok {
		t.Fatalf("no finding %q in:\n%s", id, dump(l))
	}
	if f.Status != st {
		t.Fatalf("%s: status %s, want %s: %s\n%s", id, f.Status, st, f.Message, dump(l))
	}
	for _, c := range contains {
		if !strings.Contains(f.Message+"\n"+f.Fix, c) {
			t.Errorf("%s: %q not in message %q / fix %q", id, c, f.Message, f.Fix)
		}
	}
	if (st == finding.Fail || st == finding.Warn) && f.Fix == "" {
		t.Errorf("%s: %s without a fix: %s", id, st, f.Message)
	}
	return f
}

func dump(l finding.List) string {
	var b strings.Builder
	for _, f := range l {
		b.WriteString(string(f.Status) + " " + f.ID + ": " + f.Message + "\n")
	}
	return b.String()
}

func writePEMs(t *testing.T, path string, certs ...*x509.Certificate) {
	t.Helper()
	var data []byte
	for _, c := range certs {
		data = append(data, (&pkitest.Cert{DER: c.Raw}).CertPEM()...)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

var (
	yearAgo = time.Now().Add(-365 * 24 * time.Hour)
	inYear  = time.Now().Add(365 * 24 * time.Hour)
)

// runFix runs a finding's fix with sh, as a user would paste it.
func runFix(t *testing.T, fix string) {
	t.Helper()
	if out, err := exec.Command("sh", "-c", fix).CombinedOutput(); err != nil {
		t.Fatalf("fix %q: %v\n%s", fix, err, out)
	}
}

// wantPureCommand asserts that a fix is a shell command and nothing else:
// no prose after it.
func wantPureCommand(t *testing.T, f finding.Finding) {
	t.Helper()
	if f.Fix == "" || strings.Contains(f.Fix, " (") || strings.Contains(f.Fix, ", or ") || strings.HasSuffix(f.Fix, ")") {
		t.Errorf("%s: fix is not a plain command: %q", f.ID, f.Fix)
	}
}
