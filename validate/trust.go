package validate

import (
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/virt-pki/virt-pki/finding"
	"github.com/virt-pki/virt-pki/layout"
	"github.com/virt-pki/virt-pki/libvirtcert"
)

// trustCA is the CA file the trust scope audits: the layout's, or in
// UserMode the one libvirt's per-file fallback picks.
func (a *audit) trustCA() (path string, l layout.Layout) {
	l = a.baseLayout()
	f, _ := l.File(layout.CACert)
	if a.opts.Mode == UserMode && !exists(f.Path) {
		sys := a.systemLayout()
		sf, _ := sys.File(layout.CACert)
		return sf.Path, sys
	}
	return f.Path, l
}

// trustCRL is the CRL file the trust scope audits.
func (a *audit) trustCRL() string {
	l := a.baseLayout()
	_, caLayout := a.trustCA()
	if caLayout.Kind != l.Kind {
		l = caLayout
	}
	f, _ := l.File(layout.CRL)
	return f.Path
}

func (a *audit) trust() {
	l := a.baseLayout()
	caPath, caLayout := a.trustCA()
	if a.opts.Mode == UserMode {
		a.userTrustNotes(l, caPath)
	}
	for _, d := range dirsOf(caLayout, caPath) {
		a.checkDir(Trust, "", caLayout, d)
	}
	target := a.installTarget()
	if caLayout.Kind != l.Kind {
		target = a.systemTarget()
	}
	a.caFile(Trust, "trust.ca", caLayout, caPath, target)
	a.crlChecks(Trust, "trust.crl", caLayout, a.trustCRL(), caPath, false)
}

// dirName is a stable short name for a layout directory, used in ids.
func dirName(l layout.Layout, d layout.Dir) (id, what string) {
	switch l.Kind {
	case layout.User:
		return "dir", "user PKI directory"
	case layout.PKIPath:
		return "dir", "pkipath directory"
	case layout.QEMU:
		return "dir", "QEMU TLS directory"
	}
	in := func(r layout.Role) bool {
		f, ok := l.File(r)
		return ok && filepath.Dir(f.Path) == d.Path
	}
	switch {
	case in(layout.CACert):
		return "ca-dir", "system CA directory"
	case in(layout.ServerKey) || in(layout.ClientKey):
		return "key-dir", "system key directory"
	case in(layout.ServerCert) || in(layout.ClientCert):
		return "cert-dir", "system certificate directory"
	}
	return "pki-dir", "system PKI directory"
}

// checkDir reports a layout directory's existence, owner and mode once per
// run. prefix starts the id ("" for the scope's name).
func (a *audit) checkDir(scope Scope, prefix string, l layout.Layout, d layout.Dir) bool {
	if a.checked[d.Path] {
		return true
	}
	a.checked[d.Path] = true
	name, what := dirName(l, d)
	o := object{
		path: d.Path, what: what, dir: true, mode: d.Mode, owner: d.Owner,
		missingFix: fmt.Sprintf("install -d -m %04o -o %s -g %s %s", d.Mode.Perm(), nameOr(layout.UserName(d.Owner.UID), d.Owner.UID), nameOr(layout.GroupName(d.Owner.GID), d.Owner.GID), shellQuote(d.Path)),
	}
	if d.Mode.Perm()&0o005 != 0 {
		o.strictNote = "other users cannot reach the files below it"
	}
	if prefix == "" {
		prefix = string(scope)
	}
	f, st := a.checkObject(scope, fmt.Sprintf("%s.%s.access", prefix, name), o)
	a.dirResults[d.Path] = f
	a.add(f)
	return st.exists
}

// fileObject builds the object for a layout file.
func fileObject(f layout.File, what string) object {
	o := object{
		path: f.Path, what: what, mode: f.Mode, owner: f.Owner, optional: f.Optional,
		secret: f.Role == layout.ServerKey || f.Role == layout.ClientKey,
	}
	if f.Mode.Perm()&0o044 != 0 {
		o.strictNote = "only its owner can read it"
		if f.Role == layout.ClientKey || f.Role == layout.CACert || f.Role == layout.ClientCert {
			o.strictNote = "non-root clients on this host cannot read it"
		}
	}
	return o
}

// caFile reports the CA file's access and content in scope, once per run.
func (a *audit) caFile(scope Scope, id string, l layout.Layout, path, target string) {
	if a.checked[path] {
		return
	}
	a.checked[path] = true
	lf := layoutFile(l, layout.CACert, path)
	o := fileObject(lf, "CA certificate")
	o.missingFix = a.fixInstallCA(target)
	f, st := a.checkObject(scope, id+".access", o)
	a.add(f)
	if !st.exists {
		return
	}
	cf := a.certFile(path)
	if errors.Is(cf.err, fs.ErrPermission) {
		a.add(notReadable(id, scope, path, "CA certificate"))
		return
	}
	if cf.err != nil {
		msg := fmt.Sprintf("CA certificate %s %s", path, clause(cf.err.Error()))
		if errors.Is(cf.err, libvirtcert.ErrTooLarge) {
			msg += "; install a file with only the CAs that issue libvirt certificates"
		}
		a.add(finding.Finding{ID: id + ".read", Scope: string(scope), Status: finding.Fail, Path: path,
			Message: msg, Fix: a.caReadFix(cf, target)})
		return
	}
	a.add(finding.Finding{ID: id + ".read", Scope: string(scope), Status: finding.Pass, Path: path,
		Message: fmt.Sprintf("CA certificate %s holds %s: %s", path, plural(len(cf.certs), "certificate"), subjectList(cf.certs, 3))})
	if n := len(cf.certs); n > libvirtcert.MaxCACerts {
		a.add(finding.Finding{ID: id + ".count", Scope: string(scope), Status: finding.Warn, Path: path,
			Message: fmt.Sprintf("CA certificate %s holds %d certificates; libvirt's sanity check loads only the first %d", path, n, libvirtcert.MaxCACerts),
			Fix:     fmt.Sprintf("keep only the CAs that issue libvirt certificates in %s (at most %d)", path, libvirtcert.MaxCACerts)})
	}
	cas := firstCAs(cf.certs)
	clean := true
	for i, ca := range cas {
		prefix := id
		label := "CA certificate " + path
		if len(cas) > 1 {
			prefix = fmt.Sprintf("%s[%d]", id, i+1)
			label = fmt.Sprintf("CA certificate #%d (%s) in %s", i+1, subject(ca), path)
		}
		for _, p := range libvirtcert.CheckCertificate(ca, libvirtcert.RoleCA, a.now, libvirtcert.Options{}) {
			clean = false
			a.add(problemFinding(scope, prefix, label, path, p, fixForCAProblem(p, path, target)))
		}
		if f, ok := a.expiryFinding(scope, prefix+".expiry", label, path, ca, fixNewCA(target)); ok {
			a.add(f)
		}
	}
	if clean {
		a.add(finding.Finding{ID: id + ".rules", Scope: string(scope), Status: finding.Pass, Path: path,
			Message: fmt.Sprintf("CA certificate %s meets libvirt's rules for a CA (validity, basic constraints, key usage)", path)})
	}
}

// caReadFix is the fix for a CA file libvirt cannot use.
func (a *audit) caReadFix(cf *certFile, target string) string {
	switch {
	case cf.fix != "":
		return cf.fix
	}
	return a.fixInstallCA(target) + " --backup"
}

// firstCAs is the part of a CA file libvirt's sanity check imports.
func firstCAs(certs []*x509.Certificate) []*x509.Certificate {
	if len(certs) > libvirtcert.MaxCACerts {
		return certs[:libvirtcert.MaxCACerts]
	}
	return certs
}

// userTrustNotes reports the user layout's traps on the trust side: a CA
// at the path libvirt's documentation names but the code never reads, and
// the per-file fallback to the system CA.
func (a *audit) userTrustNotes(l layout.Layout, caPath string) {
	userCA, _ := l.File(layout.CACert)
	docCA := filepath.Join(a.opts.Home, layout.DocumentedUserCACert)
	if exists(docCA) {
		f := finding.Finding{ID: "trust.doc-path-ca", Scope: string(Trust), Path: docCA}
		if exists(userCA.Path) {
			f.Status = finding.Warn
			f.Message = fmt.Sprintf("%s exists but libvirt never reads it (libvirt's documentation names this path; the code reads %s)", docCA, userCA.Path)
			f.Fix = "rm " + shellQuote(docCA)
		} else {
			f.Status = finding.Fail
			f.Message = fmt.Sprintf("CA certificate at %s is never read: libvirt's documentation names this path but the code reads %s (and falls back to %s)", docCA, userCA.Path, caPath)
			f.Fix = fmt.Sprintf("install -d -m 0700 %s && mv %s %s && chmod 0600 %s", shellQuote(filepath.Dir(userCA.Path)), shellQuote(docCA), shellQuote(userCA.Path), shellQuote(userCA.Path))
		}
		a.add(f)
	}
	if caPath != userCA.Path {
		a.add(finding.Finding{ID: "trust.ca.fallback", Scope: string(Trust), Status: finding.Pass, Path: caPath,
			Message: fmt.Sprintf("%s does not exist: libvirt falls back to the system CA %s", userCA.Path, caPath)})
	}
}
