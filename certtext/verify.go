package certtext

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"strings"
	"time"

	"github.com/virt-pki/virt-pki/libvirtcert"
)

// Verify checks chain (leaf first, as in a PEM file) against the trusted
// cas at now, the way certtool --verify does, and returns certtool's report
// (one block per certificate, then "Chain verification output: ...") and
// whether the chain is trusted.
func Verify(chain, cas []*x509.Certificate, now time.Time) (string, bool) {
	var b strings.Builder
	overall := ""
	for i, c := range chain {
		if i > 0 && isTrusted(c, cas) {
			break // the chain reached a trust anchor, which is not checked itself
		}
		var candidates []*x509.Certificate
		if i+1 < len(chain) {
			candidates = append(candidates, chain[i+1])
		}
		candidates = append(candidates, cas...)
		issuer, status := checkOne(c, candidates, now)
		fmt.Fprintf(&b, "\tSubject: %s\n", rfc4514(c.RawSubject))
		fmt.Fprintf(&b, "\tIssuer: %s\n", rfc4514(c.RawIssuer))
		if issuer != nil {
			fmt.Fprintf(&b, "\tChecked against: %s\n", rfc4514(issuer.RawSubject))
		}
		fmt.Fprintf(&b, "\tSignature algorithm: %s\n", libvirtcert.SignatureAlgorithmName(c.SignatureAlgorithm))
		fmt.Fprintf(&b, "\tOutput: %s \n\n", status)
		if overall == "" && !strings.HasPrefix(status, "Verified") {
			overall = status
		}
	}
	if len(chain) == 0 {
		overall = "Not verified. The certificate is NOT trusted. No certificate was found."
	}
	ok := overall == ""
	if ok {
		overall = "Verified. The certificate is trusted."
	}
	fmt.Fprintf(&b, "Chain verification output: %s \n\n", overall)
	return b.String(), ok
}

func isTrusted(c *x509.Certificate, cas []*x509.Certificate) bool {
	for _, ca := range cas {
		if bytes.Equal(ca.Raw, c.Raw) {
			return true
		}
	}
	return false
}

// checkOne finds c's issuer among candidates (by name) and checks the
// signature, the issuer's CA status and both validities.
func checkOne(c *x509.Certificate, candidates []*x509.Certificate, now time.Time) (*x509.Certificate, string) {
	const notTrusted = "Not verified. The certificate is NOT trusted. "
	var issuer *x509.Certificate
	sigErr := error(nil)
	for _, cand := range candidates {
		if !bytes.Equal(cand.RawSubject, c.RawIssuer) {
			continue
		}
		issuer = cand
		if sigErr = c.CheckSignatureFrom(cand); sigErr == nil {
			break
		}
		if !(cand.BasicConstraintsValid && cand.IsCA) {
			// CheckSignatureFrom refuses non-CA parents; tell that apart.
			if err := cand.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature); err == nil {
				return cand, notTrusted + "The certificate issuer is not a CA."
			}
		}
	}
	switch {
	case issuer == nil:
		return nil, notTrusted + "The certificate issuer is unknown."
	case sigErr != nil:
		return issuer, notTrusted + "The signature in the certificate is invalid."
	case now.After(c.NotAfter) || now.After(issuer.NotAfter):
		return issuer, notTrusted + "The certificate chain uses expired certificate."
	case now.Before(c.NotBefore) || now.Before(issuer.NotBefore):
		return issuer, notTrusted + "The certificate chain uses not yet valid certificate."
	}
	return issuer, "Verified. The certificate is trusted."
}

func rfc4514(raw []byte) string {
	s, _ := libvirtcert.FormatDNRFC4514(raw)
	return s
}
