package validate

import (
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/virt-pki/virt-pki/finding"
	"github.com/virt-pki/virt-pki/keys"
	"github.com/virt-pki/virt-pki/layout"
	"github.com/virt-pki/virt-pki/libvirtcert"
)

// idFiles are the files one side (server or client) uses, with the layout
// whose owner and mode each must have.
type idFiles struct {
	scope Scope
	role  libvirtcert.Role
	// layout holds the expectations for cert and key, caLayout for the CA.
	layout, caLayout   layout.Layout
	ca, crl, cert, key string
	// crlConfigured: crl_file is set in libvirtd.conf, so a missing file
	// matters.
	crlConfigured bool
	// notes are findings explaining how the files were chosen.
	notes []finding.Finding
	// target is the install command's layout flags for these files
	// ("--system", "--pkipath DIR", "--qemu=DIR").
	target string
	// prefix replaces the scope in ids ("qemu[qemu].server"), for scopes
	// with several sides.
	prefix string
}

// side names the files' user in messages: "server", "QEMU client".
func (f idFiles) side() string {
	if f.scope == QEMU {
		return "QEMU " + f.role.String()
	}
	return f.role.String()
}

// id is the id stem of kind ("cert", "key") for this side: "server.cert".
func (f idFiles) id(kind string) string {
	if f.prefix != "" {
		return f.prefix + "." + kind
	}
	return string(f.scope) + "." + kind
}

// serverFiles are the files libvirtd uses in the selected mode, with
// libvirtd.conf's overrides applied in SystemMode.
func (a *audit) serverFiles() idFiles {
	l := a.baseLayout()
	get := func(r layout.Role) string { f, _ := l.File(r); return f.Path }
	f := idFiles{scope: Server, role: libvirtcert.RoleServer, layout: l, caLayout: l, target: a.installTarget(),
		ca: get(layout.CACert), crl: get(layout.CRL), cert: get(layout.ServerCert), key: get(layout.ServerKey)}
	if a.opts.Mode == SystemMode && a.conf != nil {
		sf, _ := layout.EffectiveServerFiles(a.opts.Root, a.conf)
		if sf.Custom {
			f.ca, f.cert, f.key, f.crl = sf.CACert, sf.ServerCert, sf.ServerKey, sf.CRL
			f.crlConfigured = sf.CRL != ""
			f.target += " --libvirtd-conf " + shellQuote(a.conf.Path)
			f.notes = append(f.notes, finding.Finding{ID: "server.conf.paths", Scope: string(Server), Status: finding.Pass, Path: a.conf.Path,
				Message: fmt.Sprintf("%s sets the TLS files: auditing ca_file=%s cert_file=%s key_file=%s", a.conf.Path, orUnset(sf.CACert), orUnset(sf.ServerCert), orUnset(sf.ServerKey))})
		}
	}
	return f
}

// clientFiles are the files a libvirt client uses in the selected mode; in
// UserMode with libvirt's per-file (CA, CRL) and per-pair (cert and key)
// fallbacks to the system layout.
func (a *audit) clientFiles() idFiles {
	l := a.baseLayout()
	get := func(r layout.Role) string { f, _ := l.File(r); return f.Path }
	f := idFiles{scope: Client, role: libvirtcert.RoleClient, layout: l, caLayout: l, target: a.installTarget(),
		ca: get(layout.CACert), crl: get(layout.CRL), cert: get(layout.ClientCert), key: get(layout.ClientKey)}
	if a.opts.Mode != UserMode {
		return f
	}
	euid := a.opts.UID
	if euid == 0 {
		euid = 1 // audit what a non-root user with this home would get
		f.notes = append(f.notes, finding.Finding{ID: "client.user.root", Scope: string(Client), Status: finding.Warn, Path: get(layout.CACert),
			Message: "auditing the per-user layout as root: libvirt clients running as root ignore $HOME/.pki/libvirt and use /etc/pki",
			Fix:     "run virt-pki validate --user as the user who runs virsh"})
	}
	c := layout.ClientCredentials(a.opts.Root, "", a.opts.Home, euid, exists)
	sys := a.systemLayout()
	if c.CACert != f.ca {
		f.caLayout = sys
	}
	if c.ClientCert != f.cert {
		f.layout = sys
		userCert, userKey := f.cert, f.key
		ce, ke := exists(userCert), exists(userKey)
		if ce != ke {
			lone, other := userCert, userKey
			if ke {
				lone, other = userKey, userCert
			}
			st := finding.Warn
			if c.NoCertificate {
				st = finding.Fail
			}
			f.notes = append(f.notes, finding.Finding{ID: "client.user.pair", Scope: string(Client), Status: st, Path: lone,
				Message: fmt.Sprintf("%s exists but %s does not: libvirt ignores the lone file and falls back to the system pair %s + %s", lone, other, c.ClientCert, c.ClientKey),
				Fix:     fmt.Sprintf("install %s next to %s (cert and key must both be in %s)", other, lone, l.Base)})
		}
		if privKey := l.Base + "/private/" + layout.NameClientKey; exists(privKey) {
			f.notes = append(f.notes, finding.Finding{ID: "client.user.private-dir", Scope: string(Client), Status: finding.Fail, Path: privKey,
				Message: fmt.Sprintf("%s is never read: the per-user layout keeps the key directly in %s (no private/)", privKey, l.Base),
				Fix:     fmt.Sprintf("mv %s %s && chmod 0600 %s", shellQuote(privKey), shellQuote(userKey), shellQuote(userKey))})
		}
	}
	f.ca, f.crl, f.cert, f.key = c.CACert, c.CRL, c.ClientCert, c.ClientKey
	return f
}

func orUnset(s string) string {
	if s == "" {
		return "(unset)"
	}
	return s
}

// identityTrust reports, in the trust scope, the CA file and CRL one side
// checks peers against, unless the trust scope already did: with only
// the server or client scope selected, and for a CA or CRL that
// libvirtd.conf points elsewhere ("trust.server-ca").
func (a *audit) identityTrust(f idFiles) {
	caPath := f.ca
	if caPath != "" {
		id := "trust.ca"
		if tp, _ := a.trustCA(); tp != caPath {
			id = "trust." + f.role.String() + "-ca"
		}
		for _, d := range dirsOf(f.caLayout, caPath) {
			a.checkDir(Trust, "", f.caLayout, d)
		}
		a.caFile(Trust, id, f.caLayout, caPath, a.targetFor(f))
	}
	if f.crl != "" {
		id := "trust.crl"
		if f.crl != a.trustCRL() {
			id = "trust." + f.role.String() + "-crl"
		}
		a.crlChecks(Trust, id, f.caLayout, f.crl, caPath, f.crlConfigured)
	}
}

// identity runs every check of one side: directories, owner and mode of
// key and certificate, parsing, key match, libvirt's rules, chain,
// GnuTLS usability, expiry, revocation and, for a server, host names. The
// CA and CRL are identityTrust's.
func (a *audit) identity(f idFiles) {
	s := f.scope
	for _, n := range f.notes {
		a.add(n)
	}
	for _, p := range []string{f.key, f.cert} {
		if p == "" {
			continue
		}
		for _, d := range dirsOf(f.layout, p) {
			a.checkDir(s, "", f.layout, d)
		}
	}
	side := s.String()
	keyOK := a.idObject(f, true, side+" key")
	certOK := a.idObject(f, false, side+" certificate")

	var leaf *x509.Certificate // for the fixes of key findings
	if certOK {
		if cf := a.certFile(f.cert); cf.err == nil {
			leaf = cf.certs[0]
		}
	}
	var kf *keyFile
	if keyOK {
		kf = a.keyRead(f, leaf)
	}
	if !certOK {
		return
	}
	cf := a.certFile(f.cert)
	if errors.Is(cf.err, fs.ErrPermission) {
		a.add(notReadable(f.id("cert"), s, f.cert, side+" certificate"))
		return
	}
	if cf.err != nil {
		a.add(a.certReadFinding(f, cf))
		return
	}
	msg := fmt.Sprintf("%s certificate %s is %s, issued by %s", side, f.cert, subject(leaf), dnOf(leaf.RawIssuer))
	if len(cf.certs) > 1 {
		msg += fmt.Sprintf(" (libvirt uses only the first of its %d certificates)", len(cf.certs))
	}
	a.add(finding.Finding{ID: f.id("cert") + ".read", Scope: string(s), Status: finding.Pass, Path: f.cert, Message: msg})

	if kf != nil {
		a.keyMatch(f, leaf, kf)
	}
	a.certRules(f, leaf)
	a.chain(f, leaf)
	if e, ok := a.revocation(leaf, f.crl); ok {
		a.add(finding.Finding{ID: f.id("cert") + ".revoked", Scope: string(s), Status: finding.Fail, Path: f.cert,
			Message: fmt.Sprintf("%s certificate %s (serial %s) is revoked by %s since %s: peers loading that CRL refuse it (\"The certificate has been revoked.\")", side, f.cert, leaf.SerialNumber.Text(16), f.crl, day(e.RevocationTime)),
			Fix:     a.fixReissue(f, leaf)})
	}
	if ef, ok := a.expiryFinding(s, f.id("cert")+".expiry", side+" certificate "+f.cert, f.cert, leaf, a.fixReissue(f, leaf)); ok {
		a.add(ef)
	}
	if f.role == libvirtcert.RoleServer {
		a.checkHostnames(f, leaf)
	}
}

// keyRead reports whether f's key file holds a usable private key and
// returns it (nil when not). When the certificate and key files are
// swapped, the certificate's finding carries the fix and this one SKIPs.
func (a *audit) keyRead(f idFiles, leaf *x509.Certificate) *keyFile {
	id, s, what := f.id("key")+".read", string(f.scope), f.side()+" key"
	kf := a.keyFile(f.key)
	switch {
	case errors.Is(kf.err, fs.ErrPermission):
		a.add(notReadable(f.id("key"), f.scope, f.key, what))
	case kf.err != nil && a.swapped(f):
		a.add(finding.Finding{ID: id, Scope: s, Status: finding.Skip, Path: f.key,
			Message: fmt.Sprintf("%s %s holds the certificate and %s the private key: the files are swapped (the fix of %s swaps them back)", what, f.key, f.cert, f.id("cert")+".read")})
	case kf.err != nil:
		a.add(finding.Finding{ID: id, Scope: s, Status: finding.Fail, Path: f.key,
			Message: fmt.Sprintf("%s %s: %v", what, f.key, kf.err), Fix: a.fixKeyRead(f, kf.err, leaf)})
	default:
		a.add(finding.Finding{ID: id, Scope: s, Status: finding.Pass, Path: f.key,
			Message: fmt.Sprintf("%s %s is an %s private key", what, f.key, keys.Describe(kf.pub))})
		return kf
	}
	return nil
}

// certReadFinding is the FAIL for a certificate file libvirt cannot use.
func (a *audit) certReadFinding(f idFiles, cf *certFile) finding.Finding {
	fi := finding.Finding{ID: f.id("cert") + ".read", Scope: string(f.scope), Status: finding.Fail, Path: f.cert,
		Message: fmt.Sprintf("%s certificate %s %s", f.side(), f.cert, clause(cf.err.Error())), Fix: cf.fix}
	switch {
	case errors.Is(cf.err, libvirtcert.ErrPrivateKey) && a.swapped(f):
		fi.Message = fmt.Sprintf("%s certificate %s holds the private key and %s the certificate: the files are swapped", f.side(), f.cert, f.key)
		fi.Fix = swapFix(f)
	case errors.Is(cf.err, libvirtcert.ErrPrivateKey):
		fi.Fix = a.installPairFix(f)
	case errors.Is(cf.err, libvirtcert.ErrTooLarge):
		fi.Message += "; libvirt uses only the first certificate of the file, so keep that one alone"
		fi.Fix = firstCertFix(f.cert)
	case fi.Fix == "":
		fi.Fix = a.fixReissue(f, nil)
	}
	return fi
}

// String is the scope's word in messages ("server").
func (s Scope) String() string { return string(s) }

func layoutRole(r libvirtcert.Role, key bool) layout.Role {
	switch {
	case r == libvirtcert.RoleServer && key:
		return layout.ServerKey
	case r == libvirtcert.RoleServer:
		return layout.ServerCert
	case key:
		return layout.ClientKey
	}
	return layout.ClientCert
}

// idObject reports the access of a certificate or key file and whether it
// exists as a regular file.
func (a *audit) idObject(f idFiles, key bool, what string) bool {
	s, id, l, r, path := f.scope, f.id("cert"), f.layout, layoutRole(f.role, key), f.cert
	if key {
		id, path = f.id("key"), f.key
	}
	if path == "" {
		a.add(finding.Finding{ID: id + ".access", Scope: string(s), Status: finding.Skip,
			Message: what + " path is not set (see the libvirtd.conf findings)"})
		return false
	}
	o := fileObject(layoutFile(l, r, path), what)
	o.optional = false
	o.missingFix = a.fixReissue(f, nil)
	fi, st := a.checkObject(s, id+".access", o)
	if fi.Status == finding.Fail && !st.exists && o.missingFix != "" {
		fi.Message += fmt.Sprintf(": this host cannot act as a %s", sideOf(r))
	}
	a.add(fi)
	return st.exists
}

func sideOf(r layout.Role) string {
	if r == layout.ServerCert || r == layout.ServerKey {
		return "TLS server"
	}
	return "TLS client"
}

// keyMatch reports whether the key belongs to the certificate; libvirt
// only finds out when GnuTLS loads the pair.
func (a *audit) keyMatch(f idFiles, cert *x509.Certificate, kf *keyFile) {
	s := f.scope
	if publicKeysEqual(kf.pub, cert.PublicKey) {
		a.add(finding.Finding{ID: f.id("key") + ".match", Scope: string(s), Status: finding.Pass, Path: f.key,
			Message: fmt.Sprintf("%s key %s belongs to %s", f.side(), f.key, f.cert)})
		return
	}
	a.add(finding.Finding{ID: f.id("key") + ".match", Scope: string(s), Status: finding.Fail, Path: f.key,
		Message: fmt.Sprintf("%s key %s does not belong to %s: GnuTLS refuses the pair (\"The certificate and the given key do not match.\"); install the key that was issued with the certificate, or reissue both with the fix", f.side(), f.key, f.cert),
		Fix:     a.fixReissue(f, cert)})
}

// publicKeysEqual compares a private key's public half with a
// certificate's key (what GnuTLS compares when it loads the pair).
func publicKeysEqual(a, b crypto.PublicKey) bool {
	k, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && b != nil && k.Equal(b)
}

// notReadable is the finding for a file the auditing user may not read:
// its content is not judged (the owner and mode finding says whether the
// file's real users can read it).
func notReadable(id string, s Scope, path, what string) finding.Finding {
	return finding.Finding{ID: id + ".read", Scope: string(s), Status: finding.Skip, Path: path,
		Message: fmt.Sprintf("%s %s is not readable by uid %d: its content was not checked (run the audit as root)", what, path, os.Getuid())}
}
