package ca

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"time"

	"github.com/virt-pki/virt-pki/keys"
	"github.com/virt-pki/virt-pki/templates"
)

// SelfSign creates the self-signed certificate t describes for key, as
// certtool --generate-self-signed does.
func SelfSign(t *templates.Template, key crypto.Signer, now time.Time) (*x509.Certificate, error) {
	tmpl, err := t.Certificate(templates.BuildOptions{SubjectKey: key.Public(), SignerKey: key.Public(), Now: now, Rand: rand.Reader})
	if err != nil {
		return nil, err
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("signing the certificate: %w", err)
	}
	return x509.ParseCertificate(der)
}

// Sign issues the certificate t describes for subjectKey, signed by the
// CA, as certtool --generate-certificate does. The CA is checked again at
// now (a CA loaded long ago may have expired since), and the signature is
// verified against the CA certificate before the certificate is returned,
// so a certificate that would not verify is never produced.
func (c *CA) Sign(t *templates.Template, subjectKey crypto.PublicKey, now time.Time) (*x509.Certificate, error) {
	if err := Check(c.Cert, c.CertPath, now); err != nil {
		return nil, err
	}
	tmpl, err := t.Certificate(templates.BuildOptions{SubjectKey: subjectKey, Issuer: c.Cert, SignerKey: c.Key.Public(), Now: now, Rand: rand.Reader})
	if err != nil {
		return nil, err
	}
	return c.SignPrepared(tmpl, subjectKey)
}

// SignPrepared signs an already built certificate template (from
// templates.Template.Certificate, possibly adjusted, for example with the
// subject of a certificate request). x509.CreateCertificate refuses a CA
// key that is not the CA certificate's and verifies the signature it made,
// so a certificate that would not verify is never returned.
func (c *CA) SignPrepared(tmpl *x509.Certificate, subjectKey crypto.PublicKey) (*x509.Certificate, error) {
	if !keys.MatchesCertificate(c.Key, c.Cert) {
		return nil, &Error{ID: IDKeyMismatch, Path: c.KeyPath, Msg: "this private key does not belong to the CA certificate " + c.CertPath,
			Fix: "pass the key the CA certificate was created with"}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, c.Cert, subjectKey, c.Key)
	if err != nil {
		return nil, fmt.Errorf("signing with the CA key %s: %w", c.KeyPath, err)
	}
	return x509.ParseCertificate(der)
}

// EncodeCertificate returns cert as a PEM CERTIFICATE block.
func EncodeCertificate(cert *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
}
