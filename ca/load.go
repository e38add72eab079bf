// Package ca creates and loads certificate authorities and signs
// certificates with them. A loaded CA has been checked to be usable: its key
// belongs to its certificate, it is a CA (basicConstraints CA:TRUE), it may
// sign certificates (keyCertSign, when key usage is present) and it is
// valid now. Signing goes through templates.Template.Certificate, so the
// result is the certificate certtool would issue for the same template.
package ca

import (
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/virt-pki/virt-pki/keys"
	"github.com/virt-pki/virt-pki/libvirtcert"
	"github.com/virt-pki/virt-pki/x509oid"
)

// Problem IDs carried by *Error. They are stable: scripts may key on them.
const (
	IDUnreadable    = "ca-unreadable"     // a file cannot be read
	IDNoCertificate = "ca-no-certificate" // the certificate file holds no certificate
	IDBadKey        = "ca-bad-key"        // the key file holds no usable key
	IDKeyMismatch   = "ca-key-mismatch"   // the key is not the certificate's
	IDNotCA         = "ca-not-ca"         // basicConstraints missing or CA:FALSE
	IDNoCertSign    = "ca-no-cert-sign"   // key usage present without keyCertSign
	IDExpired       = "ca-expired"        // notAfter is in the past
	IDNotYetValid   = "ca-not-yet-valid"  // notBefore is in the future
)

// Error is why a CA cannot be used. Its text is one line: the file, what
// is wrong, and what to do.
type Error struct {
	ID   string // one of the ID constants
	Path string // the file at fault
	Msg  string // what is wrong
	Fix  string // what to do about it; may be empty
	Err  error  // underlying error, if any
}

func (e *Error) Error() string {
	s := e.Path + ": " + e.Msg
	if e.Fix != "" {
		s += "; " + e.Fix
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// IsProblem reports whether err is (or wraps) a CA *Error with the given ID.
func IsProblem(err error, id string) bool {
	var e *Error
	return errors.As(err, &e) && e.ID == id
}

// CA is a loaded, checked certificate authority.
type CA struct {
	Cert     *x509.Certificate
	Key      crypto.Signer
	CertPath string
	KeyPath  string
}

// Load reads the CA certificate and its private key and checks, at the
// current time, that they can sign: see LoadAt.
func Load(certPath, keyPath string) (*CA, error) {
	return LoadAt(certPath, keyPath, time.Now())
}

// LoadAt reads the CA certificate (PEM; when the file holds several
// certificates, the one matching the key is used) and its private key, and
// checks that the key belongs to the certificate, that the certificate is a
// CA allowed to sign certificates and that it is valid at now. Every error
// is an *Error naming the file at fault.
func LoadAt(certPath, keyPath string, now time.Time) (*CA, error) {
	certs, err := ReadCertificates(certPath)
	if err != nil {
		return nil, err
	}
	key, err := keys.ReadPrivateKeyFile(keyPath)
	if err != nil {
		return nil, &Error{ID: IDBadKey, Path: keyPath, Msg: "cannot use it as the CA private key: " + strings.TrimPrefix(err.Error(), keyPath+": "), Err: err}
	}
	var cert *x509.Certificate
	for _, c := range certs {
		if keys.MatchesCertificate(key, c) {
			cert = c
			break
		}
	}
	if cert == nil {
		return nil, &Error{ID: IDKeyMismatch, Path: keyPath,
			Msg: fmt.Sprintf("this private key does not belong to the CA certificate %s (%s)", certPath, describeSubject(certs[0])),
			Fix: "pass the key the CA certificate was created with"}
	}
	if err := Check(cert, certPath, now); err != nil {
		return nil, err
	}
	return &CA{Cert: cert, Key: key, CertPath: certPath, KeyPath: keyPath}, nil
}

// Check applies the issuer checks to cert at now: basicConstraints
// CA:TRUE, keyCertSign when key usage is present, and validity.
func Check(cert *x509.Certificate, path string, now time.Time) error {
	subj := describeSubject(cert)
	if !cert.BasicConstraintsValid || !cert.IsCA {
		what := "basicConstraints CA:FALSE"
		if !cert.BasicConstraintsValid {
			what = "no basicConstraints extension"
		}
		return &Error{ID: IDNotCA, Path: path,
			Msg: fmt.Sprintf("%s is not a CA certificate (%s)", subj, what),
			Fix: "give the CA's certificate (cacert.pem), not a server or client certificate, or create a CA with 'virt-pki ca init'"}
	}
	if hasExtension(cert, x509oid.KeyUsage) && cert.KeyUsage&x509.KeyUsageCertSign == 0 {
		return &Error{ID: IDNoCertSign, Path: path,
			Msg: fmt.Sprintf("%s has a key usage without keyCertSign (certificate signing), so certificates it signs will not verify", subj),
			Fix: "create a CA with 'virt-pki ca init' (or cert_signing_key in its template)"}
	}
	if now.After(cert.NotAfter) {
		return &Error{ID: IDExpired, Path: path,
			Msg: fmt.Sprintf("the CA certificate %s expired on %s", subj, cert.NotAfter.UTC().Format(time.RFC3339)),
			Fix: "certificates it signs would be rejected; create a new CA with 'virt-pki ca init' and reissue the certificates"}
	}
	if now.Before(cert.NotBefore) {
		return &Error{ID: IDNotYetValid, Path: path,
			Msg: fmt.Sprintf("the CA certificate %s is not valid before %s", subj, cert.NotBefore.UTC().Format(time.RFC3339)),
			Fix: "check this machine's clock, or wait until then"}
	}
	return nil
}

// ReadCertificates reads every certificate of a PEM file the way libvirt
// does (libvirtcert.ReadCertificates: 64 KiB cap, CERTIFICATE and X509
// CERTIFICATE blocks, text around them skipped). It fails with an *Error
// naming the file when the file cannot be read or holds no usable
// certificate.
func ReadCertificates(path string) ([]*x509.Certificate, error) {
	certs, err := libvirtcert.ReadCertificates(path)
	var fe *libvirtcert.FileError
	switch {
	case err == nil:
		return certs, nil
	case errors.Is(err, libvirtcert.ErrUnreadable) && errors.As(err, &fe):
		return nil, &Error{ID: IDUnreadable, Path: path, Msg: "cannot read the CA certificate: " + fe.Cause.Error(), Err: err}
	case errors.Is(err, libvirtcert.ErrTooLarge):
		return nil, &Error{ID: IDUnreadable, Path: path, Msg: libvirtcert.FileReason(err), Err: err}
	}
	return nil, &Error{ID: IDNoCertificate, Path: path, Msg: libvirtcert.FileReason(err), Err: err}
}

func hasExtension(cert *x509.Certificate, oid asn1.ObjectIdentifier) bool {
	for _, e := range cert.Extensions {
		if e.Id.Equal(oid) {
			return true
		}
	}
	return false
}

// describeSubject names a certificate for messages: its legacy DN as
// virt-pki-query-dn prints it, else Go's rendering.
func describeSubject(cert *x509.Certificate) string {
	if dn, err := libvirtcert.SubjectDN(cert); err == nil && dn != "" {
		return dn
	}
	if s := cert.Subject.String(); s != "" {
		return s
	}
	return "(empty subject)"
}
