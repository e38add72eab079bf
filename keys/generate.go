package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/pem"
	"fmt"
	"strings"

	"go.step.sm/crypto/keyutil"
	"go.step.sm/crypto/pemutil"
)

// Algorithm is a key algorithm virt-pki generates.
type Algorithm string

// The algorithms virt-pki generates.
const (
	RSA     Algorithm = "rsa"
	ECDSA   Algorithm = "ecdsa"
	Ed25519 Algorithm = "ed25519"
)

// MinRSABits is the smallest RSA key virt-pki's own commands generate or
// accept for issuing.
const MinRSABits = 2048

// Spec is a key request as given on a command line: every field may be
// empty, and Resolve fills in certtool's defaults.
type Spec struct {
	// Type is rsa, ecdsa (or ecc), ed25519 (or eddsa); empty means rsa.
	Type string
	// Bits is the RSA modulus size; 0 takes it from SecParam.
	Bits int
	// Curve is secp256r1, secp384r1, secp521r1 or P-256/P-384/P-521;
	// empty takes it from SecParam.
	Curve string
	// SecParam is certtool's --sec-param: low, legacy, medium, normal,
	// high (the default), ultra, future.
	SecParam string
}

// Params is a resolved key request.
type Params struct {
	Algorithm Algorithm
	Bits      int    // RSA only
	Curve     string // ECDSA only: P-256, P-384, P-521 (also P-192, P-224 from low sec-params)
}

// String describes the key as people say it: "RSA 3072", "ECDSA P-256",
// "Ed25519".
func (p Params) String() string {
	switch p.Algorithm {
	case RSA:
		return fmt.Sprintf("RSA %d", p.Bits)
	case ECDSA:
		return "ECDSA " + p.Curve
	case Ed25519:
		return "Ed25519"
	}
	return string(p.Algorithm)
}

// secParam is one row of certtool's security-parameter table
// (lib/algorithms/secparams.c, observed with certtool 3.7.9).
type secParam struct {
	rsaBits int
	curve   string
}

var secParams = map[string]secParam{
	"low":    {1024, "P-192"},
	"legacy": {1776, "P-192"},
	"medium": {2048, "P-224"},
	"normal": {2048, "P-224"},
	"high":   {3072, "P-256"},
	"ultra":  {8192, "P-384"},
	"future": {15360, "P-521"},
}

// ParseAlgorithm maps certtool's --key-type names (case-insensitive) to an
// Algorithm.
func ParseAlgorithm(s string) (Algorithm, error) {
	switch strings.ToLower(s) {
	case "", "rsa":
		return RSA, nil
	case "ecdsa", "ecc", "ec":
		return ECDSA, nil
	case "ed25519", "eddsa":
		return Ed25519, nil
	}
	return "", fmt.Errorf("unknown key type: %s (use rsa, ecdsa or ed25519)", s)
}

// ParseCurve maps secp256r1/prime256v1/P-256/p256 style names
// (case-insensitive) to Go's curve names.
func ParseCurve(s string) (string, error) {
	switch strings.ToLower(strings.ReplaceAll(s, "_", "-")) {
	case "secp192r1", "prime192v1", "p-192", "p192":
		return "P-192", nil
	case "secp224r1", "p-224", "p224":
		return "P-224", nil
	case "secp256r1", "prime256v1", "p-256", "p256":
		return "P-256", nil
	case "secp384r1", "p-384", "p384":
		return "P-384", nil
	case "secp521r1", "p-521", "p521":
		return "P-521", nil
	}
	return "", fmt.Errorf("unsupported curve: %s (use secp256r1, secp384r1 or secp521r1)", s)
}

// Resolve applies certtool's defaults: RSA, sec-param high (RSA 3072,
// P-256). It checks the combination but not minimum sizes (see Check).
func (s Spec) Resolve() (Params, error) {
	alg, err := ParseAlgorithm(s.Type)
	if err != nil {
		return Params{}, err
	}
	sp := secParams["high"]
	if s.SecParam != "" {
		v, ok := secParams[strings.ToLower(s.SecParam)]
		if !ok {
			return Params{}, fmt.Errorf("unknown security parameter string: %s (use low, legacy, medium, high, ultra or future)", s.SecParam)
		}
		sp = v
	}
	p := Params{Algorithm: alg}
	switch alg {
	case RSA:
		if s.Curve != "" {
			return Params{}, fmt.Errorf("--curve %s needs --key-type ecdsa", s.Curve)
		}
		p.Bits = sp.rsaBits
		if s.Bits != 0 {
			p.Bits = s.Bits
		}
		if p.Bits < 512 || p.Bits > 16384 {
			return Params{}, fmt.Errorf("RSA key size %d bits is out of range", p.Bits)
		}
	case ECDSA:
		if s.Bits != 0 {
			c, ok := curveForBits(s.Bits)
			if !ok {
				return Params{}, fmt.Errorf("no ECDSA curve of %d bits (use 256, 384 or 521, or --curve)", s.Bits)
			}
			p.Curve = c
		} else {
			p.Curve = sp.curve
		}
		if s.Curve != "" {
			c, err := ParseCurve(s.Curve)
			if err != nil {
				return Params{}, err
			}
			p.Curve = c
		}
	case Ed25519:
		if s.Curve != "" {
			return Params{}, fmt.Errorf("--curve %s needs --key-type ecdsa", s.Curve)
		}
	}
	return p, nil
}

func curveForBits(bits int) (string, bool) {
	switch bits {
	case 192:
		return "P-192", true
	case 224:
		return "P-224", true
	case 256:
		return "P-256", true
	case 384:
		return "P-384", true
	case 521:
		return "P-521", true
	}
	return "", false
}

// Check refuses keys too weak for virt-pki's own commands: RSA below
// MinRSABits and curves below P-256.
func (p Params) Check() error {
	switch p.Algorithm {
	case RSA:
		if p.Bits < MinRSABits {
			return fmt.Errorf("RSA keys below %d bits are refused (asked for %d); use --bits 3072 or more", MinRSABits, p.Bits)
		}
	case ECDSA:
		if p.Curve == "P-192" || p.Curve == "P-224" {
			return fmt.Errorf("ECDSA curve %s is refused; use secp256r1, secp384r1 or secp521r1", p.Curve)
		}
	}
	return nil
}

// Generate creates a key. It does not apply Check: callers that must
// refuse weak keys call it first.
func Generate(p Params) (crypto.Signer, error) {
	switch p.Algorithm {
	case RSA:
		if p.Bits < MinRSABits {
			// keyutil refuses these; certtool compatibility still
			// produces them when asked explicitly.
			k, err := rsa.GenerateKey(rand.Reader, p.Bits)
			if err != nil {
				return nil, fmt.Errorf("generating RSA %d key: %w", p.Bits, err)
			}
			return k, nil
		}
		return keyutil.GenerateSigner("RSA", "", p.Bits)
	case ECDSA:
		switch p.Curve {
		case "P-256", "P-384", "P-521":
			return keyutil.GenerateSigner("EC", p.Curve, 0)
		case "P-224":
			return ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
		}
		return nil, fmt.Errorf("curve %s is not supported for key generation", p.Curve)
	case Ed25519:
		return keyutil.GenerateSigner("OKP", "Ed25519", 0)
	}
	return nil, fmt.Errorf("unknown key algorithm %q", p.Algorithm)
}

// EncodePEM writes key in certtool's format: RSA as PKCS#1 "RSA PRIVATE
// KEY", ECDSA as SEC1 "EC PRIVATE KEY", Ed25519 as PKCS#8 "PRIVATE KEY".
func EncodePEM(key crypto.Signer) ([]byte, error) {
	switch key.(type) {
	case *rsa.PrivateKey, *ecdsa.PrivateKey, ed25519.PrivateKey:
	default:
		return nil, fmt.Errorf("cannot encode a %T private key", key)
	}
	b, err := pemutil.Serialize(key)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(b), nil
}

// Describe returns the Params of an existing public key.
func Describe(pub crypto.PublicKey) Params {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return Params{Algorithm: RSA, Bits: k.N.BitLen()}
	case *ecdsa.PublicKey:
		return Params{Algorithm: ECDSA, Curve: k.Curve.Params().Name}
	case ed25519.PublicKey:
		return Params{Algorithm: Ed25519}
	}
	return Params{Algorithm: Algorithm(fmt.Sprintf("%T", pub))}
}
