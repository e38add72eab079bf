package keys

import (
	"crypto/x509"
	"errors"
	"io/fs"
	"testing"
)

func TestCheckCerttoolParamsIsLooserThanCheck(t *testing.T) {
	for _, c := range []struct {
		p                Params
		certtool, native bool // accepted by CheckCerttoolParams, by Check
	}{
		{Params{Algorithm: RSA, Bits: 512}, false, false},
		{Params{Algorithm: RSA, Bits: 1023}, false, false},
		{Params{Algorithm: RSA, Bits: 1024}, true, false},
		{Params{Algorithm: RSA, Bits: MinRSABits - 1}, true, false},
		{Params{Algorithm: RSA, Bits: MinRSABits}, true, true},
		{Params{Algorithm: ECDSA, Curve: "P-192"}, false, false},
		{Params{Algorithm: ECDSA, Curve: "P-224"}, true, false},
		{Params{Algorithm: ECDSA, Curve: "P-256"}, true, true},
		{Params{Algorithm: Ed25519}, true, true},
	} {
		if got := CheckCerttoolParams(c.p) == nil; got != c.certtool {
			t.Errorf("CheckCerttoolParams(%v) accepted=%v, want %v", c.p, got, c.certtool)
		}
		if got := c.p.Check() == nil; got != c.native {
			t.Errorf("Check(%v) accepted=%v, want %v", c.p, got, c.native)
		}
	}
}

func TestSignatureAlgorithmWithHash(t *testing.T) {
	for _, c := range []struct {
		alg  x509.SignatureAlgorithm
		hash string
		want x509.SignatureAlgorithm
	}{
		{x509.SHA256WithRSA, "sha384", x509.SHA384WithRSA},
		{x509.SHA512WithRSA, "SHA-256", x509.SHA256WithRSA},
		{x509.SHA384WithRSA, "Sha512", x509.SHA512WithRSA},
		{x509.ECDSAWithSHA256, "sha512", x509.ECDSAWithSHA512},
		{x509.ECDSAWithSHA512, "sha-384", x509.ECDSAWithSHA384},
		{x509.PureEd25519, "sha512", x509.PureEd25519},
		{x509.PureEd25519, "anything", x509.PureEd25519},
	} {
		got, err := SignatureAlgorithmWithHash(c.alg, c.hash)
		if err != nil || got != c.want {
			t.Errorf("(%v, %q) = %v, %v; want %v", c.alg, c.hash, got, err, c.want)
		}
	}
	for _, c := range []struct {
		alg  x509.SignatureAlgorithm
		hash string
		want error
	}{
		{x509.SHA256WithRSA, "sha1", ErrBrokenHash},
		{x509.ECDSAWithSHA256, "MD5", ErrBrokenHash},
		{x509.PureEd25519, "rmd160", ErrBrokenHash},
		{x509.SHA256WithRSA, "sha224", ErrUnknownHash},
		{x509.SHA256WithRSA, "", ErrUnknownHash},
		{x509.SHA256WithRSAPSS, "sha384", ErrUnknownHash},
	} {
		if _, err := SignatureAlgorithmWithHash(c.alg, c.hash); !errors.Is(err, c.want) {
			t.Errorf("(%v, %q): error %v, want %v", c.alg, c.hash, err, c.want)
		}
	}
}

func TestReadPrivateKeyFileUnreadableIsReadError(t *testing.T) {
	path := t.TempDir() + "/missing.pem"
	_, err := ReadPrivateKeyFile(path)
	var re *ReadError
	if !errors.As(err, &re) || re.Path != path || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("error %v (%T) is not a *ReadError for %s wrapping fs.ErrNotExist", err, err, path)
	}
	if want := path + ": cannot read private key: no such file or directory"; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	if _, err := ParsePrivateKeyPEM([]byte("junk")); errors.As(err, &re) {
		t.Errorf("a parse error is a *ReadError: %v", err)
	}
}
