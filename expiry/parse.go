package expiry

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"sort"
	"strings"
)

// ParseFile turns the content of the file path into records, judged by p.
// PEM files may hold several certificates and CRLs (other PEM blocks such as
// keys are ignored); DER files hold one or more concatenated certificates or
// one CRL. A file that holds no certificate or CRL gives one Error record,
// unless lenient is set (directory walks), where a PEM file with only keys,
// requests or parameters gives no record at all. A PEM block that does not
// parse gives an Error record at its position and the others are kept.
func ParseFile(path string, data []byte, p Policy, lenient bool) []Record {
	if len(bytes.TrimSpace(data)) == 0 {
		return []Record{sourceError(path, "empty file, no certificate or CRL")}
	}
	var recs []Record
	var others []string
	rest := data
	sawPEM := false
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		sawPEM = true
		switch block.Type {
		case "CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE":
			der := block.Bytes
			if block.Type == "TRUSTED CERTIFICATE" {
				der = firstElement(der)
			}
			cert, err := x509.ParseCertificate(der)
			if err != nil {
				recs = append(recs, Record{Path: path, Kind: Certificate, Status: Error,
					Reason: fmt.Sprintf("PEM block %d (%s) is not a valid certificate: %v", len(recs)+1, block.Type, err)})
				continue
			}
			recs = append(recs, certRecord(path, cert))
		case "X509 CRL":
			crl, err := x509.ParseRevocationList(block.Bytes)
			if err != nil {
				recs = append(recs, Record{Path: path, Kind: CRL, Status: Error,
					Reason: fmt.Sprintf("PEM block %d (X509 CRL) is not a valid CRL: %v", len(recs)+1, err)})
				continue
			}
			recs = append(recs, crlRecord(path, crl))
		default:
			others = append(others, block.Type)
		}
	}
	if !sawPEM {
		recs = parseDER(path, data)
	}
	if len(recs) == 0 {
		if lenient {
			return nil
		}
		return []Record{sourceError(path, "no certificate or CRL in the file (found "+describe(others)+")")}
	}
	for i := range recs {
		recs[i].Index, recs[i].Count = i, len(recs)
		if recs[i].Status != Error {
			p.judge(&recs[i])
		}
	}
	return recs
}

func parseDER(path string, data []byte) []Record {
	if certs, err := x509.ParseCertificates(data); err == nil && len(certs) > 0 {
		recs := make([]Record, 0, len(certs))
		for _, c := range certs {
			recs = append(recs, certRecord(path, c))
		}
		return recs
	}
	if crl, err := x509.ParseRevocationList(data); err == nil {
		return []Record{crlRecord(path, crl)}
	}
	return []Record{sourceError(path, "not a certificate or CRL: neither PEM nor DER")}
}

func describe(types []string) string {
	if len(types) == 0 {
		return "no PEM block"
	}
	seen := map[string]bool{}
	var uniq []string
	for _, t := range types {
		if !seen[t] {
			seen[t] = true
			uniq = append(uniq, t)
		}
	}
	sort.Strings(uniq)
	return "only " + strings.Join(uniq, ", ")
}

// firstElement returns the first DER element of b (a TRUSTED CERTIFICATE
// is a certificate followed by OpenSSL's trust settings).
func firstElement(b []byte) []byte {
	var raw asn1.RawValue
	if _, err := asn1.Unmarshal(b, &raw); err != nil {
		return b
	}
	return raw.FullBytes
}

func certRecord(path string, c *x509.Certificate) Record {
	return Record{
		Path:       path,
		Kind:       Certificate,
		RawSubject: bytes.Clone(c.RawSubject),
		RawIssuer:  bytes.Clone(c.RawIssuer),
		Serial:     serialHex(c.SerialNumber.Bytes()),
		NotBefore:  c.NotBefore.UTC(),
		NotAfter:   c.NotAfter.UTC(),
	}
}

func crlRecord(path string, c *x509.RevocationList) Record {
	r := Record{
		Path:      path,
		Kind:      CRL,
		RawIssuer: bytes.Clone(c.RawIssuer),
		NotBefore: c.ThisUpdate.UTC(),
		NotAfter:  c.NextUpdate.UTC(),
	}
	if c.Number != nil {
		r.Serial = serialHex(c.Number.Bytes())
	}
	return r
}

func serialHex(b []byte) string {
	if len(b) == 0 {
		return "00"
	}
	return hex.EncodeToString(b)
}

// sourceError is the record for a source that yielded nothing usable.
func sourceError(path, reason string) Record {
	return Record{Path: path, Kind: Source, Status: Error, Reason: reason, Count: 1}
}
