// Package keys generates private keys and reads and writes them in the
// formats certtool and libvirt use, on top of go.step.sm/crypto.
package keys

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"go.step.sm/crypto/keyutil"
	"go.step.sm/crypto/pemutil"

	"github.com/virt-pki/virt-pki/internal/fileread"
)

// MaxKeyFileSize caps how much of a key file is read; certtool's text block
// plus an RSA-15360 key stays far below it.
const MaxKeyFileSize = 1 << 20

// ErrNotPrivateKey is wrapped by errors for input that holds no private key
// (a certificate, a request, a public key, or no PEM at all).
var ErrNotPrivateKey = errors.New("no private key")

// ReadPrivateKeyFile loads a PEM private key (PKCS#1, SEC1, PKCS#8; text
// before the PEM block, as certtool writes it, is skipped). Errors name the
// file.
func ReadPrivateKeyFile(path string) (crypto.Signer, error) {
	data, err := fileread.ReadCapped(path, MaxKeyFileSize)
	if errors.Is(err, fileread.ErrTooLarge) {
		return nil, fmt.Errorf("%s: larger than %d bytes, not a private key file", path, MaxKeyFileSize)
	}
	if err != nil {
		return nil, &ReadError{Path: path, Err: err}
	}
	key, err := ParsePrivateKeyPEM(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return key, nil
}

// ParsePrivateKeyPEM returns the first private key PEM block in data (text
// around it is skipped). RSA PKCS#1, EC SEC1 and unencrypted PKCS#8 (RSA,
// ECDSA, Ed25519) are accepted. Errors say what was found instead.
func ParsePrivateKeyPEM(data []byte) (crypto.Signer, error) {
	var found []string
	rest := data
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		switch block.Type {
		case "RSA PRIVATE KEY", "EC PRIVATE KEY", "PRIVATE KEY":
			if len(block.Headers) > 0 {
				return nil, errors.New("the private key is encrypted (legacy PEM encryption); decrypt it first, e.g. certtool -k --infile KEY --outfile PLAIN")
			}
			k, err := pemutil.ParseKey(pem.EncodeToMemory(&pem.Block{Type: block.Type, Bytes: block.Bytes}))
			if err != nil {
				return nil, fmt.Errorf("malformed %s block: %s", block.Type, trimPemutil(err))
			}
			s, ok := k.(crypto.Signer)
			if !ok {
				return nil, fmt.Errorf("unsupported private key type %T", k)
			}
			return s, nil
		case "ENCRYPTED PRIVATE KEY":
			return nil, errors.New("the private key is encrypted (PKCS#8); virt-pki reads only unencrypted keys, decrypt it first (certtool --to-p8 --password '' or openssl pkey)")
		default:
			found = append(found, block.Type)
		}
	}
	if len(found) > 0 {
		if found[0] == "CERTIFICATE" {
			return nil, notKey("this is a certificate, not a private key")
		}
		return nil, notKey("holds a " + strings.ToLower(found[0]) + " PEM block, not a private key")
	}
	if bytes.Contains(data, []byte("-----BEGIN")) {
		return nil, notKey("malformed PEM (bad base64 or missing END line)")
	}
	return nil, notKey("not a PEM private key (no -----BEGIN ... PRIVATE KEY----- block)")
}

// ReadError is ReadPrivateKeyFile's error for a key file that cannot be
// read at all (missing, permission denied, not a regular file). Err is the
// operating system's cause without the "open PATH:" prefix.
type ReadError struct {
	Path string
	Err  error
}

func (e *ReadError) Error() string { return e.Path + ": cannot read private key: " + e.Err.Error() }
func (e *ReadError) Unwrap() error { return e.Err }

// notKey is an error that says what was found instead of a key and is
// ErrNotPrivateKey for errors.Is.
type notKey string

func (e notKey) Error() string        { return string(e) }
func (e notKey) Is(target error) bool { return target == ErrNotPrivateKey }

// MatchesCertificate reports whether key is the private key of cert.
func MatchesCertificate(key crypto.Signer, cert *x509.Certificate) bool {
	if key == nil || cert == nil {
		return false
	}
	return keyutil.Equal(key.Public(), cert.PublicKey)
}

// MatchesPublicKey reports whether key is the private key of pub.
func MatchesPublicKey(key crypto.Signer, pub crypto.PublicKey) bool {
	if key == nil || pub == nil {
		return false
	}
	return keyutil.Equal(key.Public(), pub)
}

// trimPemutil drops pemutil's "error parsing PEM: " prefix, which names a
// placeholder rather than the file.
func trimPemutil(err error) string {
	s := err.Error()
	for _, p := range []string{"error parsing PEM: ", "error decoding PEM: "} {
		s = strings.TrimPrefix(s, p)
	}
	return s
}
