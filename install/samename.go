package install

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"

	"github.com/virt-pki/virt-pki/libvirtcert"
)

// signedBy reports whether ca's key made leaf's signature (ignoring every
// other rule: this tells keys apart).
func signedBy(leaf, ca *x509.Certificate) bool {
	err := ca.CheckSignature(leaf.SignatureAlgorithm, leaf.RawTBSCertificate, leaf.Signature)
	var insecure x509.InsecureAlgorithmError
	return err == nil || errors.As(err, &insecure)
}

// sameNameOtherKey explains a chain failure caused by a CA that has the
// leaf's issuer name but another key, the classic result of running 'ca
// init' twice with one name. It returns "" when trust holds no such CA
// (or when one of that name did sign the leaf). others are further CA
// certificates known to the install (the source CA file, the installed
// CA) among which the real issuer is looked for, to name its fingerprint.
func sameNameOtherKey(leaf *x509.Certificate, trust, others []*x509.Certificate) string {
	var named *x509.Certificate
	for _, ca := range trust {
		if bytes.Equal(ca.RawSubject, leaf.RawIssuer) {
			if signedBy(leaf, ca) {
				return ""
			}
			if named == nil {
				named = ca
			}
		}
	}
	if named == nil {
		return ""
	}
	for _, o := range others {
		if bytes.Equal(o.RawSubject, leaf.RawIssuer) && signedBy(leaf, o) {
			return fmt.Sprintf("the CA file holds a CA with the same name but a different key (SHA-256 fingerprints %s vs %s): this certificate was issued by another CA of that name",
				Fingerprint(named), Fingerprint(o))
		}
	}
	ids := ""
	if len(leaf.AuthorityKeyId) > 0 && len(named.SubjectKeyId) > 0 {
		ids = fmt.Sprintf("; the certificate's authority key ID %X vs the CA's subject key ID %X", leaf.AuthorityKeyId, named.SubjectKeyId)
	}
	return fmt.Sprintf("the CA file holds a CA with the same name but a different key (SHA-256 fingerprint %s%s): this certificate was issued by another CA of that name",
		Fingerprint(named), ids)
}

// readCAs returns the certificates of a PEM file, nil when it cannot be
// read or parsed.
func readCAs(path string) []*x509.Certificate {
	if path == "" {
		return nil
	}
	data, err := readInput(path)
	if err != nil {
		return nil
	}
	cs, err := libvirtcert.ParseCertificates(path, data)
	if err != nil {
		return nil
	}
	return cs
}
