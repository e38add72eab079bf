package validate

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/virt-pki/virt-pki/finding"
	"github.com/virt-pki/virt-pki/internal/pkitest"
)

// TestQEMUFixesUnderRoot: below --root, the install fix for a missing
// QEMU file names the directory as the host sees it (install prefixes the
// root again) and the group the audit judged against, and chown fixes use
// the GID (the group exists only in the root's /etc/group); paths with
// spaces are quoted. golden's TestValidateFixesWork runs these fixes.
func TestQEMUFixesUnderRoot(t *testing.T) {
	p := newPKI(t)
	root := filepath.Join(t.TempDir(), "image root")
	dir := filepath.Join(root, "etc/pki/qemu")
	pkitest.WriteFile(t, dir, "ca-cert.pem", p.ca.CertPEM(), 0o644)
	pkitest.WriteFile(t, dir, "server-key.pem", p.server.KeyPEM(t), 0o600)
	l := Run(Options{Root: root, QEMUDirs: []string{dir}, QEMUGroup: "qemutest", QEMUGID: 4242, Scopes: []Scope{QEMU},
		LibvirtVersion: "9.0.0", Hostnames: []string{"localhost"}})
	f := want(t, l, "qemu[qemu].server-cert.pem.access", finding.Fail)
	wantFix := "virt-pki install --role server --from DIR --qemu=/etc/pki/qemu --root '" + root + "' --qemu-group 4242"
	if f.Fix != wantFix {
		t.Errorf("missing file fix:\n got %s\nwant %s", f.Fix, wantFix)
	}
	if os.Geteuid() == 0 { // the key is root's: only its group is wrong
		f = want(t, l, "qemu[qemu].server-key.pem.qemu-readable", finding.Fail)
		key := "'" + filepath.Join(dir, "server-key.pem") + "'"
		if wantFix := "chown root:4242 " + key + " && chmod 0640 " + key; f.Fix != wantFix {
			t.Errorf("readability fix:\n got %s\nwant %s", f.Fix, wantFix)
		}
	}
	for _, f := range l {
		if strings.Contains(f.Fix, "qemutest") {
			t.Errorf("%s: fix names a group the host does not know: %s", f.ID, f.Fix)
		}
	}
}
