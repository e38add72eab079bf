package keys

import (
	"crypto"
	"crypto/rsa"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"math/big"

	"github.com/virt-pki/virt-pki/x509oid"
)

// pkcs1RSAKey is RFC 8017's RSAPrivateKey.
type pkcs1RSAKey struct {
	Version int
	N       *big.Int
	E       int
	D, P, Q *big.Int
	Dp, Dq  *big.Int        `asn1:"optional"`
	Qinv    *big.Int        `asn1:"optional"`
	Rest    []asn1.RawValue `asn1:"optional"`
}

// pkcs8Key is RFC 5208's PrivateKeyInfo.
type pkcs8Key struct {
	Version    int
	Algo       pkix.AlgorithmIdentifier
	PrivateKey []byte
	Rest       []asn1.RawValue `asn1:"optional"`
}

// RSAPublicFromPEM returns the public half of the first unencrypted RSA
// private key PEM block (PKCS#1 "RSA PRIVATE KEY" or PKCS#8 "PRIVATE KEY")
// in data, checking only what GnuTLS checks when libvirt loads a key:
// the structure, and that the primes multiply to the modulus. Go's own
// import also precomputes and validates the private key, which costs a
// millisecond per RSA-3072 key and decides nothing libvirt decides. ok is
// false for anything else (other key types, encrypted or malformed keys),
// which the caller then parses fully.
func RSAPublicFromPEM(data []byte) (pub *rsa.PublicKey, ok bool) {
	rest := data
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return nil, false
		}
		if len(block.Headers) > 0 {
			return nil, false
		}
		der := block.Bytes
		switch block.Type {
		case "PRIVATE KEY":
			var k pkcs8Key
			if r, err := asn1.Unmarshal(der, &k); err != nil || len(r) > 0 || !k.Algo.Algorithm.Equal(x509oid.RSAEncryption) {
				return nil, false
			}
			der = k.PrivateKey
		case "RSA PRIVATE KEY":
		case "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY":
			return nil, false
		default:
			continue
		}
		var k pkcs1RSAKey
		if r, err := asn1.Unmarshal(der, &k); err != nil || len(r) > 0 {
			return nil, false
		}
		if k.Version != 0 || k.N == nil || k.P == nil || k.Q == nil || k.D == nil || k.N.Sign() <= 0 ||
			k.E < 3 || k.E&1 == 0 || k.D.Sign() <= 0 || k.P.Cmp(big.NewInt(1)) <= 0 || k.Q.Cmp(big.NewInt(1)) <= 0 ||
			new(big.Int).Mul(k.P, k.Q).Cmp(k.N) != 0 {
			return nil, false
		}
		return &rsa.PublicKey{N: k.N, E: k.E}, true
	}
}

// PublicKeyFromPEM returns the public half of the first private key in PEM
// data, as ParsePrivateKeyPEM finds it. RSA keys take the structural path
// of RSAPublicFromPEM, which is enough to match a key with a certificate
// and much cheaper than a full import; other keys are parsed fully. Errors
// are ParsePrivateKeyPEM's.
func PublicKeyFromPEM(data []byte) (crypto.PublicKey, error) {
	if pub, ok := RSAPublicFromPEM(data); ok {
		return pub, nil
	}
	key, err := ParsePrivateKeyPEM(data)
	if err != nil {
		return nil, err
	}
	return key.Public(), nil
}
