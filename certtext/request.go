package certtext

import (
	"crypto/x509"
	"fmt"
	"strings"

	"github.com/virt-pki/virt-pki/libvirtcert"
)

// Request returns csr as certtool prints a PKCS #10 request (certtool -q
// and --crq-info), ending with "Self signature: verified" when the
// request's signature checks out.
func Request(csr *x509.CertificateRequest) string {
	var b strings.Builder
	b.WriteString("PKCS #10 Certificate Request Information:\n")
	fmt.Fprintf(&b, "\tVersion: %d\n", csr.Version+1)
	b.WriteString(dnLine("Subject", csr.RawSubject))
	writePublicKey(&b, csr.PublicKey, "\t", "Subject Public Key Algorithm", "Algorithm Security Level")
	fmt.Fprintf(&b, "\tSignature Algorithm: %s\n", libvirtcert.SignatureAlgorithmName(csr.SignatureAlgorithm))
	if len(csr.Extensions) > 0 {
		b.WriteString("\tAttributes:\n\t\tExtensions:\n")
		for _, e := range csr.Extensions {
			var eb strings.Builder
			writeExtension(&eb, e)
			for _, line := range strings.SplitAfter(eb.String(), "\n") {
				if line != "" {
					b.WriteString("\t" + line)
				}
			}
		}
	}
	b.WriteString("Other Information:\n")
	writeKeyIDs(&b, csr.RawSubjectPublicKeyInfo)
	if csr.CheckSignature() == nil {
		b.WriteString("\nSelf signature: verified\n")
	} else {
		b.WriteString("\nSelf signature: FAILED\n")
	}
	return b.String()
}
