package validate

import (
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"

	"github.com/virt-pki/virt-pki/internal/fileread"
	"github.com/virt-pki/virt-pki/keys"
	"github.com/virt-pki/virt-pki/libvirtcert"
)

// certFile is a parsed certificate or CA file.
type certFile struct {
	path  string
	certs []*x509.Certificate
	err   error // why the file is unusable, one line, libvirt's view
	fix   string
}

// loadCertFile reads and parses path with libvirt's 64 KiB cap. fix is
// the command for the errors that do not depend on what the file is for
// (see caReadFix and audit.certReadFinding for the others).
func loadCertFile(path string) *certFile {
	cf := &certFile{path: path}
	var err error
	cf.certs, err = libvirtcert.ReadCertificates(path)
	if err == nil {
		return cf
	}
	cf.err = withoutName{err}
	switch {
	case errors.Is(err, libvirtcert.ErrUnreadable):
		cf.fix = "chmod u+r " + shellQuote(path)
	case errors.Is(err, libvirtcert.ErrDER):
		cf.fix = fmt.Sprintf("%s && mv %s.pem %s", libvirtcert.DERConvertCommand(path), path, path)
	}
	return cf
}

// withoutName is a libvirtcert file error worded for messages that name
// the file themselves ("CA certificate FILE <reason>").
type withoutName struct{ err error }

func (e withoutName) Error() string { return libvirtcert.FileReason(e.err) }
func (e withoutName) Unwrap() error { return e.err }

// keyFile is a parsed private key file: its public half, for the match
// with the certificate.
type keyFile struct {
	path string
	pub  crypto.PublicKey
	err  error
}

func loadKeyFile(path string) *keyFile {
	kf := &keyFile{path: path}
	data, err := fileread.ReadCapped(path, keys.MaxKeyFileSize)
	switch {
	case errors.Is(err, fileread.ErrTooLarge):
		kf.err = fmt.Errorf("is larger than %d bytes, not a private key file", keys.MaxKeyFileSize)
		return kf
	case err != nil:
		kf.err = fmt.Errorf("cannot be read: %w", err)
		return kf
	}
	kf.pub, kf.err = keys.PublicKeyFromPEM(data)
	return kf
}
