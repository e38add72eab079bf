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

// The reasons a certificate file is refused; every *FileError wraps one
// of them.
var (
	// ErrUnreadable: the file cannot be read; the *FileError's Cause is
	// the operating system's error (errors.Is(err, fs.ErrNotExist) works).
	ErrUnreadable = errors.New("certificate file cannot be read")
	// ErrTooLarge: the file is over MaxFileSize.
	ErrTooLarge = errors.New("file too large for libvirt")
	// ErrDER: a DER (binary) certificate where libvirt needs PEM.
	ErrDER = errors.New("DER certificate where libvirt needs PEM")
	// ErrNoCertificate: the file holds no (valid) PEM certificate block.
	ErrNoCertificate = errors.New("no PEM certificate")
	// ErrPrivateKey: the file holds a private key where a certificate
	// belongs (certificate and key swapped), or, with
	// PEMOptions.RejectPrivateKey, a private key next to the certificates.
	ErrPrivateKey = errors.New("private key in a certificate file")
	// ErrBadCertificate: a certificate block does not parse.
	ErrBadCertificate = errors.New("certificate does not parse")
)

// FileError is why a certificate file cannot be used. Error() is one line
// naming the file; Msg alone reads after the file's name in a sentence
// ("CA certificate FILE <Msg>").
type FileError struct {
	Name  string // the file (or the name the caller gave the data)
	Line  int    // line of the offending "-----BEGIN" line; 0 when none
	Msg   string // what is wrong, a verb phrase ("holds a private key, ...")
	Err   error  // one of the Err* reasons
	Cause error  // the underlying error, if any (for ErrUnreadable)
}

func (e *FileError) Error() string { return e.Name + ": " + e.Msg }

func (e *FileError) Unwrap() []error {
	if e.Cause == nil {
		return []error{e.Err}
	}
	return []error{e.Err, e.Cause}
}

// FileReason is err's text without the file name when err is a *FileError
// (its Msg), else err's text. Callers that name the file themselves use
// it: "CA certificate " + path + " " + FileReason(err).
func FileReason(err error) string {
	var fe *FileError
	if errors.As(err, &fe) {
		return fe.Msg
	}
	return err.Error()
}

// PEMOptions changes what ParsePEMCertificatesWith accepts.
type PEMOptions struct {
	// RejectPrivateKey refuses a private key block even next to
	// certificates (ErrPrivateKey). Use it for files about to be installed
	// as world-readable certificates, where the key would be published;
	// libvirt itself ignores such blocks.
	RejectPrivateKey bool
}

// PEMCertificate is one certificate of a PEM file.
type PEMCertificate struct {
	Cert *x509.Certificate
	// Line is the 1-based line of its "-----BEGIN" line.
	Line int
}

// ReadCertificates reads every certificate of a PEM file the way libvirt
// reads certificate and CA files: at most MaxFileSize bytes (a larger file
// makes libvirt fail with "Failed to read file '...': Value too large for
// defined data type"), and only up to the first NUL byte (libvirt passes
// strlen(buf) to GnuTLS). Blocks labelled CERTIFICATE or X509 CERTIFICATE
// count, as in GnuTLS; other blocks (keys, parameters) and text around
// them are ignored. Every error is a *FileError naming the file: a file
// that cannot be read, a DER file, a file without certificates (saying
// what it holds instead: a private key, another PEM block, broken PEM) and
// a certificate that does not parse (with its line).
func ReadCertificates(path string) ([]*x509.Certificate, error) {
	pcs, err := ReadPEMCertificates(path)
	return certsOf(pcs), err
}

// ReadPEMCertificates is ReadCertificates with each certificate's line.
func ReadPEMCertificates(path string) ([]PEMCertificate, error) {
	data, err := fileread.ReadCapped(path, MaxFileSize)
	if errors.Is(err, fileread.ErrTooLarge) {
		return nil, &FileError{Name: path, Err: ErrTooLarge,
			Msg: fmt.Sprintf("is larger than %d bytes, the most libvirt reads of a certificate file (libvirt fails with \"Failed to read file '%s': Value too large for defined data type\")", MaxFileSize, path)}
	}
	if err != nil {
		return nil, &FileError{Name: path, Err: ErrUnreadable, Cause: err, Msg: "cannot be read: " + err.Error()}
	}
	return ParsePEMCertificates(path, data)
}

// ParseCertificates is ReadCertificates for data already read (without
// the size cap, which the caller applies); name is used in errors.
func ParseCertificates(name string, data []byte) ([]*x509.Certificate, error) {
	pcs, err := ParsePEMCertificates(name, data)
	return certsOf(pcs), err
}

// ParsePEMCertificates is ParseCertificates with each certificate's line.
func ParsePEMCertificates(name string, data []byte) ([]PEMCertificate, error) {
	return ParsePEMCertificatesWith(name, data, PEMOptions{})
}

// ParsePEMCertificatesWith is ParsePEMCertificates with options.
func ParsePEMCertificatesWith(name string, data []byte, opts PEMOptions) ([]PEMCertificate, error) {
	if i := bytes.IndexByte(data, 0); i >= 0 && !IsDERCertificate(data) {
		data = data[:i]
	}
	if IsDERCertificate(data) {
		return nil, &FileError{Name: name, Err: ErrDER,
			Msg: "is a DER (binary) certificate; libvirt reads only PEM (convert it: " + DERConvertCommand(name) + ")"}
	}
	var out []PEMCertificate
	var other []string
	keyLine := 0
	rest := data
	for {
		block, next := pem.Decode(rest)
		if block == nil {
			break
		}
		line := 1 + bytes.Count(data[:len(data)-len(rest)], []byte("\n")) + beginLineOffset(rest)
		rest = next
		if block.Type != "CERTIFICATE" && block.Type != "X509 CERTIFICATE" {
			other = append(other, block.Type)
			if keyLine == 0 && strings.HasSuffix(block.Type, "PRIVATE KEY") {
				keyLine = line
			}
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, &FileError{Name: name, Line: line, Err: ErrBadCertificate,
				Msg: fmt.Sprintf("has a certificate that does not parse (certificate %d, line %d): %v", len(out)+1, line, err)}
		}
		out = append(out, PEMCertificate{Cert: c, Line: line})
	}
	switch {
	case len(out) > 0 && keyLine > 0 && opts.RejectPrivateKey:
		return nil, &FileError{Name: name, Line: keyLine, Err: ErrPrivateKey,
			Msg: fmt.Sprintf("holds a private key (line %d) next to the certificate; a certificate file is world-readable, so keep only the certificate in it", keyLine)}
	case len(out) > 0:
		return out, nil
	case keyLine > 0:
		return nil, &FileError{Name: name, Line: keyLine, Err: ErrPrivateKey,
			Msg: "holds a private key, not a certificate (are the certificate and key swapped?)"}
	case len(other) > 0:
		return nil, &FileError{Name: name, Err: ErrNoCertificate,
			Msg: fmt.Sprintf("holds a %s PEM block, not a certificate", other[0])}
	case bytes.Contains(data, []byte("-----BEGIN")):
		return nil, &FileError{Name: name, Err: ErrNoCertificate,
			Msg: "holds malformed PEM (broken base64 or missing -----END line)"}
	}
	return nil, &FileError{Name: name, Err: ErrNoCertificate,
		Msg: "holds no PEM certificate (no -----BEGIN CERTIFICATE----- block)"}
}

// IsDERCertificate reports whether data is a DER (binary) certificate:
// an ASN.1 SEQUENCE whose issuer and subject names parse.
func IsDERCertificate(data []byte) bool {
	if len(data) < 2 || data[0] != tagSequence {
		return false
	}
	_, _, err := RawNames(data)
	return err == nil
}

// DERConvertCommand is the certtool command that writes the PEM form of
// the DER certificate name to name.pem.
func DERConvertCommand(name string) string {
	return fmt.Sprintf("certtool -i --inder --infile %s --outfile %s.pem", name, name)
}

func certsOf(pcs []PEMCertificate) []*x509.Certificate {
	if pcs == nil {
		return nil
	}
	out := make([]*x509.Certificate, len(pcs))
	for i, pc := range pcs {
		out[i] = pc.Cert
	}
	return out
}

// beginLineOffset counts the lines before the first "-----BEGIN" in b.
func beginLineOffset(b []byte) int {
	i := bytes.Index(b, []byte("-----BEGIN"))
	if i < 0 {
		return 0
	}
	return bytes.Count(b[:i], []byte("\n"))
}
