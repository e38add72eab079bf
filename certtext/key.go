package certtext

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"math/big"
	"strings"
)

// PrivateKey returns the "Public Key Info" block certtool -p writes before
// a new key's PEM (without --no-text): the algorithm, the security level,
// every key parameter in hex (private ones included), the key PIN and the
// key IDs, ending with a blank line.
func PrivateKey(key crypto.Signer) (string, error) {
	spki, err := x509.MarshalPKIXPublicKey(key.Public())
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("Public Key Info:\n")
	fmt.Fprintf(&b, "\tPublic Key Algorithm: %s\n", PublicKeyAlgorithmName(key.Public()))
	fmt.Fprintf(&b, "\tKey Security Level: %s\n\n", SecurityLevel(key.Public()))
	field := func(name string, data []byte) {
		b.WriteString(name + ":\n")
		writeKeyHex(&b, data)
		b.WriteString("\n")
	}
	switch k := key.(type) {
	case *rsa.PrivateKey:
		k.Precompute()
		field("modulus", mpi(k.N))
		field("public exponent", mpi(big.NewInt(int64(k.E))))
		field("private exponent", mpi(k.D))
		field("prime1", mpi(k.Primes[0]))
		field("prime2", mpi(k.Primes[1]))
		field("coefficient", mpi(k.Precomputed.Qinv))
		field("exp1", mpi(k.Precomputed.Dp))
		field("exp2", mpi(k.Precomputed.Dq))
	case *ecdsa.PrivateKey:
		fmt.Fprintf(&b, "curve:\t%s\n", curveName(k.Curve.Params().Name))
		d, err := k.Bytes()
		if err != nil {
			return "", err
		}
		field("private key", mpi(new(big.Int).SetBytes(d)))
		field("x", mpi(k.X))
		field("y", mpi(k.Y))
	case ed25519.PrivateKey:
		b.WriteString("curve:\tEd25519\n")
		field("private key", k.Seed())
		field("x", []byte(k.Public().(ed25519.PublicKey)))
	default:
		return "", fmt.Errorf("cannot describe a %T key", key)
	}
	s256 := sha256.Sum256(spki)
	s1 := sha1.Sum(spki)
	fmt.Fprintf(&b, "\nPublic Key PIN:\n\tpin-sha256:%s\n", base64.StdEncoding.EncodeToString(s256[:]))
	fmt.Fprintf(&b, "Public Key ID:\n\tsha256:%x\n\tsha1:%x\n\n", s256, s1)
	return b.String(), nil
}

// writeKeyHex prints data as certtool's key dump does: a tab, bytes joined
// by ':' with a line break and tab after every 16th byte, a trailing ':'
// on a partial last line, and a final newline.
func writeKeyHex(b *strings.Builder, data []byte) {
	b.WriteString("\t")
	for i, c := range data {
		fmt.Fprintf(b, "%02x", c)
		if (i+1)%16 == 0 {
			b.WriteString("\n\t")
		} else {
			b.WriteString(":")
		}
	}
	b.WriteString("\n")
}
