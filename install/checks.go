package install

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/virt-pki/virt-pki/finding"
	"github.com/virt-pki/virt-pki/keys"
	"github.com/virt-pki/virt-pki/layout"
	"github.com/virt-pki/virt-pki/libvirtcert"
)

// Fingerprint is the SHA-256 fingerprint of a certificate, colon-separated
// upper-case hex as certtool and openssl print it.
func Fingerprint(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}

func describeCert(c *x509.Certificate) string {
	dn, err := libvirtcert.SubjectDN(c)
	if err != nil || dn == "" {
		dn = c.Subject.String()
	}
	return fmt.Sprintf("%s (SHA-256 %s)", dn, Fingerprint(c))
}

func certRole(r layout.Role) libvirtcert.Role {
	switch r {
	case layout.CACert:
		return libvirtcert.RoleCA
	case layout.ServerCert:
		return libvirtcert.RoleServer
	}
	return libvirtcert.RoleClient
}

// check fills p.Findings: refusals (FAIL, or WARN when forced) and
// warnings.
func (p *Plan) check(req Request, lay layout.Layout) {
	refuse := func(id, path, msg, fix string) {
		f := finding.Finding{ID: id, Status: finding.Fail, Message: msg, Fix: fix, Path: path}
		if req.Force {
			f.Status = finding.Warn
			f.Message += " (installing anyway: --force)"
			f.Fix = ""
		}
		p.Findings = append(p.Findings, f)
	}
	warn := func(id, path, msg, fix string) {
		p.Findings = append(p.Findings, finding.Finding{ID: id, Status: finding.Warn, Message: msg, Fix: fix, Path: path})
	}

	certs := map[layout.Role][]*x509.Certificate{}
	for i := range p.Entries {
		e := &p.Entries[i]
		switch e.Role {
		case layout.CACert, layout.ServerCert, layout.ClientCert:
			cs, err := libvirtcert.ParseCertificates(e.Source, e.data)
			if err != nil {
				continue // Prepare rejected it already
			}
			certs[e.Role] = cs
			if len(e.data) > libvirtcert.MaxFileSize {
				refuse("install-file-too-large", e.Source, fmt.Sprintf("%s is %d bytes; libvirt reads at most %d", e.Source, len(e.data), libvirtcert.MaxFileSize),
					"install only the private CA (and its intermediates), not a system bundle")
			}
			fix := "reissue it with 'virt-pki issue'"
			if e.Role == layout.CACert {
				fix = "give the CA's own certificate (cacert.pem), or create a CA with 'virt-pki ca init'"
			}
			for _, pr := range libvirtcert.CheckCertificate(cs[0], certRole(e.Role), req.Now, libvirtcert.Options{}) {
				// libvirt's texts name the file with %s: name the source.
				msg := strings.Replace(pr.Message, "%s", e.Source, 1)
				if other, ok := forOtherRole(cs[0], e.Role, pr); ok {
					refuse("install-cert-for-other-role", e.Source, otherRoleMessage(e, cs[0], other), otherRoleFix(e.Role, other))
					continue
				}
				if pr.Fatal {
					refuse("install-usage-"+pr.ID, e.Source, msg+"; libvirt refuses this "+certRole(e.Role).String()+" certificate", fix)
				} else {
					warn("install-usage-"+pr.ID, e.Source, msg+" (libvirt only logs a warning)", fix)
				}
			}
		}
	}
	if cas := certs[layout.CACert]; len(cas) > libvirtcert.MaxCACerts {
		warn("install-too-many-cas", p.entry(layout.CACert).Source,
			fmt.Sprintf("the CA file holds %d certificates; libvirt's sanity check loads only the first %d", len(cas), libvirtcert.MaxCACerts), "trim the CA file")
	}

	// Key <-> certificate pairs.
	for _, pair := range [][2]layout.Role{{layout.ServerCert, layout.ServerKey}, {layout.ClientCert, layout.ClientKey}} {
		ce, ke := p.entry(pair[0]), p.entry(pair[1])
		if ce == nil || ke == nil {
			continue
		}
		key, err := keys.ParsePrivateKeyPEM(ke.data)
		if err != nil {
			continue // Prepare rejected it already
		}
		if cs := certs[pair[0]]; len(cs) > 0 && !keys.MatchesCertificate(key, cs[0]) {
			refuse("install-key-mismatch", ke.Source,
				fmt.Sprintf("%s is not the key of %s; libvirt would fail with \"The certificate and the given key do not match.\"", ke.Source, ce.Source),
				"install the key that was issued with this certificate")
		}
	}

	// Which CA the leaves must chain to.
	caPath := p.caPath(req, lay)
	var trust []*x509.Certificate
	trustFrom := ""
	switch {
	case certs[layout.CACert] != nil:
		trust, trustFrom = certs[layout.CACert], "the CA being installed"
	default:
		if data, err := readInput(caPath); err == nil {
			if cs, err := libvirtcert.ParseCertificates(caPath, data); err == nil {
				trust, trustFrom = cs, "the installed CA "+caPath
			}
		}
		if trust == nil {
			if src := req.Sources.source(layout.CACert); src != "" {
				if data, err := readInput(src); err == nil {
					if cs, err := libvirtcert.ParseCertificates(src, data); err == nil {
						trust, trustFrom = cs, src
					}
				}
			}
			if hasRole(req.Roles, RoleServer) || hasRole(req.Roles, RoleClient) {
				fix := "add --role ca"
				if trustFrom != "" {
					fix = "add --role ca to install " + trustFrom
				}
				warn("install-no-ca", caPath, fmt.Sprintf("no CA certificate is installed at %s; libvirt refuses to start TLS without it", caPath), fix)
			}
		}
	}
	knownCAs := append(append(append([]*x509.Certificate{}, certs[layout.CACert]...), readCAs(req.Sources.source(layout.CACert))...), readCAs(caPath)...)
	for _, r := range []layout.Role{layout.ServerCert, layout.ClientCert} {
		cs := certs[r]
		e := p.entry(r)
		if len(cs) == 0 || e == nil {
			continue
		}
		if trust == nil {
			continue
		}
		if err := libvirtcert.VerifyChain(cs[0], trust, req.Now); err != nil {
			why := err.Error()
			if s := sameNameOtherKey(cs[0], trust, knownCAs); s != "" {
				why = s
			}
			refuse("install-not-issued-by-ca", e.Source,
				fmt.Sprintf("%s (issuer %s) does not verify against %s: %s", e.Source, issuerDN(cs[0]), trustFrom, why),
				"install the CA that issued it (--role ca), or reissue the certificate from this CA")
		}
	}

	// Leaves already installed (and not replaced now) must still chain to
	// a CA being installed, or libvirt refuses to start with them.
	if newCAs := certs[layout.CACert]; newCAs != nil {
		for _, r := range []layout.Role{layout.ServerCert, layout.ClientCert} {
			if p.entry(r) != nil {
				continue
			}
			path := p.leafPath(req, lay, r)
			data, err := readInput(path)
			if err != nil {
				continue
			}
			cs, err := libvirtcert.ParseCertificates(path, data)
			if err != nil {
				continue
			}
			if err := libvirtcert.VerifyChain(cs[0], newCAs, req.Now); err != nil {
				why := err.Error()
				if s := sameNameOtherKey(cs[0], newCAs, knownCAs); s != "" {
					why = s
				}
				refuse("install-orphans-leaf", path,
					fmt.Sprintf("the installed %s %s was not issued by the new CA (%s); libvirt would refuse it", r.Describe(), path, why),
					"install a "+r.Describe()+" from the new CA in the same run (--role ca,"+map[layout.Role]string{layout.ServerCert: "server", layout.ClientCert: "client"}[r]+")")
			}
		}
	}

	// A different CA at the CA path.
	if ce := p.entry(layout.CACert); ce != nil && ce.Status == Replaced && certs[layout.CACert] != nil {
		if data, err := readInput(ce.Path); err == nil {
			old, err := libvirtcert.ParseCertificates(ce.Path, data)
			newCAs := certs[layout.CACert]
			switch {
			case err != nil:
				refuse("install-replace-unreadable-ca", ce.Path, fmt.Sprintf("%s holds something that is not a PEM certificate (it %s)", ce.Path, libvirtcert.FileReason(err)),
					"inspect it; use --force to replace it (add --backup to keep it)")
			case !bytes.Equal(old[0].Raw, newCAs[0].Raw):
				refuse("install-different-ca", ce.Path,
					fmt.Sprintf("%s holds a different CA: %s; the new one is %s; replacing it breaks every certificate the old CA issued", ce.Path, describeCert(old[0]), describeCert(newCAs[0])),
					"use --force to replace it (add --backup to keep the old CA)")
			}
		}
	}

	// Replacing needs --force or --backup.
	for _, e := range p.Entries {
		if e.Status == Replaced && !req.Backup && !p.has("install-different-ca", e.Path) {
			refuse("install-would-replace", e.Path, fmt.Sprintf("%s exists with different content (%s)", e.Path, e.Was),
				"add --backup to keep the old file as "+filepath.Base(e.Path)+".bak-TIMESTAMP, or --force to replace it")
		}
	}
	p.docTraps(req, lay)
}

// has reports whether a finding with id about path exists.
func (p *Plan) has(id, path string) bool {
	for _, f := range p.Findings {
		if f.ID == id && f.Path == path {
			return true
		}
	}
	return false
}

func issuerDN(c *x509.Certificate) string {
	if dn, err := libvirtcert.FormatDN(c.RawIssuer); err == nil && dn != "" {
		return dn
	}
	return c.Issuer.String()
}

func (p *Plan) entry(r layout.Role) *Entry {
	for i := range p.Entries {
		if p.Entries[i].Role == r {
			return &p.Entries[i]
		}
	}
	return nil
}

// caPath is where the CA the leaves chain to lives for this target.
func (p *Plan) caPath(req Request, lay layout.Layout) string {
	if e := p.entry(layout.CACert); e != nil {
		return e.Path
	}
	if req.Target.Kind == layout.System && req.Target.LibvirtdConf != nil && hasRole(req.Roles, RoleServer) {
		if sf, problem := layout.EffectiveServerFiles(req.Target.Root, req.Target.LibvirtdConf); problem == nil {
			return sf.CACert
		}
	}
	f, _ := lay.File(layout.CACert)
	return f.Path
}

// leafPath is where the target keeps the leaf certificate of role r.
func (p *Plan) leafPath(req Request, lay layout.Layout, r layout.Role) string {
	if r == layout.ServerCert && req.Target.Kind == layout.System && req.Target.LibvirtdConf != nil {
		if sf, problem := layout.EffectiveServerFiles(req.Target.Root, req.Target.LibvirtdConf); problem == nil && sf.Custom {
			return sf.ServerCert
		}
	}
	f, _ := lay.File(r)
	return f.Path
}

// docTraps warns about the places libvirt's documentation gets wrong.
func (p *Plan) docTraps(req Request, lay layout.Layout) {
	home := req.Target.Home
	if home != "" && lay.Kind == layout.User {
		doc := filepath.Join(home, layout.DocumentedUserCACert)
		if _, err := os.Stat(doc); err == nil {
			p.Findings = append(p.Findings, finding.Finding{ID: "install-documented-ca-path", Status: finding.Warn, Path: doc,
				Message: doc + " exists, but libvirt never reads it (the documentation's path is wrong); the user CA is " + filepath.Join(home, layout.UserPKIDir, layout.NameCACert),
				Fix:     "remove " + doc + " and install the CA with 'virt-pki install --user --role ca'"})
		}
	}
	if lay.Kind != layout.User && lay.Kind != layout.PKIPath {
		return
	}
	cert, _ := lay.File(layout.ClientCert)
	key, _ := lay.File(layout.ClientKey)
	has := func(f layout.File) bool {
		if p.entry(f.Role) != nil {
			return true
		}
		_, err := os.Stat(f.Path)
		return err == nil
	}
	if hc, hk := has(cert), has(key); hc != hk {
		missing, present := key.Path, cert.Path
		if hk {
			missing, present = cert.Path, key.Path
		}
		msg := fmt.Sprintf("%s has %s but not %s", lay.Base, filepath.Base(present), filepath.Base(missing))
		if lay.Kind == layout.User {
			msg += ": libvirt ignores both and falls back to the system pair " + layout.SystemClientCert + " / " + layout.SystemClientKey
		} else {
			msg += ": libvirt connects without a client certificate"
		}
		p.Findings = append(p.Findings, finding.Finding{ID: "install-half-client-pair", Status: finding.Warn, Path: missing,
			Message: msg, Fix: "install both with --role client"})
	}
}
