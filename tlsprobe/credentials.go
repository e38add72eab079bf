package tlsprobe

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/virt-pki/virt-pki/finding"
	"github.com/virt-pki/virt-pki/keys"
	"github.com/virt-pki/virt-pki/layout"
	"github.com/virt-pki/virt-pki/libvirtcert"
)

// Credentials chooses the client files for a target.
type CredentialsSource struct {
	// CACert, Cert and Key, when set, replace the file libvirt would
	// locate for that role (--cacert, --cert, --key).
	CACert, Cert, Key string
	// Root prefixes the system paths ("" for the real host).
	Root string
	// Home and EUID drive libvirt's lookup (non-root: $HOME/.pki/libvirt).
	Home string
	EUID int
}

// locate reproduces the libvirt client's choice of files for t
// (layout.ClientCredentials) and applies explicit overrides.
func (s CredentialsSource) locate(t Target) CredentialsReport {
	pkipath := ""
	if t.HasPKIPath {
		pkipath = t.PKIPath
	}
	c := layout.ClientCredentials(s.Root, pkipath, s.Home, s.EUID, exists)
	r := CredentialsReport{CACert: c.CACert, ClientCert: c.ClientCert, ClientKey: c.ClientKey, Why: append([]string{}, c.Why...)}
	if c.CRLPresent {
		r.CRL = c.CRL
	}
	if s.CACert == "" && s.Cert == "" {
		return r
	}
	// Explicit files: keep only the lookup lines about what is still
	// located the libvirt way.
	var why []string
	for _, w := range r.Why {
		if s.Cert != "" && strings.Contains(w, "client certificate") {
			continue
		}
		if s.CACert != "" && s.Cert != "" && !strings.Contains(w, "CRL") {
			continue
		}
		why = append(why, w)
	}
	if s.CACert != "" {
		r.CACert, r.explicitCA = s.CACert, true
		why = append(why, "--cacert "+s.CACert+" replaces the CA file libvirt would read ("+c.CACert+")")
	}
	if s.Cert != "" {
		r.ClientCert, r.ClientKey, r.explicitPair = s.Cert, s.Key, true
		why = append(why, "--cert/--key "+s.Cert+", "+s.Key+" replace the client pair libvirt would read ("+c.ClientCert+", "+c.ClientKey+")")
	}
	r.Why = why
	return r
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// credentials are the loaded client files with what is wrong with them.
type credentials struct {
	report CredentialsReport
	cas    []*x509.Certificate
	caErr  error
	// crl holds every CRL of the client's CRL file (nil when absent).
	crl []*x509.RevocationList
	// cert is nil when no client certificate will be sent.
	cert     *tls.Certificate
	leaf     *x509.Certificate
	dn       string
	findings finding.List
}

// loadCredentials reads the files in r and checks them the way the libvirt
// client does before it connects (unless noSanity).
func loadCredentials(r CredentialsReport, noSanity bool, now time.Time, opts libvirtcert.Options) *credentials {
	c := &credentials{report: r}
	c.cas, c.caErr = libvirtcert.ReadCertificates(r.CACert)
	switch {
	case errors.Is(c.caErr, fs.ErrNotExist) && r.explicitCA:
		c.findings = append(c.findings, finding.Finding{ID: "ca-missing", Status: finding.Fail, Path: r.CACert,
			Message: fmt.Sprintf("--cacert names a missing file: %s does not exist", r.CACert),
			Fix:     "give --cacert the path of the CA certificate that signed the server's certificate, or leave --cacert out to use the file libvirt would read"})
	case errors.Is(c.caErr, fs.ErrNotExist):
		c.findings = append(c.findings, finding.Finding{ID: "ca-missing", Status: finding.Fail, Path: r.CACert,
			Message: fmt.Sprintf("CA certificate %s does not exist; the libvirt client stops before connecting with: Cannot read CA certificate '%s': No such file or directory", r.CACert, r.CACert),
			Fix:     fmt.Sprintf("install the CA certificate that signed the server's certificate as %s", r.CACert)})
	case c.caErr != nil:
		c.findings = append(c.findings, finding.Finding{ID: "ca-unreadable", Status: finding.Fail, Path: r.CACert,
			Message: fmt.Sprintf("CA certificate file %s %s", r.CACert, libvirtcert.FileReason(c.caErr)),
			Fix:     fmt.Sprintf("replace %s with the PEM CA certificate (at most %d bytes)", r.CACert, libvirtcert.MaxFileSize)})
	}

	if r.CRL != "" {
		crls, err := libvirtcert.ReadCRLs(r.CRL)
		if err != nil {
			fix := fmt.Sprintf("regenerate the CRL (certtool --generate-crl) or remove %s", r.CRL)
			if errors.Is(err, libvirtcert.ErrDERCRL) {
				fix = fmt.Sprintf("convert it to PEM (%s) and install the .pem as %s", libvirtcert.CRLConvertCommand(r.CRL), r.CRL)
			}
			reason := libvirtcert.FileReason(err)
			var fe *libvirtcert.FileError
			if errors.As(err, &fe) && fe.Cause != nil {
				reason = "cannot be used: " + fe.Cause.Error()
			}
			c.findings = append(c.findings, finding.Finding{ID: "crl-unreadable", Status: finding.Fail, Path: r.CRL,
				Message: fmt.Sprintf("CRL %s %s; the libvirt client stops with: Unable to set x509 certificate revocation list: %s", r.CRL, reason, r.CRL),
				Fix:     fix})
		}
		c.crl = crls
	}

	certOK, keyOK := exists(r.ClientCert), exists(r.ClientKey)
	if !certOK || !keyOK {
		missing := r.ClientCert
		if certOK {
			missing = r.ClientKey
		}
		if r.explicitPair {
			opt, what := "--cert", "certificate"
			if certOK {
				opt, what = "--key", "private key"
			}
			c.findings = append(c.findings, finding.Finding{ID: "client-cert-missing", Status: finding.Fail, Path: missing,
				Message: fmt.Sprintf("%s names a missing file: %s does not exist, so no client certificate is sent and libvirtd refuses the connection", opt, missing),
				Fix:     fmt.Sprintf("give %s the path of the client's %s, or leave --cert and --key out to use the files libvirt would read", opt, what)})
			return c
		}
		c.findings = append(c.findings, finding.Finding{ID: "client-cert-missing", Status: finding.Fail, Path: missing,
			Message: fmt.Sprintf("no client certificate: %s does not exist, so libvirt connects without a certificate and libvirtd refuses it (virsh: Unable to read TLS confirmation: Input/output error)", missing),
			Fix:     fmt.Sprintf("install the client certificate and key as %s and %s (issue them with: virt-pki issue client)", r.ClientCert, r.ClientKey)})
		return c
	}
	chain, err := libvirtcert.ReadCertificates(r.ClientCert)
	if err != nil {
		c.findings = append(c.findings, finding.Finding{ID: "client-cert-unreadable", Status: finding.Fail, Path: r.ClientCert,
			Message: fmt.Sprintf("client certificate %s %s; libvirt stops with: Unable to import client certificate %s", r.ClientCert, libvirtcert.FileReason(err), r.ClientCert),
			Fix:     fmt.Sprintf("put the PEM client certificate in %s (is it swapped with the key?)", r.ClientCert)})
		return c
	}
	key, err := keys.ReadPrivateKeyFile(r.ClientKey)
	if err != nil {
		c.findings = append(c.findings, finding.Finding{ID: "client-key-unreadable", Status: finding.Fail, Path: r.ClientKey,
			Message: fmt.Sprintf("client key cannot be used: %v", err),
			Fix:     fmt.Sprintf("put the client's PEM private key in %s", r.ClientKey)})
		return c
	}
	if !keys.MatchesCertificate(key, chain[0]) {
		c.findings = append(c.findings, finding.Finding{ID: "client-key-mismatch", Status: finding.Fail, Path: r.ClientKey,
			Message: fmt.Sprintf("client key %s does not belong to %s; libvirt stops with: Unable to set x509 key and certificate: %s, %s: The certificate and the given key do not match.", r.ClientKey, r.ClientCert, r.ClientKey, r.ClientCert),
			Fix:     "pair the certificate with the key it was issued for, or issue a new client certificate"})
		return c
	}
	tc := &tls.Certificate{PrivateKey: key, Leaf: chain[0]}
	for _, x := range chain {
		tc.Certificate = append(tc.Certificate, x.Raw)
	}
	c.cert, c.leaf = tc, chain[0]
	c.dn, _ = libvirtcert.SubjectDN(c.leaf)
	if noSanity {
		c.findings = append(c.findings, finding.Finding{ID: "no-sanity", Status: finding.Warn,
			Message: "no_sanity=1 in the URI: libvirt skips the check of its own certificate",
			Fix:     "remove no_sanity=1 once the client certificate passes libvirt's checks"})
		return c
	}
	c.findings = append(c.findings, clientSanity(c, now, opts)...)
	return c
}

// clientSanity is libvirt's start-up check of the client's own
// certificate against its own CA file.
func clientSanity(c *credentials, now time.Time, opts libvirtcert.Options) finding.List {
	var out finding.List
	r := c.report
	timeReported := false
	for _, p := range libvirtcert.CheckCertificate(c.leaf, libvirtcert.RoleClient, now, opts) {
		msg := p.Text(r.ClientCert)
		if p.ID == "expired" || p.ID == "not-yet-valid" {
			timeReported = true
		}
		if p.Fatal {
			out = append(out, finding.Finding{ID: "client-cert-" + p.ID, Status: finding.Fail, Path: r.ClientCert,
				Message: fmt.Sprintf("the libvirt client refuses its own certificate before connecting: %s%s", msg, expiryDetail(p.ID, c.leaf)),
				Fix:     clientFix(p.ID)})
		} else {
			out = append(out, finding.Finding{ID: "client-cert-" + p.ID, Status: finding.Warn, Path: r.ClientCert,
				Message: fmt.Sprintf("libvirt only warns: %s", msg), Fix: clientFix(p.ID)})
		}
	}
	if c.caErr == nil {
		// A chain that fails only because of the validity period is
		// reported above already.
		if err := libvirtcert.VerifyChain(c.leaf, c.cas, now); err != nil && !(timeReported && gnutlsReason(err) == "The certificate is not trusted.") {
			out = append(out, finding.Finding{ID: "client-cert-chain", Status: finding.Fail, Path: r.ClientCert,
				Message: fmt.Sprintf("the libvirt client refuses its own certificate before connecting: Our own certificate %s failed validation against %s: %v (certificate issuer: %s)", r.ClientCert, r.CACert, err, dnString(c.leaf.RawIssuer)),
				Fix:     fmt.Sprintf("issue the client certificate from the CA in %s, or put the CA that issued it in %s", r.CACert, r.CACert)})
		}
	}
	return out
}

func clientFix(id string) string {
	switch id {
	case "expired", "not-yet-valid":
		return "issue a new client certificate (virt-pki issue client) and check the host clock"
	case "ku-no-key-encipherment", "ku-no-digital-signature":
		return "reissue the client certificate with signing_key and encryption_key in its template"
	case "eku-no-client":
		return "reissue the client certificate with tls_www_client in its template"
	case "leaf-is-ca":
		return "issue a leaf client certificate (no 'ca' in its template)"
	}
	return "reissue the client certificate"
}

// revoked reports whether a CRL of crls (issued by cert's issuer) lists
// cert (libvirtcert.Revoked, the rule the audit uses too).
func revoked(crls []*x509.RevocationList, cert *x509.Certificate) bool {
	_, ok := libvirtcert.Revoked(crls, cert)
	return ok
}
