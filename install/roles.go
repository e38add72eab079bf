package install

import (
	"crypto/x509"
	"fmt"
	"strings"

	"github.com/virt-pki/virt-pki/layout"
	"github.com/virt-pki/virt-pki/libvirtcert"
)

// The install refusal rule for certificate usages: a certificate is
// refused (FAIL unless --force) when libvirt refuses it, or when it is
// for another role — a server (client) certificate whose key purposes
// exclude TLS server (client) use. libvirt only logs a warning for the
// latter when the extension is not critical, but installing, say, the
// client certificate as the server's is a mix-up that presents the wrong
// identity. Every other problem libvirt merely warns about stays a
// warning.

// forOtherRole reports whether problem pr says that cert, installed as
// role r, is really for another use, and returns that use in prose
// ("a client certificate", "a certificate for code signing").
func forOtherRole(cert *x509.Certificate, r layout.Role, pr libvirtcert.Problem) (string, bool) {
	switch {
	case r == layout.ServerCert && pr.ID == libvirtcert.IDEKUNoServer:
	case r == layout.ClientCert && pr.ID == libvirtcert.IDEKUNoClient:
	default:
		return "", false
	}
	oids, _, _ := libvirtcert.KeyPurposes(cert)
	var names []string
	client, server := false, false
	for _, o := range oids {
		switch o {
		case libvirtcert.KeyPurposeClient:
			client = true
		case libvirtcert.KeyPurposeServer:
			server = true
		}
		if n, ok := libvirtcert.KeyPurposeName(o); ok {
			names = append(names, n)
		} else {
			names = append(names, o)
		}
	}
	switch {
	case client && !server:
		return "a client certificate (key purposes: " + strings.Join(names, ", ") + ")", true
	case server && !client:
		return "a server certificate (key purposes: " + strings.Join(names, ", ") + ")", true
	}
	return "a certificate for " + strings.Join(names, ", "), true
}

func otherRoleMessage(e *Entry, cert *x509.Certificate, other string) string {
	want := "TLS server"
	if e.Role == layout.ClientCert {
		want = "TLS client"
	}
	return fmt.Sprintf("%s is %s, not a %s: its key purposes do not allow %s use (libvirt would only log a warning; install refuses a certificate meant for another role)",
		e.Source, other, e.Role.Describe(), want)
}

func otherRoleFix(r layout.Role, other string) string {
	if r == layout.ServerCert {
		hint := ""
		if strings.HasPrefix(other, "a client certificate") {
			hint = "it belongs in --role client; "
		}
		return hint + "install the server certificate ('virt-pki issue server' writes servercert.pem), or reissue it with 'virt-pki issue server --ca-dir CA_DIR --cn HOST'"
	}
	hint := ""
	if strings.HasPrefix(other, "a server certificate") {
		hint = "it belongs in --role server; "
	}
	return hint + "install the client certificate ('virt-pki issue client' writes clientcert.pem), or reissue it with 'virt-pki issue client --ca-dir CA_DIR --cn CLIENT_NAME'"
}
