package issue

import (
	"testing"
	"time"

	"github.com/virt-pki/virt-pki/libvirtcert"
	"github.com/virt-pki/virt-pki/validate"
)

// A server certificate issued for this host by default (HostFlags of
// ThisHost, as `virt-pki issue server` does without --cn) covers every
// name the audit checks (validate.LocalHostnames).
func TestDefaultServerCertificateCoversAuditNames(t *testing.T) {
	h := ThisHost()
	tmpl, err := TemplateFromFlags(libvirtcert.RoleServer, HostFlags(h, 0))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Issue(Request{Role: libvirtcert.RoleServer, Template: tmpl, KeyParams: ecKey, CA: testCA(t), Host: &h})
	if err != nil {
		t.Fatal(err)
	}
	names := validate.LocalHostnames(2 * time.Second)
	if len(names) == 0 {
		t.Fatal("no local host names")
	}
	for _, n := range names {
		if !libvirtcert.MatchHostname(res.Cert, n) {
			t.Errorf("the default server certificate (%v %v) does not cover %s, which validate checks", res.Cert.DNSNames, res.Cert.IPAddresses, n)
		}
	}
}
