package issue

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"

	"github.com/virt-pki/virt-pki/internal/fileread"
)

// MaxRequestFileSize caps how much of a certificate request file is read;
// certtool's text block plus a request with an RSA-15360 key stays far
// below it.
const MaxRequestFileSize = 1 << 20

// Errors wrapped by ReadRequest and ParseRequest, for callers that word
// them their own way (the certtool personality).
var (
	// ErrRequestUnreadable: the file cannot be read or is too large.
	ErrRequestUnreadable = errors.New("cannot read the certificate request")
	// ErrNoRequest: no CERTIFICATE REQUEST PEM block in the data.
	ErrNoRequest = errors.New("no PEM certificate request")
	// ErrBadRequest: the request does not parse or its self signature
	// does not verify.
	ErrBadRequest = errors.New("invalid certificate request")
)

// ReadRequest reads a PEM PKCS #10 request file (at most
// MaxRequestFileSize bytes; see ParseRequest). Errors name the file.
func ReadRequest(path string) (*x509.CertificateRequest, error) {
	data, err := fileread.ReadCapped(path, MaxRequestFileSize)
	if errors.Is(err, fileread.ErrTooLarge) {
		return nil, fmt.Errorf("%s: %w: larger than %d bytes, not a certificate request", path, ErrRequestUnreadable, MaxRequestFileSize)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %w", path, ErrRequestUnreadable, err)
	}
	return ParseRequest(path, data)
}

// ParseRequest returns the first "NEW CERTIFICATE REQUEST" or "CERTIFICATE
// REQUEST" PEM block of data (text and other blocks around it are
// skipped, as certtool writes its text dump first), after checking its
// self signature. name is used in errors, which are one line and wrap
// ErrNoRequest or ErrBadRequest.
func ParseRequest(name string, data []byte) (*x509.CertificateRequest, error) {
	rest := data
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			return nil, fmt.Errorf("%s: %w", name, ErrNoRequest)
		}
		if b.Type != "NEW CERTIFICATE REQUEST" && b.Type != "CERTIFICATE REQUEST" {
			continue
		}
		csr, err := x509.ParseCertificateRequest(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: %w: %v", name, ErrBadRequest, err)
		}
		if err := csr.CheckSignature(); err != nil {
			return nil, fmt.Errorf("%s: %w: the request's self signature does not verify: %v", name, ErrBadRequest, err)
		}
		return csr, nil
	}
}
