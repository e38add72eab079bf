package ca

import (
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	"github.com/virt-pki/virt-pki/keys"
	"github.com/virt-pki/virt-pki/templates"
)

// DefaultKey is the key `virt-pki ca init` generates: ECDSA P-256. The CA
// key only signs, libvirt checks nothing about its algorithm beyond
// keyCertSign, and libvirt 9.0 accepts ECDSA-signed chains; it makes
// issuing fast and certificates small.
var DefaultKey = keys.Params{Algorithm: keys.ECDSA, Curve: "P-256"}

// DefaultDays is the validity of a new CA: ten years, so that the leaves
// it signs (one year by default) never outlive it in practice.
const DefaultDays = 3650

// DefaultTemplate is the template of a new CA named cn: CA:TRUE with
// keyCertSign and cRLSign (so it can also sign the CRL libvirt reads from
// cacrl.pem).
func DefaultTemplate(cn string, days int) *templates.Template {
	if days == 0 {
		days = DefaultDays
	}
	return &templates.Template{Name: "command line", CN: cn, CA: true, CertSigningKey: true, CRLSigningKey: true, ExpirationDays: days}
}

// ApplyDefaultDays gives a CA template that sets no expiration
// (expiration_days or expiration_date) the CA validity of DefaultDays
// instead of certtool's 365 days, which would make the CA expire together
// with the first leaves it signs. It reports whether it changed t.
func ApplyDefaultDays(t *templates.Template) bool {
	if t.SetsExpiration() {
		return false
	}
	t.ExpirationDays = DefaultDays
	return true
}

// Created is a new CA, not yet written anywhere.
type Created struct {
	Key     crypto.Signer
	KeyPEM  []byte
	Cert    *x509.Certificate
	CertPEM []byte
}

// Create generates a key (unless key is given) and the self-signed CA
// certificate t describes, and checks that the result can act as a CA
// (a template without `ca` or with a key usage lacking keyCertSign is
// refused, naming the template).
func Create(t *templates.Template, key crypto.Signer, params keys.Params, now time.Time) (*Created, error) {
	if !t.CA {
		return nil, fmt.Errorf("%s: the template does not make a CA: add the line `ca` (and `cert_signing_key`)", t.Name)
	}
	var keyPEM []byte
	if key == nil {
		if err := params.Check(); err != nil {
			return nil, err
		}
		k, err := keys.Generate(params)
		if err != nil {
			return nil, err
		}
		key = k
		if keyPEM, err = keys.EncodePEM(k); err != nil {
			return nil, err
		}
	}
	cert, err := SelfSign(t, key, now)
	if err != nil {
		return nil, err
	}
	if err := Check(cert, t.Name, now); err != nil {
		var e *Error
		if errors.As(err, &e) {
			return nil, fmt.Errorf("%s: the template does not make a usable CA: %s", t.Name, e.Msg)
		}
		return nil, err
	}
	return &Created{Key: key, KeyPEM: keyPEM, Cert: cert, CertPEM: EncodeCertificate(cert)}, nil
}
