// Package certtext renders certificates the way GnuTLS certtool -i prints
// them (certtool 3.7.9 layout: hard tabs, RFC 4514 DNs, extensions in DER
// order, "Other Information" with fingerprints, key IDs and the key PIN), so
// that people and scripts used to certtool's text find what they expect.
package certtext

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/virt-pki/virt-pki/libvirtcert"
)

// Layout selects which parts Certificate prints.
type Layout int

const (
	// Full is certtool -i: everything, including issuer, signature and
	// fingerprints.
	Full Layout = iota
	// Unsigned is the dump certtool prints on stderr while generating a
	// certificate, before signing: no issuer, no signature, no
	// fingerprint.
	Unsigned
)

// timeLayout is certtool's "%a %b %d %H:%M:%S UTC %Y", always in UTC.
const timeLayout = "Mon Jan 02 15:04:05 UTC 2006"

// Certificate returns cert as certtool -i prints it (without the PEM that
// certtool appends; see CertificateWithPEM).
func Certificate(cert *x509.Certificate, layout Layout) string {
	var b strings.Builder
	b.WriteString("X.509 Certificate Information:\n")
	fmt.Fprintf(&b, "\tVersion: %d\n", cert.Version)
	fmt.Fprintf(&b, "\tSerial Number (hex): %s\n", hex.EncodeToString(serialBytes(cert.SerialNumber)))
	if layout == Full {
		b.WriteString(dnLine("Issuer", cert.RawIssuer))
	}
	b.WriteString("\tValidity:\n")
	fmt.Fprintf(&b, "\t\tNot Before: %s\n", formatTime(cert.NotBefore))
	fmt.Fprintf(&b, "\t\tNot After: %s\n", formatTime(cert.NotAfter))
	b.WriteString(dnLine("Subject", cert.RawSubject))
	writePublicKey(&b, cert.PublicKey, "\t", "Subject Public Key Algorithm", "Algorithm Security Level")
	if len(cert.Extensions) > 0 {
		b.WriteString("\tExtensions:\n")
		for _, e := range cert.Extensions {
			writeExtension(&b, e)
		}
	}
	if layout == Full {
		fmt.Fprintf(&b, "\tSignature Algorithm: %s\n", libvirtcert.SignatureAlgorithmName(cert.SignatureAlgorithm))
		b.WriteString("\tSignature:\n")
		writeHex(&b, "\t\t", cert.Signature)
	}
	b.WriteString("Other Information:\n")
	if layout == Full {
		s1 := sha1.Sum(cert.Raw)
		s256 := sha256.Sum256(cert.Raw)
		fmt.Fprintf(&b, "\tFingerprint:\n\t\tsha1:%x\n\t\tsha256:%x\n", s1, s256)
	}
	writeKeyIDs(&b, cert.RawSubjectPublicKeyInfo)
	return b.String()
}

// CertificateWithPEM is certtool -i's complete output for one certificate:
// the text, a blank line and the PEM.
func CertificateWithPEM(cert *x509.Certificate) string {
	return Certificate(cert, Full) + "\n" + string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}))
}

func writeKeyIDs(b *strings.Builder, spki []byte) {
	s1 := sha1.Sum(spki)
	s256 := sha256.Sum256(spki)
	fmt.Fprintf(b, "\tPublic Key ID:\n\t\tsha1:%x\n\t\tsha256:%x\n", s1, s256)
	fmt.Fprintf(b, "\tPublic Key PIN:\n\t\tpin-sha256:%s\n", base64.StdEncoding.EncodeToString(s256[:]))
}

func dnLine(label string, raw []byte) string {
	dn, err := libvirtcert.FormatDNRFC4514(raw)
	if err != nil || dn == "" {
		return "\t" + label + ":\n"
	}
	return "\t" + label + ": " + dn + "\n"
}

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// serialBytes returns the content octets of the serial's DER INTEGER as
// GnuTLS prints them (a leading 00 when the top bit would be set).
func serialBytes(n *big.Int) []byte {
	if n == nil {
		return nil
	}
	if n.Sign() < 0 {
		// Two's complement of a negative serial.
		l := len(n.Bytes()) + 1
		mod := new(big.Int).Lsh(big.NewInt(1), uint(8*l))
		b := new(big.Int).Add(mod, n).Bytes()
		for len(b) > 1 && b[0] == 0xff && b[1]&0x80 != 0 {
			b = b[1:]
		}
		return b
	}
	b := n.Bytes()
	if len(b) == 0 {
		return []byte{0}
	}
	if b[0]&0x80 != 0 {
		b = append([]byte{0}, b...)
	}
	return b
}

// writeHex prints data as certtool does: 16 colon-separated bytes per line.
func writeHex(b *strings.Builder, indent string, data []byte) {
	for i := 0; i < len(data); i += 16 {
		end := min(i+16, len(data))
		parts := make([]string, 0, 16)
		for _, c := range data[i:end] {
			parts = append(parts, fmt.Sprintf("%02x", c))
		}
		b.WriteString(indent + strings.Join(parts, ":") + "\n")
	}
}

// mpi returns an integer's bytes with GnuTLS's leading zero when the top
// bit is set.
func mpi(n *big.Int) []byte {
	b := n.Bytes()
	if len(b) > 0 && b[0]&0x80 != 0 {
		b = append([]byte{0}, b...)
	}
	return b
}

// SecurityLevel names a public key's strength as GnuTLS does
// (gnutls_pk_bits_to_sec_param): "High (3072 bits)".
func SecurityLevel(pub any) string {
	bits, ec := 0, false
	switch k := pub.(type) {
	case *rsa.PublicKey:
		bits = k.N.BitLen()
	case *ecdsa.PublicKey:
		bits, ec = k.Curve.Params().BitSize, true
	case ed25519.PublicKey:
		bits, ec = 256, true
	}
	return fmt.Sprintf("%s (%d bits)", SecParamName(bits, ec), bits)
}

// SecParamName is GnuTLS's security parameter name ("Low", "Legacy",
// "Medium", "High", "Ultra", "Future") for a key of bits bits; ec selects
// the elliptic-curve column of GnuTLS's table.
func SecParamName(bits int, ec bool) string {
	type level struct {
		name       string
		pk, ecBits int
	}
	levels := []level{{"Future", 15360, 512}, {"Ultra", 8192, 384}, {"High", 3072, 256},
		{"Medium", 2048, 224}, {"Legacy", 1776, 192}, {"Low", 1024, 160}, {"Weak", 768, 128}, {"Very weak", 512, 80}}
	for _, l := range levels {
		limit := l.pk
		if ec {
			limit = l.ecBits
		}
		if bits >= limit {
			return l.name
		}
	}
	return "Insecure"
}

// PublicKeyAlgorithmName is GnuTLS's name for the key algorithm.
func PublicKeyAlgorithmName(pub any) string {
	switch pub.(type) {
	case *rsa.PublicKey:
		return "RSA"
	case *ecdsa.PublicKey:
		return "EC/ECDSA"
	case ed25519.PublicKey:
		return "EdDSA (Ed25519)"
	}
	return "UNKNOWN"
}

func writePublicKey(b *strings.Builder, pub any, indent, algLabel, levelLabel string) {
	fmt.Fprintf(b, "%s%s: %s\n", indent, algLabel, PublicKeyAlgorithmName(pub))
	fmt.Fprintf(b, "%s%s: %s\n", indent, levelLabel, SecurityLevel(pub))
	in2, in3 := indent+"\t", indent+"\t\t"
	switch k := pub.(type) {
	case *rsa.PublicKey:
		fmt.Fprintf(b, "%sModulus (bits %d):\n", in2, k.N.BitLen())
		writeHex(b, in3, mpi(k.N))
		e := big.NewInt(int64(k.E)).Bytes()
		fmt.Fprintf(b, "%sExponent (bits %d):\n", in2, len(e)*8)
		writeHex(b, in3, e)
	case *ecdsa.PublicKey:
		fmt.Fprintf(b, "%sCurve:\t%s\n", in2, curveName(k.Curve.Params().Name))
		b.WriteString(in2 + "X:\n")
		writeHex(b, in3, mpi(k.X))
		b.WriteString(in2 + "Y:\n")
		writeHex(b, in3, mpi(k.Y))
	case ed25519.PublicKey:
		b.WriteString(in2 + "Curve:\tEd25519\n")
		b.WriteString(in2 + "X:\n")
		writeHex(b, in3, []byte(k))
	}
}

func curveName(goName string) string {
	switch goName {
	case "P-224":
		return "SECP224R1"
	case "P-256":
		return "SECP256R1"
	case "P-384":
		return "SECP384R1"
	case "P-521":
		return "SECP521R1"
	}
	return strings.ToUpper(goName)
}

// printable reports whether data is plain printable ASCII (for the ASCII
// line of unknown extensions).
func printable(data []byte) bool {
	return bytes.IndexFunc(data, func(r rune) bool { return r < 0x20 || r > 0x7e }) < 0
}
