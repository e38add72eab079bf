package install

import (
	"fmt"
	"os"
	"strings"

	"github.com/virt-pki/virt-pki/finding"
	"github.com/virt-pki/virt-pki/layout"
)

// existsAfter reports whether path exists once the plan is applied.
func (p *Plan) existsAfter(path string) bool {
	for _, e := range p.Entries {
		if e.Path == path {
			return true
		}
	}
	_, err := os.Stat(path)
	return err == nil
}

// explain fills p.Effects with what libvirt and QEMU will do with the
// installed files.
func (p *Plan) explain(req Request, lay layout.Layout) {
	say := func(format string, args ...any) { p.Effects = append(p.Effects, fmt.Sprintf(format, args...)) }
	switch lay.Kind {
	case layout.System:
		p.explainSystem(req, say)
	case layout.User:
		if hasRole(req.Roles, RoleServer) {
			say("a libvirtd running as %s (session daemon) uses %s and %s", layout.UserName(req.Target.UID), lay.Base+"/"+layout.NameServerCert, lay.Base+"/"+layout.NameServerKey)
		}
		if req.EUID == 0 {
			p.Findings = append(p.Findings, finding.Finding{ID: "install-root-user-layout", Status: finding.Warn, Path: lay.Base,
				Message: "virsh running as root ignores " + lay.Base + " and reads only /etc/pki",
				Fix:     "connect with '?pkipath=" + lay.Base + "' in the URI, or install with --system"})
			say("virsh as root ignores %s; a client running as another user reads its own ~/.pki/libvirt", lay.Base)
			return
		}
		c := layout.ClientCredentials(req.Target.Root, "", req.Target.Home, req.EUID, p.existsAfter)
		who := layout.UserName(req.EUID)
		say("virsh as %s will use CA %s", who, c.CACert)
		if c.NoCertificate {
			say("virsh as %s will connect WITHOUT a client certificate (%s or %s missing); the server will refuse it", who, c.ClientCert, c.ClientKey)
		} else {
			say("virsh as %s will use client certificate %s and key %s", who, c.ClientCert, c.ClientKey)
		}
	case layout.PKIPath:
		say("connect with '?pkipath=%s' in the URI (e.g. qemu+tls://HOST/system?pkipath=%s): libvirt reads every file from that directory, with no fallback", lay.Base, lay.Base)
		if !p.existsAfter(lay.Base+"/"+layout.NameCACert) && !p.has("install-no-ca", lay.Base+"/"+layout.NameCACert) {
			p.Findings = append(p.Findings, finding.Finding{ID: "install-pkipath-no-ca", Status: finding.Warn, Path: lay.Base + "/" + layout.NameCACert,
				Message: lay.Base + " has no cacert.pem; with pkipath the CA is mandatory and there is no fallback", Fix: "add --role ca"})
		}
	case layout.QEMU:
		dirs, _ := req.Target.QEMUConf.CertDirs(req.Target.Root, func(s string) bool { _, err := os.Stat(s); return err == nil })
		var users []string
		for _, d := range dirs {
			if d.Dir == lay.Base {
				users = append(users, d.Service)
			}
		}
		if len(users) == 0 {
			say("no QEMU TLS service reads %s with the current qemu.conf; point a *_tls_x509_cert_dir at it", lay.Base)
		} else {
			say("QEMU reads %s for: %s", lay.Base, strings.Join(users, ", "))
		}
		say("running guests keep the credentials they started with; restart or migrate them to use the new files")
	}
}

func (p *Plan) explainSystem(req Request, say func(string, ...any)) {
	conf := req.Target.LibvirtdConf
	custom := false
	if conf != nil {
		if sf, problem := layout.EffectiveServerFiles(req.Target.Root, conf); problem == nil && sf.Custom {
			custom = true
		}
	}
	if e := p.entry(layout.CACert); e != nil {
		if custom {
			say("libvirtd reads the CA from ca_file %s (set in %s)", e.Path, conf.Path)
			sys := layout.Under(req.Target.Root, layout.SystemCACert)
			say("local clients (virsh) do not read ca_file: they use %s", sys)
		} else {
			say("libvirtd and virsh as root use the CA %s; other users use it unless their ~/.pki/libvirt/cacert.pem exists", e.Path)
		}
	}
	if e := p.entry(layout.ServerCert); e != nil {
		k := p.entry(layout.ServerKey)
		if custom {
			say("libvirtd reads cert_file %s and key_file %s (set in %s)", e.Path, k.Path, conf.Path)
			say("restart libvirtd to load them: 'virt-admin server-update-tls libvirtd' does not re-read custom paths")
		} else {
			say("libvirtd uses %s and %s: restart it or run 'virt-admin server-update-tls libvirtd'", e.Path, k.Path)
		}
	}
	if e := p.entry(layout.ClientCert); e != nil {
		k := p.entry(layout.ClientKey)
		say("virsh as root uses client certificate %s and key %s; other users fall back to them when their ~/.pki/libvirt lacks clientcert.pem or clientkey.pem", e.Path, k.Path)
	}
}
