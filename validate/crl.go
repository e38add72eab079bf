package validate

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"

	"github.com/virt-pki/virt-pki/finding"
	"github.com/virt-pki/virt-pki/layout"
	"github.com/virt-pki/virt-pki/libvirtcert"
)

// crlFile is a parsed CRL file (GnuTLS accepts several PEM CRLs in one).
type crlFile struct {
	path  string
	lists []*x509.RevocationList
	err   error
}

// ParseCRLsPEM returns every "X509 CRL" block of data, as libvirt loads a
// CRL file (libvirtcert.ParseCRLs: PEM only, one malformed block fails the
// file). Errors are verb phrases that follow the file's name ("is not a
// PEM CRL ...") and wrap libvirtcert's reasons.
func ParseCRLsPEM(data []byte) ([]*x509.RevocationList, error) {
	lists, err := libvirtcert.ParseCRLs("FILE", data)
	if err != nil {
		return nil, withoutName{err}
	}
	return lists, nil
}

func (a *audit) crlFile(path string) *crlFile {
	if c, ok := a.crls[path]; ok {
		return c
	}
	c := &crlFile{path: path}
	lists, err := libvirtcert.ReadCRLs(path)
	if err != nil {
		c.err = withoutName{err}
	}
	c.lists = lists
	a.crls[path] = c
	return c
}

// crlChecks reports a CRL file once per run: access, parse (libvirt
// refuses to start on an unparseable CRL), signature by a CA of caPath
// (GnuTLS drops CRLs it cannot verify), and freshness. configured marks
// a crl_file set in libvirtd.conf: then a missing file WARNs, because
// revoked clients are silently let in.
func (a *audit) crlChecks(scope Scope, id string, l layout.Layout, path, caPath string, configured bool) {
	if path == "" || a.checked[path] {
		return
	}
	a.checked[path] = true
	if configured && !exists(path) {
		a.add(finding.Finding{ID: id + ".access", Scope: string(scope), Status: finding.Warn, Path: path,
			Message: fmt.Sprintf("crl_file %s does not exist: libvirtd skips it silently, so revoked clients are NOT blocked; generate the CRL there, or point crl_file at the real one", path),
			Fix:     crlGenerateFix(caPath, path)})
		return
	}
	lf := layoutFile(l, layout.CRL, path)
	o := fileObject(lf, "CRL")
	o.optional = true
	f, st := a.checkObject(scope, id+".access", o)
	if f.Status == finding.Skip && !st.blocked {
		f.Message += ": revocation is not checked"
	}
	a.add(f)
	if !st.exists {
		return
	}
	c := a.crlFile(path)
	if errors.Is(c.err, fs.ErrPermission) {
		a.add(notReadable(id, scope, path, "CRL"))
		return
	}
	if c.err != nil {
		fix := crlGenerateFix(caPath, path)
		if errors.Is(c.err, libvirtcert.ErrDERCRL) {
			fix = fmt.Sprintf("%s && mv %s.pem %s", libvirtcert.CRLConvertCommand(shellQuote(path)), shellQuote(path), shellQuote(path))
		}
		a.add(finding.Finding{ID: id + ".read", Scope: string(scope), Status: finding.Fail, Path: path,
			Message: fmt.Sprintf("CRL %s %s: libvirt refuses to start with it (\"Unable to set x509 certificate revocation list\"); regenerate it, or remove it", path, clause(c.err.Error())),
			Fix:     fix})
		return
	}
	n := 0
	for _, l := range c.lists {
		n += len(l.RevokedCertificateEntries)
	}
	a.add(finding.Finding{ID: id + ".read", Scope: string(scope), Status: finding.Pass, Path: path,
		Message: fmt.Sprintf("CRL %s parses (%s, %s revoked)", path, plural(len(c.lists), "list"), plural(n, "certificate"))})

	cas := a.certFile(caPath)
	for i, l := range c.lists {
		prefix := id
		if len(c.lists) > 1 {
			prefix = fmt.Sprintf("%s[%d]", id, i+1)
		}
		if cas.err == nil {
			if issuer := crlIssuer(l, cas.certs); issuer == nil {
				a.add(finding.Finding{ID: prefix + ".signature", Scope: string(scope), Status: finding.Warn, Path: path,
					Message: fmt.Sprintf("CRL %s (issuer %s) is not signed by a CA in %s: GnuTLS ignores it, its revocations are not enforced; regenerate it with that CA", path, dnOf(l.RawIssuer), caPath),
					Fix:     crlGenerateFix(caPath, path)})
			} else {
				a.add(finding.Finding{ID: prefix + ".signature", Scope: string(scope), Status: finding.Pass, Path: path,
					Message: fmt.Sprintf("CRL %s is signed by CA %s", path, subject(issuer))})
			}
		}
		if !l.NextUpdate.IsZero() && l.NextUpdate.Before(a.now) {
			a.add(finding.Finding{ID: prefix + ".fresh", Scope: string(scope), Status: finding.Warn, Path: path,
				Message: fmt.Sprintf("CRL %s is past its next update (%s): peers that check CRL freshness treat revocation data as stale", path, day(l.NextUpdate)),
				Fix:     crlGenerateFix(caPath, path)})
		}
	}
}

// crlGenerateFix is the certtool command that writes a CRL signed by the
// CA of caPath (CAKEY is the CA's private key).
func crlGenerateFix(caPath, path string) string {
	return fmt.Sprintf("certtool --generate-crl --load-ca-privkey CAKEY --load-ca-certificate %s --outfile %s", shellQuote(caPath), shellQuote(path))
}

// crlIssuer returns the CA in cas that signed l, or nil.
func crlIssuer(l *x509.RevocationList, cas []*x509.Certificate) *x509.Certificate {
	for _, ca := range cas {
		if bytes.Equal(ca.RawSubject, l.RawIssuer) && l.CheckSignatureFrom(ca) == nil {
			return ca
		}
	}
	return nil
}

// revocation reports the CRL entry that revokes leaf, if any CRL of path
// issued by leaf's issuer lists its serial (libvirtcert.Revoked).
func (a *audit) revocation(leaf *x509.Certificate, path string) (*x509.RevocationListEntry, bool) {
	if path == "" || !exists(path) {
		return nil, false
	}
	return libvirtcert.Revoked(a.crlFile(path).lists, leaf)
}
