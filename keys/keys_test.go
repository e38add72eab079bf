package keys

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/virt-pki/virt-pki/internal/pkitest"
)

func TestReadCerttoolKeyFiles(t *testing.T) {
	for file, want := range map[string]string{
		"certtool-rsa.pem":     "RSA 2048",
		"certtool-ecdsa.pem":   "ECDSA P-256",
		"certtool-ed25519.pem": "Ed25519",
	} {
		k, err := ReadPrivateKeyFile(filepath.Join("testdata", file))
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if got := Describe(k.Public()).String(); got != want {
			t.Errorf("%s: got %s, want %s", file, got, want)
		}
	}
}

func TestReadErrorsNameTheFile(t *testing.T) {
	dir := t.TempDir()
	ca := pkitest.CA(t, "Test CA")
	cases := map[string]struct {
		data string
		want string
	}{
		"cert.pem":    {string(ca.CertPEM()), "certificate, not a private key"},
		"garbage.pem": {"hello\n", "not a PEM private key"},
		"broken.pem":  {"-----BEGIN RSA PRIVATE KEY-----\n!!!\n-----END RSA PRIVATE KEY-----\n", "malformed PEM"},
		"badder.pem":  {"-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n", "malformed EC PRIVATE KEY"},
		"enc.pem":     {"-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n", "encrypted"},
	}
	for name, c := range cases {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(c.data), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := ReadPrivateKeyFile(p)
		if err == nil || !strings.HasPrefix(err.Error(), p+": ") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q naming the file", name, err, c.want)
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error is not one line: %q", name, err)
		}
		if notKey := name != "enc.pem" && name != "badder.pem"; notKey != errors.Is(err, ErrNotPrivateKey) {
			t.Errorf("%s: errors.Is(ErrNotPrivateKey) = %v", name, !notKey)
		}
	}
	_, err := ReadPrivateKeyFile(filepath.Join(dir, "missing.pem"))
	if err == nil || !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "missing.pem") {
		t.Errorf("missing file: %v", err)
	}
}

func TestGenerateEncodeRoundTrip(t *testing.T) {
	for _, s := range []Spec{
		{},
		{Type: "ecdsa"},
		{Type: "ecdsa", Curve: "secp384r1"},
		{Type: "ECC", SecParam: "future"},
		{Type: "ed25519"},
		{Type: "rsa", Bits: 2048},
	} {
		p, err := s.Resolve()
		if err != nil {
			t.Fatalf("%+v: %v", s, err)
		}
		if err := p.Check(); err != nil {
			t.Fatalf("%+v: %v", s, err)
		}
		if testing.Short() && p.Algorithm == RSA && p.Bits > 2048 {
			continue
		}
		k, err := Generate(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := Describe(k.Public()); got != p {
			t.Errorf("%+v: generated %v, want %v", s, got, p)
		}
		pemBytes, err := EncodePEM(k)
		if err != nil {
			t.Fatal(err)
		}
		wantLabel := map[Algorithm]string{RSA: "RSA PRIVATE KEY", ECDSA: "EC PRIVATE KEY", Ed25519: "PRIVATE KEY"}[p.Algorithm]
		if !strings.HasPrefix(string(pemBytes), "-----BEGIN "+wantLabel+"-----\n") {
			t.Errorf("%v: PEM starts %q, want label %s", p, pemBytes[:40], wantLabel)
		}
		back, err := ParsePrivateKeyPEM(append([]byte("Public Key Info:\n\tsome text\n"), pemBytes...))
		if err != nil {
			t.Fatal(err)
		}
		if !MatchesPublicKey(back, k.Public()) {
			t.Errorf("%v: round trip changed the key", p)
		}
	}
}

func TestResolveDefaultsAndErrors(t *testing.T) {
	ok := map[Spec]Params{
		{}:                                 {Algorithm: RSA, Bits: 3072},
		{SecParam: "ULTRA"}:                {Algorithm: RSA, Bits: 8192},
		{Type: "ecdsa"}:                    {Algorithm: ECDSA, Curve: "P-256"},
		{Type: "ecdsa", SecParam: "ultra"}: {Algorithm: ECDSA, Curve: "P-384"},
		{Type: "ecdsa", Curve: "P-521"}:    {Algorithm: ECDSA, Curve: "P-521"},
		{Type: "ecdsa", Bits: 384}:         {Algorithm: ECDSA, Curve: "P-384"},
		{Type: "eddsa"}:                    {Algorithm: Ed25519},
	}
	for s, want := range ok {
		got, err := s.Resolve()
		if err != nil || got != want {
			t.Errorf("%+v: got %v %v, want %v", s, got, err, want)
		}
	}
	for _, s := range []Spec{{Type: "dsa"}, {Curve: "secp256r1"}, {Type: "ecdsa", Curve: "brainpool"},
		{SecParam: "extreme"}, {Type: "ecdsa", Bits: 300}} {
		if _, err := s.Resolve(); err == nil {
			t.Errorf("%+v: want an error", s)
		}
	}
	for _, s := range []Spec{{Bits: 1024}, {SecParam: "legacy"}, {Type: "ecdsa", SecParam: "medium"}} {
		p, err := s.Resolve()
		if err != nil {
			t.Fatal(err)
		}
		if p.Check() == nil {
			t.Errorf("%+v (%v): Check must refuse it", s, p)
		}
	}
}

func TestMatchesCertificate(t *testing.T) {
	a := pkitest.CA(t, "A")
	b := pkitest.CA(t, "B")
	if !MatchesCertificate(a.Key, a.Cert) {
		t.Error("own key does not match")
	}
	if MatchesCertificate(b.Key, a.Cert) || MatchesCertificate(nil, a.Cert) {
		t.Error("foreign key matches")
	}
}

func FuzzParsePrivateKeyPEM(f *testing.F) {
	for _, name := range []string{"certtool-rsa.pem", "certtool-ecdsa.pem", "certtool-ed25519.pem"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"))
	f.Add([]byte("garbage"))
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := ParsePrivateKeyPEM(data)
		if err == nil && k == nil {
			t.Fatal("nil key without error")
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Fatalf("multi-line error %q", err)
		}
	})
}
