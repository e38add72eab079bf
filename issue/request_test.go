package issue

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/virt-pki/virt-pki/keys"
)

func testRequestPEM(t testing.TB) []byte {
	t.Helper()
	key, err := keys.Generate(keys.Params{Algorithm: keys.ECDSA, Curve: "P-256"})
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificateRequest(nil, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "host1"}}, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "NEW CERTIFICATE REQUEST", Bytes: der})
}

func TestParseRequestSkipsTextAndOtherBlocks(t *testing.T) {
	data := append([]byte("PKCS #10 Certificate Request Information:\n\tVersion: 1\n-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), testRequestPEM(t)...)
	csr, err := ParseRequest("r.csr", data)
	if err != nil {
		t.Fatal(err)
	}
	if csr.Subject.CommonName != "host1" {
		t.Errorf("subject %v", csr.Subject)
	}
}

func TestParseRequestErrors(t *testing.T) {
	good := testRequestPEM(t)
	b, _ := pem.Decode(good)
	tampered := bytes.Clone(b.Bytes)
	tampered[len(tampered)-1] ^= 0xff // the signature's last byte
	for name, c := range map[string]struct {
		data []byte
		want error
	}{
		"empty":       {nil, ErrNoRequest},
		"certificate": {[]byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), ErrNoRequest},
		"garbage":     {pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: []byte{0x30, 0x00}}), ErrBadRequest},
		"signature":   {pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: tampered}), ErrBadRequest},
	} {
		_, err := ParseRequest("r.csr", c.data)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: error %v, want %v", name, err, c.want)
			continue
		}
		if !strings.HasPrefix(err.Error(), "r.csr: ") || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %q is not one line naming the file", name, err)
		}
	}
}

func TestReadRequestCapsTheFile(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.csr")
	if err := os.WriteFile(big, append(bytes.Repeat([]byte("x"), MaxRequestFileSize), testRequestPEM(t)...), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadRequest(big); !errors.Is(err, ErrRequestUnreadable) || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("oversized file: %v", err)
	}
	if _, err := ReadRequest(filepath.Join(dir, "missing.csr")); !errors.Is(err, ErrRequestUnreadable) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	ok := filepath.Join(dir, "ok.csr")
	if err := os.WriteFile(ok, testRequestPEM(t), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadRequest(ok); err != nil {
		t.Errorf("valid file: %v", err)
	}
}

func FuzzParseRequest(f *testing.F) {
	f.Add(testRequestPEM(f))
	f.Add([]byte("text\n-----BEGIN NEW CERTIFICATE REQUEST-----\nMIIBAA==\n-----END NEW CERTIFICATE REQUEST-----\n"))
	f.Add([]byte("-----BEGIN CERTIFICATE REQUEST-----\n-----END CERTIFICATE REQUEST-----\n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		csr, err := ParseRequest("f.csr", data)
		if err == nil {
			if csr == nil || csr.CheckSignature() != nil {
				t.Fatal("accepted a request without a valid self signature")
			}
			return
		}
		if !errors.Is(err, ErrNoRequest) && !errors.Is(err, ErrBadRequest) {
			t.Fatalf("error %v wraps neither ErrNoRequest nor ErrBadRequest", err)
		}
		if strings.Contains(err.Error(), "\n") {
			t.Fatalf("error %q is not one line", err)
		}
	})
}
