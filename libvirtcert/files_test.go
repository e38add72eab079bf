package libvirtcert

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/virt-pki/virt-pki/internal/pkitest"
)

func TestReadCertificates(t *testing.T) {
	dir := t.TempDir()
	a, b := pkitest.CA(t, "A"), pkitest.CA(t, "B")
	key := a.KeyPEM(t)
	data := bytes.Join([][]byte{[]byte("# bundle\n"), a.CertPEM(), key, b.CertPEM()}, nil)
	path := pkitest.WriteFile(t, dir, "bundle.pem", data, 0o644)
	pcs, err := ReadPEMCertificates(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(pcs) != 2 || pcs[0].Cert.Subject.CommonName != "A" || pcs[1].Cert.Subject.CommonName != "B" {
		t.Fatalf("got %d certificates", len(pcs))
	}
	if pcs[0].Line != 2 {
		t.Errorf("first certificate on line %d, want 2", pcs[0].Line)
	}
	wantLine := 2 + bytes.Count(a.CertPEM(), []byte("\n")) + bytes.Count(key, []byte("\n"))
	if pcs[1].Line != wantLine {
		t.Errorf("second certificate on line %d, want %d", pcs[1].Line, wantLine)
	}
	certs, err := ReadCertificates(path)
	if err != nil || len(certs) != 2 {
		t.Errorf("ReadCertificates = %d, %v", len(certs), err)
	}
}

func TestReadCertificatesErrors(t *testing.T) {
	dir := t.TempDir()
	ca := pkitest.CA(t, "A")
	big := bytes.Repeat(ca.CertPEM(), MaxFileSize/len(ca.CertPEM())+1)
	exact := append(append(bytes.Repeat([]byte("#"), MaxFileSize-len(ca.CertPEM())-1), '\n'), ca.CertPEM()...)
	cases := []struct {
		name string
		data []byte
		want error
		text string
	}{
		{"too-large", big, ErrTooLarge, "65536"},
		{"der", ca.DER, ErrDER, "certtool -i --inder"},
		{"empty", nil, ErrNoCertificate, "BEGIN CERTIFICATE"},
		{"key-only", ca.KeyPEM(t), ErrNoCertificate, "BEGIN CERTIFICATE"},
		{"broken-base64", []byte("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n"), ErrNoCertificate, "not valid PEM"},
		{"after-nul", append([]byte("x\x00"), ca.CertPEM()...), ErrNoCertificate, ""},
	}
	for _, c := range cases {
		path := pkitest.WriteFile(t, dir, c.name+".pem", c.data, 0o644)
		_, err := ReadCertificates(path)
		if !errors.Is(err, c.want) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), c.text) {
			t.Errorf("%s: error %v, want %v mentioning %q and the path", c.name, err, c.want, c.text)
		}
	}
	path := pkitest.WriteFile(t, dir, "exact.pem", exact, 0o644)
	if _, err := ReadCertificates(path); err != nil {
		t.Errorf("a file of exactly %d bytes: %v", MaxFileSize, err)
	}
	garbled := bytes.Replace(ca.CertPEM(), []byte("MII"), []byte("MIA"), 1)
	path = pkitest.WriteFile(t, dir, "garbled.pem", append([]byte("\n\n"), garbled...), 0o644)
	if _, err := ReadCertificates(path); err == nil || !strings.Contains(err.Error(), path+":3:") {
		t.Errorf("garbled certificate: %v (want file:line)", err)
	}
	if _, err := ReadCertificates(filepath.Join(dir, "missing.pem")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func FuzzParsePEMCertificates(f *testing.F) {
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"))
	f.Add([]byte("garbage"))
	f.Add([]byte{0x30, 0x03, 0x02, 0x01, 0x00})
	f.Add([]byte("-----BEGIN X509 CERTIFICATE-----\n-----END X509 CERTIFICATE-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		pcs, err := ParsePEMCertificates("fuzz.pem", data)
		if err == nil && len(pcs) == 0 {
			t.Fatal("no error and no certificate")
		}
		if err != nil && !strings.Contains(err.Error(), "fuzz.pem") {
			t.Fatalf("error does not name the file: %v", err)
		}
		_, _ = ImportPEMCertificate(data)
	})
}
