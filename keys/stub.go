// Package keys generates private keys and reads and writes them in the
// formats certtool and libvirt use, on top of go.step.sm/crypto.
package keys

import (
	"crypto"
	"crypto/x509"
	"errors"
)

// ReadPrivateKeyFile loads a PEM private key (PKCS#1, SEC1, PKCS#8; text
// before the PEM block, as certtool writes it, is skipped). Errors name the
// file.
func ReadPrivateKeyFile(path string) (crypto.Signer, error) {
	return nil, errors.New("keys: not implemented yet")
}

// MatchesCertificate reports whether key is the private key of cert.
func MatchesCertificate(key crypto.Signer, cert *x509.Certificate) bool { return false }
