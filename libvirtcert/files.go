package libvirtcert

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
)

// ErrTooLarge is wrapped by ReadCertificates for files over MaxFileSize.
var ErrTooLarge = errors.New("file too large for libvirt")

// ErrDER is wrapped by ReadCertificates for a DER (binary) certificate
// file, which libvirt cannot read.
var ErrDER = errors.New("DER certificate where libvirt needs PEM")

// ErrNoCertificate is wrapped by ReadCertificates when a file holds no PEM
// certificate.
var ErrNoCertificate = errors.New("no PEM certificate")

// PEMCertificate is one certificate of a PEM file.
type PEMCertificate struct {
	Cert *x509.Certificate
	// Line is the 1-based line of its "-----BEGIN" line.
	Line int
}

// ReadCertificates reads every certificate of a PEM file the way libvirt
// reads certificate and CA files: at most MaxFileSize bytes (a larger file
// makes libvirt fail with "Failed to read file '...': Invalid argument"),
// and only up to the first NUL byte (libvirt passes strlen(buf) to GnuTLS).
// Blocks labelled CERTIFICATE or X509 CERTIFICATE count; other blocks
// (keys, parameters) and text around them are ignored, as GnuTLS ignores
// them. A DER file, a file without certificates and an unparsable
// certificate are errors naming the file (and the block's line) with what
// to do.
func ReadCertificates(path string) ([]*x509.Certificate, error) {
	pcs, err := ReadPEMCertificates(path)
	if err != nil {
		return nil, err
	}
	out := make([]*x509.Certificate, len(pcs))
	for i, pc := range pcs {
		out[i] = pc.Cert
	}
	return out, nil
}

// ReadPEMCertificates is ReadCertificates with each certificate's line.
func ReadPEMCertificates(path string) ([]PEMCertificate, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("%s: larger than %d bytes, the most libvirt reads of a certificate file (libvirt fails with \"Failed to read file '%s': Invalid argument\"): %w",
			path, MaxFileSize, path, ErrTooLarge)
	}
	return ParsePEMCertificates(path, data)
}

// ParsePEMCertificates parses data as ReadPEMCertificates does; name is
// used in errors.
func ParsePEMCertificates(name string, data []byte) ([]PEMCertificate, error) {
	if i := bytes.IndexByte(data, 0); i >= 0 && looksDER(data) {
		return nil, derError(name)
	} else if i >= 0 {
		data = data[:i]
	}
	if looksDER(data) {
		return nil, derError(name)
	}
	var out []PEMCertificate
	rest := data
	for {
		block, next := pem.Decode(rest)
		if block == nil {
			break
		}
		line := 1 + bytes.Count(data[:len(data)-len(rest)], []byte("\n")) + beginLineOffset(rest)
		rest = next
		if block.Type != "CERTIFICATE" && block.Type != "X509 CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: certificate %d: %v", name, line, len(out)+1, err)
		}
		out = append(out, PEMCertificate{Cert: c, Line: line})
	}
	if len(out) == 0 {
		if bytes.Contains(data, []byte("-----BEGIN CERTIFICATE")) || bytes.Contains(data, []byte("-----BEGIN X509 CERTIFICATE")) {
			return nil, fmt.Errorf("%s: the CERTIFICATE block is not valid PEM (broken base64 or missing END line): %w", name, ErrNoCertificate)
		}
		return nil, fmt.Errorf("%s: no \"-----BEGIN CERTIFICATE-----\" block: %w", name, ErrNoCertificate)
	}
	return out, nil
}

// beginLineOffset counts the lines before the first "-----BEGIN" in b.
func beginLineOffset(b []byte) int {
	i := bytes.Index(b, []byte("-----BEGIN"))
	if i < 0 {
		return 0
	}
	return bytes.Count(b[:i], []byte("\n"))
}

func looksDER(data []byte) bool {
	if len(data) < 2 || data[0] != 0x30 {
		return false
	}
	_, _, err := RawNames(data)
	return err == nil
}

func derError(name string) error {
	return fmt.Errorf("%s is a DER (binary) certificate; libvirt reads only PEM. Convert it: certtool -i --inder --infile %s --outfile %s.pem (or openssl x509 -inform der -in %s -out %s.pem): %w",
		name, name, name, name, name, ErrDER)
}
