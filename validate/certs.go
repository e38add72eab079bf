package validate

import (
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/virt-pki/virt-pki/finding"
	"github.com/virt-pki/virt-pki/libvirtcert"
)

// The problem ids of libvirtcert that the audit treats specially.
const (
	problemKeyEncipherment = libvirtcert.IDKUNoKeyEncipherment
	problemGnuTLSUnusable  = libvirtcert.IDGnuTLSWillNotUse
	problemExpired         = libvirtcert.IDExpired
	problemNotYetValid     = libvirtcert.IDNotYetValid
)

// certRules applies libvirt's virNetTLSCertCheck rules to leaf. Whether an
// ECDSA certificate without keyEncipherment passes depends on the libvirt
// release (the RFC 8813 exemption); then the installed release decides and
// a finding says so.
func (a *audit) certRules(f idFiles, leaf *x509.Certificate) {
	s := f.scope
	strict := libvirtcert.CheckCertificate(leaf, f.role, a.now, libvirtcert.Options{})
	lenient := libvirtcert.CheckCertificate(leaf, f.role, a.now, libvirtcert.Options{ECExemptFromKeyEncipherment: true})
	probs := strict
	label := fmt.Sprintf("%s certificate %s", f.side(), f.cert)
	fix := a.fixReissue(f, leaf)
	if hasProblem(strict, problemKeyEncipherment) && !hasProblem(lenient, problemKeyEncipherment) {
		v := a.libvirtVersion()
		p, _ := findProblem(strict, problemKeyEncipherment)
		fi := finding.Finding{ID: f.id("cert") + ".ec-key-encipherment", Scope: string(s), Path: f.cert}
		if v.exemptsEC() {
			probs = lenient
			fi.Status = finding.Warn
			fi.Message = fmt.Sprintf("%s has an ECDSA key and its key usage lacks keyEncipherment: libvirt %s (%s) accepts that (RFC 8813), but peers running libvirt before %s refuse it (%q); the fix reissues it with keyEncipherment, which every release accepts",
				label, v.version, v.source, ecExemptSince, p.Text(f.cert))
			fi.Fix = fix
		} else {
			probs = without(strict, problemKeyEncipherment)
			fi.Status = finding.Fail
			if !p.Fatal {
				fi.Status = finding.Warn
			}
			fi.Message = fmt.Sprintf("%s has an ECDSA key and its %s key usage lacks keyEncipherment: libvirt %s (%s) does not apply the RFC 8813 exemption (added in libvirt %s) and says %q; the fix reissues it with keyEncipherment (upgrading libvirt to %s or later also works)",
				label, criticality(p.Fatal), v.version, v.source, ecExemptSince, p.Text(f.cert), ecExemptSince)
			fi.Fix = fix
		}
		a.add(fi)
	}
	if p, ok := findProblem(probs, libvirtcert.IDKUNoDigitalSignature); ok && p.Fatal {
		probs = without(probs, problemGnuTLSUnusable) // libvirt already refuses it
	}
	clean := true
	for _, p := range probs {
		clean = false
		a.add(problemFinding(s, f.id("cert"), label, f.cert, p, fix))
	}
	if clean {
		a.add(finding.Finding{ID: f.id("cert") + ".rules", Scope: string(s), Status: finding.Pass, Path: f.cert,
			Message: fmt.Sprintf("%s meets libvirt's rules for a %s certificate (validity, basic constraints, key usage, key purpose)", label, f.role)})
	}
}

func criticality(fatal bool) string {
	if fatal {
		return "critical"
	}
	return "non-critical"
}

// problemFinding turns one libvirt rule violation into a finding: FAIL
// when libvirt refuses the certificate, WARN when it only logs a warning.
func problemFinding(s Scope, prefix, label, path string, p libvirtcert.Problem, fix string) finding.Finding {
	f := finding.Finding{ID: prefix + "." + p.ID, Scope: string(s), Path: path, Fix: fix}
	text := p.Text(path)
	switch {
	case p.ID == problemGnuTLSUnusable:
		f.Status = finding.Fail
		f.Message = fmt.Sprintf("%s passes libvirt's start-up check but GnuTLS will not use it in a handshake: %s", label, text)
	case p.Fatal:
		f.Status = finding.Fail
		f.Message = fmt.Sprintf("%s: libvirt refuses it: %q", label, text)
	default:
		f.Status = finding.Warn
		f.Message = fmt.Sprintf("%s: libvirt accepts it but logs %q", label, text)
		if strings.HasPrefix(p.ID, "eku-") {
			f.Message += "; strict TLS peers (Go, OpenSSL, QEMU) refuse it"
		}
	}
	return f
}

func hasProblem(ps []libvirtcert.Problem, id string) bool {
	_, ok := findProblem(ps, id)
	return ok
}

func findProblem(ps []libvirtcert.Problem, id string) (libvirtcert.Problem, bool) {
	for _, p := range ps {
		if p.ID == id {
			return p, true
		}
	}
	return libvirtcert.Problem{}, false
}

func without(ps []libvirtcert.Problem, id string) []libvirtcert.Problem {
	var out []libvirtcert.Problem
	for _, p := range ps {
		if p.ID != id {
			out = append(out, p)
		}
	}
	return out
}

// chain verifies leaf against the first 16 certificates of its CA file, as
// libvirt's sanity check does, and explains a failure.
func (a *audit) chain(f idFiles, leaf *x509.Certificate) {
	s := f.scope
	if f.ca == "" || !exists(f.ca) {
		return
	}
	cf := a.certFile(f.ca)
	if cf.err != nil {
		a.add(finding.Finding{ID: f.id("cert") + ".chain", Scope: string(s), Status: finding.Skip, Path: f.cert,
			Message: fmt.Sprintf("chain of %s not verified: the CA file %s is unusable", f.cert, f.ca)})
		return
	}
	err := libvirtcert.VerifyChain(leaf, cf.certs, a.now)
	if err == nil {
		a.add(finding.Finding{ID: f.id("cert") + ".chain", Scope: string(s), Status: finding.Pass, Path: f.cert,
			Message: fmt.Sprintf("%s certificate %s verifies against %s", f.side(), f.cert, f.ca)})
		return
	}
	msg := fmt.Sprintf("%s certificate %s does not verify against %s: %v", f.side(), f.cert, f.ca, err)
	fix := a.fixReissue(f, leaf)
	var ce *libvirtcert.ChainError
	timeOnly := errors.As(err, &ce) && ce.Status&^(libvirtcert.StatusInvalid|libvirtcert.StatusExpired|libvirtcert.StatusNotActivated) == 0
	if i := issuerIndex(leaf, cf.certs); timeOnly {
		// The expired or not yet valid certificate (this one or its CA)
		// already FAILs with its fix: one cause, one FAIL.
		a.add(finding.Finding{ID: f.id("cert") + ".chain", Scope: string(s), Status: finding.Skip, Path: f.cert,
			Message: fmt.Sprintf("%s certificate %s is signed by a CA in %s, but the chain fails on time only (%v): the validity findings above carry the fix", f.side(), f.cert, f.ca, err)})
		return
	} else if i >= libvirtcert.MaxCACerts {
		msg = fmt.Sprintf("%s certificate %s does not verify against %s: its issuer %s is certificate #%d of that file, and libvirt loads only the first %d; move it to the top or drop unrelated CAs",
			f.side(), f.cert, f.ca, dnOf(leaf.RawIssuer), i+1, libvirtcert.MaxCACerts)
		fix = moveToTopFix(f.ca, i)
	} else {
		if i < 0 {
			msg += fmt.Sprintf(" (issuer %s; the CA file holds %s)", dnOf(leaf.RawIssuer), subjectList(cf.certs, 3))
		}
		msg += fmt.Sprintf("; install the CA that issued it as %s (virt-pki install --role ca --ca-cert ISSUER.pem %s --backup), or reissue it from the CA of %s with the fix", f.ca, a.targetFor(f), f.ca)
	}
	a.add(finding.Finding{ID: f.id("cert") + ".chain", Scope: string(s), Status: finding.Fail, Path: f.cert, Message: msg, Fix: fix})
}

// moveToTopFix is the command that moves certificate #i+1 of a PEM file
// to its top (keeping a backup), so that libvirt's first 16 include it.
func moveToTopFix(path string, i int) string {
	q := shellQuote(path)
	prog := fmt.Sprintf(`BEGIN{n=0} /-----BEGIN CERTIFICATE-----/{n++} {b[n]=b[n] $0 ORS} END{printf "%%s%%s", b[0], b[%d]; for (k=1; k<=n; k++) if (k!=%d) printf "%%s", b[k]}`, i+1, i+1)
	return fmt.Sprintf("cp -p %s %s.bak && awk '%s' %s.bak > %s", q, q, prog, q, q)
}

// issuerIndex is the index of the certificate in cas that signed leaf, or -1.
func issuerIndex(leaf *x509.Certificate, cas []*x509.Certificate) int {
	for i, ca := range cas {
		if leaf.CheckSignatureFrom(ca) == nil {
			return i
		}
	}
	return -1
}

// expiryFinding reports the validity window: nothing when libvirt's rules
// already flag the certificate as expired or not yet valid, WARN within
// WarnWithin of the end, PASS otherwise.
func (a *audit) expiryFinding(s Scope, id, label, path string, c *x509.Certificate, fix string) (finding.Finding, bool) {
	if a.now.After(c.NotAfter) || a.now.Before(c.NotBefore) {
		return finding.Finding{}, false
	}
	left := c.NotAfter.Sub(a.now)
	if w := a.opts.warnWithin(); w > 0 && left < w {
		return finding.Finding{ID: id, Scope: string(s), Status: finding.Warn, Path: path,
			Message: fmt.Sprintf("%s expires in %s, on %s", label, humanDays(left), day(c.NotAfter)), Fix: fix}, true
	}
	return finding.Finding{ID: id, Scope: string(s), Status: finding.Pass, Path: path,
		Message: fmt.Sprintf("%s is valid until %s", label, day(c.NotAfter))}, true
}

func humanDays(d time.Duration) string {
	days := libvirtcert.WholeDays(d)
	switch {
	case days >= 2:
		return fmt.Sprintf("%d days", days)
	case d >= time.Hour:
		return fmt.Sprintf("%d hours", int(d.Hours()))
	}
	return fmt.Sprintf("%d minutes", int(d.Minutes()))
}

func day(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// subject is the certificate's subject as virt-pki-query-dn prints it.
func subject(c *x509.Certificate) string { return dnOf(c.RawSubject) }

func dnOf(raw []byte) string {
	if s, err := libvirtcert.FormatDN(raw); err == nil && s != "" {
		return "'" + s + "'"
	}
	return "(empty subject)"
}

func subjectList(certs []*x509.Certificate, max int) string {
	var parts []string
	for i, c := range certs {
		if i == max {
			parts = append(parts, fmt.Sprintf("and %d more", len(certs)-max))
			break
		}
		parts = append(parts, subject(c))
	}
	return strings.Join(parts, ", ")
}
