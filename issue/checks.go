package issue

import (
	"crypto"
	"crypto/x509"
	"fmt"
	"time"

	"github.com/virt-pki/virt-pki/ca"
	"github.com/virt-pki/virt-pki/keys"
	"github.com/virt-pki/virt-pki/libvirtcert"
)

// checkUsable refuses a signed certificate that can never work: one that
// is already expired at now, one whose validity is empty or negative, and
// one whose PEM file is larger than libvirt reads (libvirtcert.MaxFileSize).
// Nothing has been written when it runs, so a refusal leaves no files.
func checkUsable(cert *x509.Certificate, pemLen int, name string, now time.Time) error {
	if !cert.NotAfter.After(cert.NotBefore) {
		return fmt.Errorf("%s: the certificate would have no validity (notBefore %s, notAfter %s); check activation_date, expiration_date and --days",
			name, cert.NotBefore.UTC().Format(time.RFC3339), cert.NotAfter.UTC().Format(time.RFC3339))
	}
	if !cert.NotAfter.After(now) {
		return fmt.Errorf("%s: the certificate would already be expired (notAfter %s is not after now, %s); fix expiration_date or expiration_days",
			name, cert.NotAfter.UTC().Format(time.RFC3339), now.UTC().Truncate(time.Second).Format(time.RFC3339))
	}
	if pemLen > libvirtcert.MaxFileSize {
		return fmt.Errorf("%s: the certificate would be %d bytes, larger than the %d bytes libvirt reads from a certificate file; use fewer names (dns_name, ip_address, ...)",
			name, pemLen, libvirtcert.MaxFileSize)
	}
	return nil
}

// checkNotCAKey refuses a subject key that is the CA's own key: the leaf
// and the CA would share one key pair, so the leaf's key could sign
// certificates that every peer trusting the CA accepts.
func checkNotCAKey(authority *ca.CA, key crypto.Signer) error {
	if key == nil || authority == nil || authority.Cert == nil {
		return nil
	}
	if keys.MatchesCertificate(key, authority.Cert) {
		return fmt.Errorf("the subject key is the CA's own key (%s); a leaf must have its own key: drop --load-privkey to generate one", authority.CertPath)
	}
	return nil
}
