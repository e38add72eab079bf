package issue

import (
	"crypto"
	"crypto/x509"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/virt-pki/virt-pki/ca"
	"github.com/virt-pki/virt-pki/finding"
	"github.com/virt-pki/virt-pki/keys"
	"github.com/virt-pki/virt-pki/layout"
	"github.com/virt-pki/virt-pki/libvirtcert"
	"github.com/virt-pki/virt-pki/templates"
)

// Request is one server or client certificate to issue.
type Request struct {
	Role     libvirtcert.Role    // RoleServer or RoleClient
	Template *templates.Template // what goes into the certificate; Prepare adjusts it
	// Key is an existing subject key (--load-privkey); nil generates one
	// with KeyParams (DefaultKey when zero). KeyPath, when set, is its file,
	// named in errors about the key.
	Key       crypto.Signer
	KeyPath   string
	KeyParams keys.Params
	CA        *ca.CA
	// Host, for server certificates of this machine, enables the checks of
	// the SANs against its names and addresses.
	Host *Host
	Now  time.Time // zero means time.Now()
}

// Result is an issued certificate and its key.
type Result struct {
	Role    libvirtcert.Role
	Key     crypto.Signer
	KeyPEM  []byte // nil when the request brought its own key
	Cert    *x509.Certificate
	CertPEM []byte
	// DN is the subject as libvirtd compares it with tls_allowed_dn_list
	// (and as virt-pki-query-dn prints it).
	DN       string
	Findings finding.List
}

// Issue prepares the template for libvirt (see Prepare), generates the key
// unless one was given, and has the CA sign the certificate.
func Issue(req Request) (*Result, error) {
	if req.Role != libvirtcert.RoleServer && req.Role != libvirtcert.RoleClient {
		return nil, fmt.Errorf("issue: role must be server or client, not %s", req.Role)
	}
	if req.CA == nil || req.Template == nil {
		return nil, fmt.Errorf("issue: a CA and a template are required")
	}
	now := req.Now
	if now.IsZero() {
		now = time.Now()
	}
	if err := checkNotCAKey(req.CA, req.Key); err != nil {
		if req.KeyPath != "" {
			return nil, fmt.Errorf("%s: %w", req.KeyPath, err)
		}
		return nil, err
	}
	params := req.KeyParams
	if req.Key != nil {
		params = keys.Describe(req.Key.Public())
		if err := checkKey(req.Role, params); err != nil {
			if req.KeyPath != "" {
				return nil, fmt.Errorf("%s: %w", req.KeyPath, err)
			}
			return nil, err
		}
	} else if params.Algorithm == "" {
		params = DefaultKey
	}
	findings, err := Prepare(req.Role, req.Template, params, req.Host)
	if err != nil {
		return nil, err
	}
	if req.Template.Serial != nil && req.Template.Serial.BitLen() < 64 {
		findings = append(findings, finding.Finding{ID: "issue-short-serial", Status: finding.Warn, Path: templatePath(req.Template),
			Message: fmt.Sprintf("the template sets serial = %s, which is predictable; serials should be random (64 bits or more)", req.Template.Serial),
			Fix:     "remove `serial` from the template: virt-pki then uses 20 random bytes, like certtool"})
	}
	res := &Result{Role: req.Role, Key: req.Key}
	if res.Key == nil {
		if err := params.Check(); err != nil {
			return nil, err
		}
		k, err := keys.Generate(params)
		if err != nil {
			return nil, err
		}
		pemBytes, err := keys.EncodePEM(k)
		if err != nil {
			return nil, err
		}
		res.Key, res.KeyPEM = k, pemBytes
	}
	cert, err := req.CA.Sign(req.Template, res.Key.Public(), now)
	if err != nil {
		return nil, err
	}
	res.Cert, res.CertPEM = cert, ca.EncodeCertificate(cert)
	if err := checkUsable(cert, len(res.CertPEM), req.Template.Name, now); err != nil {
		return nil, err
	}
	if cert.NotAfter.After(req.CA.Cert.NotAfter) {
		findings = append(findings, finding.Finding{ID: "issue-outlives-ca", Status: finding.Warn, Path: req.CA.CertPath,
			Message: fmt.Sprintf("the certificate is valid until %s but its CA only until %s (%s earlier); it stops working when the CA expires",
				cert.NotAfter.UTC().Format(outlivesLayout), req.CA.Cert.NotAfter.UTC().Format(outlivesLayout),
				cert.NotAfter.Sub(req.CA.Cert.NotAfter).Round(time.Second)),
			Fix: "issue with fewer --days, or renew the CA first"})
	}
	if dn, err := libvirtcert.SubjectDN(cert); err == nil {
		res.DN = dn
	}
	res.Findings = findings
	return res, nil
}

// outlivesLayout shows validity ends to the second: a leaf issued minutes
// after its CA with the same lifetime outlives it by those minutes.
const outlivesLayout = "2006-01-02 15:04:05 UTC"

// FileNames are libvirt's names for a role's certificate and key:
// servercert.pem/serverkey.pem or clientcert.pem/clientkey.pem.
func FileNames(role libvirtcert.Role) (cert, key string) {
	return role.String() + "cert.pem", role.String() + "key.pem"
}

// Files returns the files to write for r in dir: the key (0600, unless the
// request brought its own) and the certificate (0644).
func (r *Result) Files(dir string) []ca.File {
	certName, keyName := FileNames(r.Role)
	var files []ca.File
	if r.KeyPEM != nil {
		files = append(files, ca.File{Path: filepath.Join(dir, keyName), Data: r.KeyPEM, Mode: 0o600, Kind: ca.PrivateKey})
	}
	return append(files, ca.File{Path: filepath.Join(dir, certName), Data: r.CertPEM, Mode: 0o644, Kind: ca.Certificate})
}

// AllowedDNLine is the libvirtd.conf line that admits exactly the client
// certificate with subject dn, quoted as libvirt's configuration syntax
// reads it back (layout.AllowedDNListLine). Glob characters in dn cannot be
// escaped in tls_allowed_dn_list; they would match more than this DN,
// which widened reports. For a DN libvirt's syntax cannot carry at all
// (both quote kinds and a final '"') the line is a comment saying so.
func AllowedDNLine(dn string) (line string, widened bool) {
	line, err := layout.AllowedDNListLine([]string{dn})
	if err != nil {
		line = "# tls_allowed_dn_list cannot list this DN: " + err.Error()
	}
	return line, strings.ContainsAny(dn, "*?")
}
