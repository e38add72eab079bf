package libvirtcert

import (
	"bytes"
	"encoding/base64"
	"errors"
)

// GnuTLS error texts (gnutls_strerror) for the ways loading a PEM
// certificate fails, so that tools mirroring GnuTLS-based programs can print
// the same message.
var (
	// ErrPEMHeader: no "-----BEGIN CERTIFICATE" (or "-----BEGIN X509
	// CERTIFICATE") in the data. GnuTLS also reports this when a
	// CERTIFICATE block is present but its base64 is broken, because it
	// then retries with the X509 CERTIFICATE header and reports that
	// failure.
	ErrPEMHeader = errors.New("Base64 unexpected header error.")
	// ErrPEMBase64: the block's base64 does not decode.
	ErrPEMBase64 = errors.New("Base64 decoding error.")
	// ErrDERTag: the decoded data does not start with a SEQUENCE.
	ErrDERTag = errors.New("ASN1 parser: Error in TAG.")
)

// ImportPEMCertificate returns the DER of the first certificate in PEM data
// as gnutls_x509_crt_import(..., GNUTLS_X509_FMT_PEM) finds it: the first
// "-----BEGIN CERTIFICATE" block, else the first "-----BEGIN X509
// CERTIFICATE" block; text before and after is ignored. The errors carry
// GnuTLS's texts (ErrPEMHeader, ErrPEMBase64, ErrDERTag, ErrDNDER). The DER
// is checked only as far as the subject, not fully validated.
func ImportPEMCertificate(data []byte) ([]byte, error) {
	der, err := decodePEMBlock(data, "CERTIFICATE")
	if err != nil {
		der, err = decodePEMBlock(data, "X509 CERTIFICATE")
		if err != nil {
			return nil, err
		}
	}
	if len(der) == 0 || der[0] != tagSequence {
		return nil, ErrDERTag
	}
	if _, _, err := RawNames(der); err != nil {
		return nil, err
	}
	return der, nil
}

// decodePEMBlock mirrors _gnutls_fbase64_decode for one header.
func decodePEMBlock(data []byte, header string) ([]byte, error) {
	begin := bytes.Index(data, []byte("-----BEGIN "+header))
	if begin < 0 {
		return nil, ErrPEMHeader
	}
	rest := data[begin+1:]
	end := bytes.Index(rest, []byte("-----"))
	if end < 0 {
		return nil, ErrPEMBase64
	}
	rest = rest[end+5:]
	foot := bytes.Index(rest, []byte("-----END "))
	if foot < 0 {
		return nil, ErrPEMBase64
	}
	var b64 []byte
	for _, c := range rest[:foot] {
		if c == '\n' || c == '\r' || c == ' ' || c == '\t' {
			continue
		}
		b64 = append(b64, c)
	}
	if len(b64) < 4 {
		return nil, ErrPEMBase64
	}
	der, err := base64.StdEncoding.DecodeString(string(b64))
	if err != nil {
		return nil, ErrPEMBase64
	}
	return der, nil
}

// RawNames returns the DER issuer and subject Names of a DER certificate by
// walking TBSCertificate, without parsing anything else. Unlike
// x509.ParseCertificate it accepts attribute values Go refuses (for
// example a PrintableString with "@" or an odd-length BMPString), which
// GnuTLS accepts.
func RawNames(der []byte) (issuer, subject []byte, err error) {
	certEl, _, err := readTagged(der, tagSequence)
	if err != nil {
		return nil, nil, err
	}
	tbs, _, err := readTagged(certEl.content, tagSequence)
	if err != nil {
		return nil, nil, err
	}
	b := tbs.content
	if len(b) > 0 && b[0] == 0xa0 { // [0] EXPLICIT version
		if _, b, err = readElement(b); err != nil {
			return nil, nil, err
		}
	}
	if _, b, err = readTagged(b, 0x02); err != nil { // serialNumber
		return nil, nil, err
	}
	if _, b, err = readTagged(b, tagSequence); err != nil { // signature
		return nil, nil, err
	}
	iss, b, err := readTagged(b, tagSequence)
	if err != nil {
		return nil, nil, err
	}
	if _, b, err = readTagged(b, tagSequence); err != nil { // validity
		return nil, nil, err
	}
	subj, _, err := readTagged(b, tagSequence)
	if err != nil {
		return nil, nil, err
	}
	if _, err := ParseName(iss.full); err != nil {
		return nil, nil, err
	}
	if _, err := ParseName(subj.full); err != nil {
		return nil, nil, err
	}
	return iss.full, subj.full, nil
}
