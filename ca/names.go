package ca

import (
	"path/filepath"

	"github.com/virt-pki/virt-pki/internal/hostinfo"
)

// libvirt's names for the CA's files, in a CA directory and in every
// pkipath directory (which holds the CA certificate only).
const (
	CertFile = "cacert.pem"
	KeyFile  = "cakey.pem"
)

// DefaultCN is the common name of a CA created without one, on the host
// h: "virt-pki CA on FQDN" (the kernel host name when no FQDN is known),
// or "virt-pki CA" when the host name is unknown.
func DefaultCN(h hostinfo.Host) string {
	if h.FQDN == "" {
		return "virt-pki CA"
	}
	return "virt-pki CA on " + h.FQDN
}

// Files returns the files of a new CA to write in dir: the key (0600,
// unless the CA was created from an existing key) and the certificate
// (0644).
func (c *Created) Files(dir string) []File {
	var files []File
	if c.KeyPEM != nil {
		files = append(files, File{Path: filepath.Join(dir, KeyFile), Data: c.KeyPEM, Mode: 0o600, Kind: PrivateKey})
	}
	return append(files, File{Path: filepath.Join(dir, CertFile), Data: c.CertPEM, Mode: 0o644, Kind: Certificate})
}
