package layout

import "path/filepath"

// Credentials are the files a libvirt client will use, and why.
type Credentials struct {
	// CACert is the CA file libvirt reads; it is mandatory (a missing one
	// is fatal and the error names this path).
	CACert string
	// CRL is the CRL path libvirt consults; it is loaded only if it exists
	// (CRLPresent), an absent CRL is skipped silently.
	CRL        string
	CRLPresent bool
	// ClientCert and ClientKey are the pair libvirt tries.
	ClientCert, ClientKey string
	// NoCertificate is true when the client will connect WITHOUT a
	// certificate because the chosen cert or key does not exist (libvirt
	// skips a missing client pair silently; the server then rejects the
	// connection).
	NoCertificate bool
	// Why explains each choice in libvirt's terms, one line per decision.
	Why []string
}

// ClientCredentials reproduces virNetTLSContextLocateCredentials for a
// client: pkipath only (no fallback); non-root: home/.pki/libvirt with the
// CA and CRL falling back per file to /etc/pki/CA and the client cert+key
// falling back as a pair to /etc/pki/libvirt; root: /etc/pki only. exists
// reports whether a path exists (os.Stat in production). root prefixes the
// system paths only; pkipath and home are used as given.
func ClientCredentials(root, pkipath, home string, euid int, exists func(string) bool) Credentials {
	var c Credentials
	switch {
	case pkipath != "":
		dir := filepath.Clean(pkipath)
		c.CACert = filepath.Join(dir, NameCACert)
		c.CRL = filepath.Join(dir, NameCRL)
		c.ClientCert = filepath.Join(dir, NameClientCert)
		c.ClientKey = filepath.Join(dir, NameClientKey)
		c.Why = append(c.Why, "pkipath="+dir+" is given: every file is read from it, with no fallback")
	case euid != 0:
		dir := filepath.Join(home, UserPKIDir)
		c.Why = append(c.Why, "not root and no pkipath: trying "+dir+" first")
		if p := filepath.Join(dir, NameCACert); exists(p) {
			c.CACert = p
			c.Why = append(c.Why, "CA certificate "+p+" exists")
		} else {
			c.CACert = Under(root, SystemCACert)
			c.Why = append(c.Why, p+" does not exist: using the system CA "+c.CACert)
		}
		if p := filepath.Join(dir, NameCRL); exists(p) {
			c.CRL = p
		} else {
			c.CRL = Under(root, SystemCRL)
		}
		cert, key := filepath.Join(dir, NameClientCert), filepath.Join(dir, NameClientKey)
		switch ce, ke := exists(cert), exists(key); {
		case ce && ke:
			c.ClientCert, c.ClientKey = cert, key
			c.Why = append(c.Why, "client certificate and key found in "+dir)
		default:
			c.ClientCert, c.ClientKey = Under(root, SystemClientCert), Under(root, SystemClientKey)
			switch {
			case ce:
				c.Why = append(c.Why, key+" is missing, so "+cert+" is ignored too: using the system client pair")
			case ke:
				c.Why = append(c.Why, cert+" is missing, so "+key+" is ignored too: using the system client pair")
			default:
				c.Why = append(c.Why, "no client certificate and key in "+dir+": using the system client pair")
			}
		}
	default:
		c.CACert = Under(root, SystemCACert)
		c.CRL = Under(root, SystemCRL)
		c.ClientCert = Under(root, SystemClientCert)
		c.ClientKey = Under(root, SystemClientKey)
		c.Why = append(c.Why, "running as root without pkipath: only the system layout is used ($HOME/.pki/libvirt is ignored)")
	}
	c.CRLPresent = exists(c.CRL)
	if !c.CRLPresent {
		c.Why = append(c.Why, "no CRL at "+c.CRL+": revocation is not checked")
	}
	if !exists(c.ClientCert) || !exists(c.ClientKey) {
		c.NoCertificate = true
		c.Why = append(c.Why, "client certificate or key missing: libvirt connects without a client certificate and the server will refuse it")
	}
	return c
}
