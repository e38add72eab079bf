package validate

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"

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

// ParseCertificatesPEM returns every certificate of a PEM file, as
// GnuTLS's PEM import does: text around the blocks is skipped, "CERTIFICATE"
// and "X509 CERTIFICATE" blocks count, one malformed block fails the whole
// file. The error says what the data is instead (a private key, DER, a CRL,
// garbage) so that the caller can name the fix.
func ParseCertificatesPEM(data []byte) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	var other []string
	rest := data
	n := 0
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		switch block.Type {
		case "CERTIFICATE", "X509 CERTIFICATE":
			n++
			c, err := x509.ParseCertificate(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("certificate #%d is malformed: %v", n, err)
			}
			certs = append(certs, c)
		default:
			other = append(other, block.Type)
		}
	}
	if len(certs) > 0 {
		return certs, nil
	}
	switch {
	case len(other) > 0 && bytes.Contains([]byte(other[0]), []byte("PRIVATE KEY")):
		return nil, errKeyNotCert
	case len(other) > 0:
		return nil, fmt.Errorf("holds a %s PEM block, not a certificate", other[0])
	case looksDER(data):
		return nil, errDER
	case bytes.Contains(data, []byte("-----BEGIN")):
		return nil, errors.New("malformed PEM (bad base64 or missing END line)")
	}
	return nil, errors.New("not a PEM certificate (no -----BEGIN CERTIFICATE----- block)")
}

var (
	errKeyNotCert = errors.New("holds a private key, not a certificate (certificate and key swapped?)")
	errDER        = errors.New("is a DER (binary) certificate; libvirt reads PEM only")
)

func looksDER(data []byte) bool {
	if len(data) < 2 || data[0] != 0x30 {
		return false
	}
	_, err := x509.ParseCertificate(data)
	if err == nil {
		return true
	}
	_, err = x509.ParseCertificates(data)
	return err == nil
}

// loadCertFile reads and parses path with libvirt's 64 KiB cap. what names
// the file in messages ("server certificate").
func loadCertFile(path string) *certFile {
	cf := &certFile{path: path}
	data, err := fileread.ReadCapped(path, libvirtcert.MaxFileSize)
	switch {
	case errors.Is(err, fileread.ErrTooLarge):
		cf.err = fmt.Errorf("is larger than %d bytes; libvirt refuses it (\"Failed to read file '%s': Value too large for defined data type\")", libvirtcert.MaxFileSize, path)
		cf.fix = fmt.Sprintf("keep only the private CA (and its intermediates) in %s", path)
		return cf
	case err != nil:
		cf.err = fmt.Errorf("cannot be read: %w", err)
		cf.fix = "chmod u+r " + path
		if errors.Is(err, fs.ErrPermission) {
			cf.fix = fmt.Sprintf("run the audit as root or as the owner of %s (sudo virt-pki validate ...)", path)
		}
		return cf
	}
	cf.certs, cf.err = ParseCertificatesPEM(data)
	switch {
	case errors.Is(cf.err, errDER):
		cf.fix = fmt.Sprintf("certtool -i --inder --infile %s --outfile %s.pem && mv %s.pem %s", path, path, path, path)
	case errors.Is(cf.err, errKeyNotCert):
		cf.fix = "put the certificate in " + path + " and the private key in the key file"
	case cf.err != nil:
		cf.fix = "install the PEM certificate at " + path
	}
	return cf
}

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
