package keys

import (
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
)

// CheckCerttoolParams is the key-size rule of the certtool personality
// (certtool -p). It is looser than Check, virt-pki's own rule for issuing,
// so that certtool's sec-params keep working: RSA from 1024 bits (certtool's
// "low") and P-224 ("medium", "normal") are generated, and only RSA below
// 1024 bits and P-192 (which Go cannot generate) are refused. A key that
// passes this rule but not Check is still refused later by the issue
// commands.
func CheckCerttoolParams(p Params) error {
	switch p.Algorithm {
	case RSA:
		if p.Bits < 1024 {
			return fmt.Errorf("RSA keys below 1024 bits are refused (asked for %d)", p.Bits)
		}
	case ECDSA:
		if p.Curve == "P-192" {
			return errors.New("curve SECP192R1 is not supported; use --curve secp256r1 or a higher --sec-param")
		}
	}
	return nil
}

// Errors of SignatureAlgorithmWithHash.
var (
	// ErrBrokenHash: MD5, SHA-1 or RIPEMD-160, which virt-pki never signs with.
	ErrBrokenHash = errors.New("broken hash")
	// ErrUnknownHash: a hash name that is not SHA-256, SHA-384 or SHA-512,
	// or one the algorithm's key type cannot sign with.
	ErrUnknownHash = errors.New("unknown hash")
)

// hashVariants lists, per signature family, the algorithm for each hash
// name (as normalised by normaliseHash).
var hashVariants = [][]x509.SignatureAlgorithm{
	{x509.SHA256WithRSA, x509.SHA384WithRSA, x509.SHA512WithRSA},
	{x509.ECDSAWithSHA256, x509.ECDSAWithSHA384, x509.ECDSAWithSHA512},
}

var hashIndex = map[string]int{"SHA256": 0, "SHA384": 1, "SHA512": 2}

// SignatureAlgorithmWithHash applies certtool's --hash to alg, the default
// algorithm for the signing key (templates.SignatureAlgorithm): it keeps
// the key type of alg (RSA PKCS#1 v1.5 or ECDSA) and replaces the hash.
// hash is case-insensitive with or without the dash ("sha384", "SHA-384").
// Ed25519 has its own hash, so alg is returned unchanged for any hash, as
// certtool ignores --hash there. MD5, SHA-1 and RIPEMD-160 are refused with
// an error wrapping ErrBrokenHash; other names with ErrUnknownHash.
func SignatureAlgorithmWithHash(alg x509.SignatureAlgorithm, hash string) (x509.SignatureAlgorithm, error) {
	h := strings.ToUpper(strings.ReplaceAll(hash, "-", ""))
	switch h {
	case "MD5", "SHA1", "RMD160":
		return alg, fmt.Errorf("%w: %s", ErrBrokenHash, hash)
	}
	if alg == x509.PureEd25519 {
		return alg, nil
	}
	i, ok := hashIndex[h]
	if !ok {
		return alg, fmt.Errorf("%w: %s", ErrUnknownHash, hash)
	}
	for _, family := range hashVariants {
		for _, a := range family {
			if a == alg {
				return family[i], nil
			}
		}
	}
	return alg, fmt.Errorf("%w: %s for %v", ErrUnknownHash, hash, alg)
}
