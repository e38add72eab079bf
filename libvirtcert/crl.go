package libvirtcert

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"github.com/virt-pki/virt-pki/internal/fileread"
)

// The reasons a CRL file is refused (besides ErrUnreadable and
// ErrTooLarge, which it shares with certificate files); every *FileError
// of ReadCRLs and ParseCRLs wraps one reason.
var (
	// ErrDERCRL: a DER (binary) CRL where libvirt needs PEM.
	ErrDERCRL = errors.New("DER CRL where libvirt needs PEM")
	// ErrNoCRL: the file holds no (valid) PEM CRL block.
	ErrNoCRL = errors.New("no PEM CRL")
	// ErrBadCRL: an X509 CRL block does not parse.
	ErrBadCRL = errors.New("CRL does not parse")
)

// MaxCRLFileSize bounds how much of a CRL file is read. libvirt applies
// no cap of its own to CRLs (GnuTLS reads the file whole, unlike the
// certificate files libvirt reads with its 64 KiB cap, MaxFileSize), so
// this is a memory bound against a wrong path, far above real CRLs.
const MaxCRLFileSize = 16 << 20

// ReadCRLs reads every CRL of a PEM file the way libvirt and GnuTLS read
// a crl_file (gnutls_certificate_set_x509_crl_file with
// GNUTLS_X509_FMT_PEM): at most MaxCRLFileSize bytes, only regular files,
// every "X509 CRL" block (other blocks are ignored), and one malformed
// CRL block fails the whole file. Every error is a one-line *FileError
// naming the file: unreadable, too large, a DER CRL (with the command that
// converts it), no CRL (saying what the file holds instead), or a CRL that
// does not parse (with its number and line).
func ReadCRLs(path string) ([]*x509.RevocationList, error) {
	data, err := fileread.ReadCapped(path, MaxCRLFileSize)
	if errors.Is(err, fileread.ErrTooLarge) {
		return nil, &FileError{Name: path, Err: ErrTooLarge,
			Msg: fmt.Sprintf("is larger than %d bytes, too large for a CRL (is it the wrong file?)", MaxCRLFileSize)}
	}
	if err != nil {
		return nil, &FileError{Name: path, Err: ErrUnreadable, Cause: err, Msg: "cannot be read: " + err.Error()}
	}
	return ParseCRLs(path, data)
}

// ParseCRLs is ReadCRLs for data already read (without the size cap,
// which the caller applies); name is used in errors. It never returns an
// empty list without an error.
func ParseCRLs(name string, data []byte) ([]*x509.RevocationList, error) {
	if isDERCRL(data) {
		return nil, &FileError{Name: name, Err: ErrDERCRL,
			Msg: "is a DER (binary) CRL; libvirt reads only PEM (convert it: " + CRLConvertCommand(name) + ")"}
	}
	var out []*x509.RevocationList
	var other string
	rest := data
	for {
		block, next := pem.Decode(rest)
		if block == nil {
			break
		}
		line := 1 + bytes.Count(data[:len(data)-len(rest)], []byte("\n")) + beginLineOffset(rest)
		rest = next
		if block.Type != "X509 CRL" {
			if other == "" {
				other = block.Type
			}
			continue
		}
		l, err := x509.ParseRevocationList(block.Bytes)
		if err != nil {
			return nil, &FileError{Name: name, Line: line, Err: ErrBadCRL,
				Msg: fmt.Sprintf("has a CRL that does not parse (CRL %d, line %d): %v", len(out)+1, line, err)}
		}
		out = append(out, l)
	}
	switch {
	case len(out) > 0:
		return out, nil
	case strings.HasSuffix(other, "PRIVATE KEY"):
		return nil, &FileError{Name: name, Err: ErrNoCRL,
			Msg: fmt.Sprintf("holds a %s PEM block, not a CRL (is it the wrong file?)", other)}
	case other != "":
		return nil, &FileError{Name: name, Err: ErrNoCRL,
			Msg: fmt.Sprintf("holds a %s PEM block, not a CRL", other)}
	case bytes.Contains(data, []byte("-----BEGIN")):
		return nil, &FileError{Name: name, Err: ErrNoCRL,
			Msg: "holds malformed PEM (broken base64 or missing -----END line)"}
	}
	return nil, &FileError{Name: name, Err: ErrNoCRL,
		Msg: "is not a PEM CRL (no -----BEGIN X509 CRL----- block)"}
}

// CRLConvertCommand is the certtool command that writes the PEM form of
// the DER CRL name to name.pem.
func CRLConvertCommand(name string) string {
	return fmt.Sprintf("certtool --crl-info --inder --infile %s --outfile %s.pem", name, name)
}

// isDERCRL reports whether data is a DER (binary) CRL.
func isDERCRL(data []byte) bool {
	if len(data) < 2 || data[0] != tagSequence {
		return false
	}
	_, err := x509.ParseRevocationList(data)
	return err == nil
}

// Revoked returns the entry of a CRL in crls that revokes cert: a CRL
// issued by cert's issuer (same raw issuer name) that lists cert's
// serial number. Like GnuTLS, it compares names and serials only; whether
// a CRL's signature verifies is the caller's check.
func Revoked(crls []*x509.RevocationList, cert *x509.Certificate) (*x509.RevocationListEntry, bool) {
	if cert == nil || cert.SerialNumber == nil {
		return nil, false
	}
	for _, l := range crls {
		if l == nil || !bytes.Equal(l.RawIssuer, cert.RawIssuer) {
			continue
		}
		for i := range l.RevokedCertificateEntries {
			e := &l.RevokedCertificateEntries[i]
			if e.SerialNumber != nil && e.SerialNumber.Cmp(cert.SerialNumber) == 0 {
				return e, true
			}
		}
	}
	return nil, false
}
